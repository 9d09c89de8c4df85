import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulationOptions, type SimulationReport, formatSimulationReport, runSimulation } from './simulation.js';

/**
 * The adversarial simulation, short: three epochs through the real pipeline, a source outage in
 * the second and an honest miner's failed download in the third, every adversary against its
 * honest counterfactual (all adversaries playing honest in one run, to keep the test short).
 */
const SHORT: Omit<SimulationOptions, 'workDirectory'> = {
  seed: 'resi-test',
  epochs: 3,
  honestMiners: 3,
  fabricatedShares: [0.05, 0.25],
  realZipcodes: 12,
  emptyZipcodes: 4,
  zipcodesPerEpoch: 5,
  honeypotsPerEpoch: 1,
  listingsPerZipcode: [15, 35],
  sourceDownEpoch: 1,
  downloadFailureEpoch: 2,
  counterfactuals: 'together',
};

describe('the adversarial simulation, short', { timeout: 120_000 }, () => {
  let root: string;
  let report: SimulationReport;
  let table: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-sim-'));
    const started = performance.now();
    report = await runSimulation({ ...SHORT, workDirectory: join(root, 'first'), concurrency: 4 });
    table = formatSimulationReport(report);
    console.log(table, `\n${Math.round(performance.now() - started)} ms`);
  }, 120_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('prints a line per role, every adversary against its counterfactual', () => {
    expect(report.roles.map((role) => role.role)).toEqual([
      'honest',
      'naive fabricator',
      'knowing fabricator 5%',
      'knowing fabricator 25%',
      'padder',
      'sybil trio',
      'verbatim copier',
      'late miner',
      'corrupt files',
      'claims more rows',
      'outside zipcodes',
    ]);
    for (const role of report.roles) expect(role.counterfactualShare === null, role.role).toBe(!role.adversary);
    expect(table).toContain('naive fabricator');
  });

  it('catches the naive fabricator in a honeypot, and refuses corrupt and over-claimed uploads, every epoch', () => {
    const role = (name: string) => report.roles.find((r) => r.role === name)!;
    // Epoch 1 has the source down: the validator abstains for the whole epoch and flags nobody.
    expect(role('naive fabricator')).toMatchObject({ meanShare: 0, caughtEpochs: [0, 2] });
    expect(role('naive fabricator').caughtFor).toContain('honeypot_listings');
    expect(role('corrupt files')).toMatchObject({ meanShare: 0, caughtFor: ['corrupt_parquet'] });
    expect(role('claims more rows')).toMatchObject({ meanShare: 0, caughtFor: ['row_count_mismatch'] });
  });

  it('gives the same table for the same seed', async () => {
    const again = await runSimulation({ ...SHORT, workDirectory: join(root, 'second'), concurrency: 4 });
    expect(formatSimulationReport(again)).toBe(table);
  });
});

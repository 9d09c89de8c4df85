import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOWNLOAD_FAULT_VICTIM,
  FINDING_CODES,
  type SimulationOptions,
  type SimulationReport,
  formatSimulationReport,
  runEpochs,
  runSimulation,
} from './simulation.js';

/**
 * The adversarial simulation, short: three epochs of a small market through the real pipeline and
 * the validator's credibility step, a source outage in the second and an honest miner's failed
 * download in the third, every adversary against its own honest counterfactual.
 */
const SHORT: Omit<SimulationOptions, 'workDirectory'> = {
  seed: 'resi-test',
  epochs: 3,
  honestMiners: 3,
  fabricatedShares: [0.05, 0.25],
  realZipcodes: 10,
  emptyZipcodes: 3,
  zipcodesPerEpoch: 4,
  honeypotsPerEpoch: 1,
  listingsPerZipcode: [15, 30],
  sourceDownEpoch: 1,
  downloadFailureEpoch: 2,
  counterfactuals: 'each',
};

describe('the adversarial simulation, short', { timeout: 180_000 }, () => {
  let root: string;
  let report: SimulationReport;
  let table: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-sim-'));
    const started = performance.now();
    report = await runSimulation({ ...SHORT, workDirectory: join(root, 'first'), concurrency: 4 });
    table = formatSimulationReport(report);
    console.log(table, `\n${Math.round(performance.now() - started)} ms`);
  }, 180_000);

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
      'overwrites after reveal',
    ]);
    for (const role of report.roles) expect(role.counterfactualShare === null, role.role).toBe(!role.adversary);
  });

  it('never flags an honest miner: no finding, no refusal, in any epoch', () => {
    const honest = report.main.flatMap((epoch) =>
      [...epoch.miners].filter(([label]) => label.startsWith('honest-')).map(([label, miner]) => ({ label, miner })),
    );
    expect(honest).toHaveLength(SHORT.epochs * SHORT.honestMiners);
    for (const { label, miner } of honest) {
      expect(['scored', 'abstained'], label).toContain(miner.outcome);
      expect(miner.flags, label).toEqual([]);
    }
    expect(report.honestFlags).toEqual([]);
    expect(table).toContain('honest miners flagged: none');
  });

  it('keeps every honest miner its credibility through a source outage and a failed download', () => {
    const sourceDown = report.faults.find((fault) => fault.fault === 'source down')!;
    const downloadFailure = report.faults.find((fault) => fault.fault === 'download failure')!;
    expect(sourceDown.epoch).toBe(1);
    expect(downloadFailure.epoch).toBe(2);
    // The validator abstains for the whole epoch: nobody's credibility moves, so neither do weights.
    expect(sourceDown.honest.some((honest) => honest.credibilityBefore > 0)).toBe(true);
    for (const honest of sourceDown.honest) {
      expect(honest.outcome, honest.label).toBe('abstained');
      expect(honest.credibilityAfter, honest.label).toBe(honest.credibilityBefore);
      expect(honest.share, honest.label).toBe(report.main[0]!.miners.get(honest.label)!.share);
    }
    // The miner whose download failed abstains: its credibility stays what it was.
    const victim = downloadFailure.honest.find((honest) => honest.label === DOWNLOAD_FAULT_VICTIM)!;
    expect(victim).toMatchObject({ outcome: 'abstained' });
    expect(victim.credibilityAfter).toBe(victim.credibilityBefore);
  });

  it('verifies, through the production source feeds, real listings that closed between a scrape and the audit', () => {
    // Honest rows of listings that left the market after the scrape are found among the listings
    // closed since the epoch began, not counted as invented (no honest miner is flagged, above).
    expect(report.rowsVerifiedClosed).toBeGreaterThan(0);
    expect(report.rowsVerifiedClosed).toBe(report.main.reduce((sum, epoch) => sum + epoch.rowsVerifiedClosed, 0));
    expect(table).toContain(
      `audited rows verified among listings closed since their epoch began: ${report.rowsVerifiedClosed} `,
    );
  });

  it('pays every adversary less than its honest counterfactual', () => {
    for (const role of report.roles.filter((r) => r.adversary)) {
      const counterfactual = role.counterfactualShare!;
      if (role.role === 'outside zipcodes') {
        // Its rows outside the assignment are credited nothing, and cost it nothing either.
        expect(role.meanShare, role.role).toBe(counterfactual);
      } else if (counterfactual > 0) expect(role.meanShare, role.role).toBeLessThan(counterfactual);
      else expect(role.meanShare, role.role).toBe(0);
    }
    expect(table).not.toMatch(/ YES /);
  });

  it('catches the cheats it can prove, with their reasons', () => {
    const role = (name: string) => report.roles.find((r) => r.role === name)!;
    // Epoch 1 has the source down: the validator abstains for the whole epoch, but a honeypot claim
    // needs no source, so the naive fabricator is caught then too.
    expect(role('naive fabricator')).toMatchObject({ meanShare: 0, caughtEpochs: [0, 1, 2] });
    expect(role('naive fabricator').caughtFor).toContain('honeypot_listings');
    expect(role('corrupt files')).toMatchObject({ meanShare: 0, caughtFor: ['corrupt_parquet'] });
    expect(role('claims more rows')).toMatchObject({ meanShare: 0, caughtFor: ['row_count_mismatch'] });
    expect(role('late miner').caughtFor).toEqual(['late_upload']);
    expect(role('knowing fabricator 25%').caughtFor).toContain('fabricated_listings');
    expect(role('padder').caughtFor).toContain('fabricated_listings');
    // Overwrote its upload once the seed audited its invented rows: caught by the listing at the grace end.
    expect(role('overwrites after reveal').caughtFor).toEqual(['modified_after_grace']);
    expect(role('overwrites after reveal').caughtEpochs.length).toBeGreaterThan(0);
    for (const code of ['fabricated_listings', 'honeypot_listings', 'late_upload'])
      expect(FINDING_CODES.has(code)).toBe(true);
  });

  it('gives the same figures for the same seed', async () => {
    const again = await runEpochs({ ...SHORT, workDirectory: join(root, 'second') }, { name: 'main', faults: true });
    expect(again).toEqual(report.main);
  });
});

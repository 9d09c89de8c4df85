/**
 * `npm run sim [-- --seed <text>] [--epochs <n>]`: the adversarial simulation through the real
 * validator pipeline; prints the table of each role's weight share against its honest
 * counterfactual, the epochs it was caught in, honest miners flagged and the faults' cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL_SIMULATION, formatSimulationReport, runSimulation } from './simulation.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: 'resi' },
    epochs: { type: 'string', default: String(FULL_SIMULATION.epochs) },
    quiet: { type: 'boolean', default: false },
  },
});
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1) {
  console.error(`--epochs ${values.epochs}: give a whole number of epochs, at least 1`);
  process.exit(2);
}
const workDirectory = await mkdtemp(join(tmpdir(), 'resi-sim-'));
const started = performance.now();
try {
  const report = await runSimulation({
    ...FULL_SIMULATION,
    seed: values.seed,
    epochs,
    workDirectory,
    ...(values.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
  });
  console.log(formatSimulationReport(report));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  await rm(workDirectory, { recursive: true, force: true });
}

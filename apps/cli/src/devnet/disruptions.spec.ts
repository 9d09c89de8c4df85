import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkStore } from '@resi/miner';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignmentFixture } from '../../../miner/src/testing/protocol-fixtures.test-utils.js';
import { sampleListing } from '../../../../packages/sources/src/testing/listing-fixtures.test-utils.js';
import { type Disruption, crashMidEpoch, stallPastDeadline } from './disruptions.js';
import { narrator } from './narration.js';
import type { SupervisedProgram } from './supervisor.js';

const EPOCH = '2025-10-01T17-00-00';
/** The clock has moved on: the next epoch runs while the late miner is thawed in the grace period. */
const NEXT_EPOCH = '2025-10-01T17-03-00';

let dir: string;
let disruption: Disruption | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resi-disruptions-'));
});
afterEach(async () => {
  disruption?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A supervised program that records the signals it receives. */
function fakeProgram(name: string): SupervisedProgram & { signals: string[] } {
  const signals: string[] = [];
  return { name, signals, signal: (signal) => (signals.push(signal), true), stop: () => Promise.resolve() };
}

/** A miner mid-collection of EPOCH: one zipcode done, nothing packaged; its deadline `deadlineInMs` away. */
async function midCollection(deadlineInMs: number): Promise<void> {
  const end = new Date(Date.now() + deadlineInMs);
  const work = await new WorkStore(dir).openEpoch(
    assignmentFixture({ epochId: EPOCH, zipcodes: ['19103', '19104'], start: new Date(end.getTime() - 60_000), end }),
  );
  await work.saveZipcode({
    zipcode: '19103',
    completedAt: new Date().toISOString(),
    cutShort: false,
    rejects: {},
    duplicates: 0,
    listings: [sampleListing('19103', 0)],
  });
}

const waitUntil = async (condition: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
};

describe('devnet disruptions', () => {
  it('the late miner is frozen, then thawed after the deadline, both lines naming the epoch it collected', async () => {
    // Far enough ahead that a busy machine sees it mid-collection before its thaw time has passed.
    await midCollection(1_500);
    const program = fakeProgram('devnet-late');
    const lines: string[] = [];
    disruption = stallPastDeadline(
      program,
      dir,
      100,
      narrator(
        () => NEXT_EPOCH,
        (line) => lines.push(line),
      ),
    );
    await waitUntil(() => lines.length === 2);
    expect(program.signals).toEqual(['SIGSTOP', 'SIGCONT']);
    expect(lines[0]).toMatch(
      new RegExp(`^\\[devnet\\] \\[epoch ${EPOCH}\\] devnet-late frozen \\(SIGSTOP\\) mid-collection`),
    );
    expect(lines[1]).toMatch(new RegExp(`^\\[devnet\\] \\[epoch ${EPOCH}\\] devnet-late thawed \\(SIGCONT\\)`));
  });

  it('a late miner resuming an epoch whose thaw time has passed (a resumed devnet) is not frozen', async () => {
    await midCollection(-500);
    const program = fakeProgram('devnet-late');
    const lines: string[] = [];
    disruption = stallPastDeadline(program, dir, 100, (line) => lines.push(line));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(program.signals).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('the crasher is killed once per epoch, the line naming that epoch', async () => {
    await midCollection(60_000);
    const program = fakeProgram('devnet-crasher');
    const lines: string[] = [];
    disruption = crashMidEpoch(
      program,
      dir,
      narrator(
        () => NEXT_EPOCH,
        (line) => lines.push(line),
      ),
    );
    await waitUntil(() => lines.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(program.signals).toEqual(['SIGKILL']);
    expect(lines).toEqual([`[devnet] [epoch ${EPOCH}] devnet-crasher killed (SIGKILL) mid-collection`]);
  });
});

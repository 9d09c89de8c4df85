import { describe, expect, it } from 'vitest';
import { ALICE, BOB, craftedResultsFile } from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { formatWeightTable, resultsFileUidOf, weightTableOf } from './weight-table.js';

const file = craftedResultsFile(ALICE);

describe('weightTableOf', () => {
  const result = (hotkey: string) => file.validation_results[hotkey]!;

  it('weights each miner by its credibility after the epoch, not its reward alone', () => {
    // A first epoch: credibility is 0.3 x the share of the epoch's reward (Alice 0.89, Bob 0.10).
    const rows = weightTableOf(file, {
      uidOf: (hotkey) => resultsFileUidOf(file, hotkey),
      excludeUids: [],
      burnShare: 0,
    });
    const [alice, bob] = [result(ALICE), result(BOB)];
    expect(rows.map((row) => [row.uid, row.hotkey, row.reward, row.credibility])).toEqual([
      [1, ALICE, alice.weight, alice.credibility.after],
      [2, BOB, bob.weight, bob.credibility.after],
    ]);
    expect(alice.credibility.after).toBeCloseTo((0.3 * alice.weight) / (alice.weight + bob.weight), 9);
    expect(rows.map((row) => row.u16)).toEqual([
      65535,
      Math.round((bob.credibility.after / alice.credibility.after) * 65535),
    ]);
    expect(rows.reduce((sum, row) => sum + row.weight, 0)).toBeCloseTo(1, 12);
  });

  it('keeps weighting a miner with credibility that has no result this epoch', () => {
    const absent = { uid: 9, before: 0.5, after: 0.35, penalty_epochs_left: 0 };
    const carried = { ...file, credibility: { ...file.credibility, carried: { 'absent-hotkey': absent } } };
    const rows = weightTableOf(carried, {
      uidOf: (hotkey) => resultsFileUidOf(carried, hotkey),
      excludeUids: [],
      burnShare: 0,
    });
    expect(rows.find((row) => row.uid === 9)).toMatchObject({ hotkey: 'absent-hotkey', reward: 0, credibility: 0.35 });
  });

  it('sends the burn share to the burn uid and excludes validators', () => {
    const rows = weightTableOf(file, {
      uidOf: (hotkey) => resultsFileUidOf(file, hotkey),
      excludeUids: [2],
      burnShare: 0.5,
      burnUid: 0,
    });
    expect(rows.map((row) => [row.uid, row.hotkey, row.weight])).toEqual([
      [0, '(burn)', 0.5],
      [1, ALICE, 0.5],
    ]);
    expect(formatWeightTable(rows)).toMatch(/^uid\s+hotkey\s+reward\s+credibility\s+weight\s+u16\n\s*0\s+\(burn\)/);
  });

  it('gives nothing to miners without a uid and says so when nothing is left', () => {
    expect(weightTableOf(file, { uidOf: () => undefined, excludeUids: [], burnShare: 0 })).toEqual([]);
    expect(formatWeightTable([])).toContain('no weights to emit');
  });
});

import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  CHARLIE,
  craftedResultsFile,
} from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { formatWeightTable, weightTableOf } from './weight-table.js';

const file = craftedResultsFile(ALICE);

describe('weightTableOf', () => {
  it('turns reward sums into normalised weights and u16 values, uids from the results', () => {
    // Rewards: Alice 0.55 (uid 1), Bob 0.15 (uid 2), Charlie 0.25 (uid 3); total 0.95.
    const rows = weightTableOf(file, {
      uidOf: (hotkey) => file.validation_results[hotkey]?.uid,
      excludeUids: [],
      burnShare: 0,
    });
    expect(rows.map((row) => [row.uid, row.hotkey, row.reward, row.u16])).toEqual([
      [1, ALICE, 0.55, 65535],
      [2, BOB, 0.15, 17873], // 0.15/0.55 × 65535 = 17873.18
      [3, CHARLIE, 0.25, 29789], // 0.25/0.55 × 65535 = 29788.6
    ]);
    expect(rows.reduce((sum, row) => sum + row.weight, 0)).toBeCloseTo(1, 12);
  });

  it('sends the burn share to the burn uid and excludes validators', () => {
    const rows = weightTableOf(file, {
      uidOf: (hotkey) => file.validation_results[hotkey]?.uid,
      excludeUids: [1],
      burnShare: 0.5,
      burnUid: 0,
    });
    expect(rows.map((row) => [row.uid, row.hotkey, row.weight])).toEqual([
      [0, '(burn)', 0.5],
      [2, BOB, 0.5 * (0.15 / 0.4)],
      [3, CHARLIE, 0.5 * (0.25 / 0.4)],
    ]);
    expect(formatWeightTable(rows)).toMatch(/^uid\s+hotkey\s+reward\s+weight\s+u16\n\s*0\s+\(burn\)/);
  });

  it('gives nothing to miners without a uid and says so when nothing is left', () => {
    expect(weightTableOf(file, { uidOf: () => undefined, excludeUids: [], burnShare: 0 })).toEqual([]);
    expect(formatWeightTable([])).toContain('no weights to emit');
  });
});

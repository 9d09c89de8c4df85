import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  CHARLIE,
  CONTEXT,
  DAVE,
  EVE,
  craftedMiners,
} from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { resultsFileFor } from '../../../api/test/published-results.test-utils.js';
import { formatLeaderboard, leaderboardOf } from './leaderboard.js';

const cast = new Map([
  [ALICE, { name: 'alice', role: 'honest' }],
  [BOB, { name: 'bob', role: 'honest' }],
  [CHARLIE, { name: 'charlie', role: 'honest' }],
  [DAVE, { name: 'dave', role: 'fabricator' }],
  [EVE, { name: 'eve', role: 'copier' }],
]);

describe('devnet leaderboard', () => {
  const file = resultsFileFor(CONTEXT, craftedMiners(), ALICE);
  const rows = leaderboardOf(file, cast);

  it('has one row per scored miner, heaviest first, with weights that sum to one', () => {
    expect(rows).toHaveLength(Object.keys(file.validation_results).length);
    expect(rows.map((r) => r.weight)).toEqual([...rows.map((r) => r.weight)].sort((a, b) => b - a));
    expect(rows.reduce((sum, r) => sum + r.weight, 0)).toBeCloseTo(1, 9);
    expect(rows.find((r) => r.name.endsWith('…'))?.role).toBe('unknown'); // a hotkey not in the cast
  });

  it('names what was caught: the honeypot fabricator earns nothing; the copier is credited nothing, unflagged', () => {
    const dave = rows.find((r) => r.name === 'dave')!;
    expect(dave).toMatchObject({ outcome: 'honeypot', total: 0, weight: 0 });
    expect(dave.caught).toContain('honeypot_listings');
    expect(rows.find((r) => r.name === 'eve')).toMatchObject({ credited: 0, overlap: 400, weight: 0, caught: [] });
    expect(rows.find((r) => r.name === 'alice')).toMatchObject({ credited: 400, overlap: 0 });
    expect(rows[0]!.name).toBe('alice');
  });

  it('prints an aligned table with a header and a line per miner', () => {
    const lines = formatLeaderboard(rows).split('\n');
    expect(lines[0]).toMatch(
      /^miner\s+role\s+total\s+quality\s+accuracy\s+complete\s+timely\s+credited\s+overlap\s+weight\s+caught$/,
    );
    expect(lines).toHaveLength(rows.length + 1);
    const weightColumn = lines[0]!.indexOf('weight');
    for (const line of lines.slice(1)) expect(line.slice(weightColumn)).toMatch(/^\d+\.\d%/);
    expect(lines.find((l) => l.startsWith('dave'))).toMatch(/honeypot_listings$/);
  });
});

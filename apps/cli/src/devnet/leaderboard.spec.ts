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
import { formatLeaderboard, formatWeightByRole, leaderboardOf, weightByRole } from './leaderboard.js';

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
    expect(rows.find((r) => r.name === 'eve')).toMatchObject({ credited: 0, overlap: 600, weight: 0, caught: [] });
    expect(rows.find((r) => r.name === 'alice')).toMatchObject({ credited: 600, overlap: 0, caught: [] });
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

  it('names rows a miner had no business uploading: listings of zipcodes it was not assigned', () => {
    const outsider = structuredClone(file);
    const result = outsider.validation_results[ALICE]!;
    result.listings = {
      ...result.listings!,
      row_reasons: { ...result.listings!.row_reasons, zipcode_not_assigned: 12 },
    };
    expect(leaderboardOf(outsider, cast).find((r) => r.name === 'alice')!.caught).toEqual(['zipcode_not_assigned']);
  });

  it('sums the weight by role, heaviest first, with how many of each role were caught', () => {
    const roles = weightByRole(rows);
    expect(roles.map((r) => r.role)).toEqual(['honest', ...roles.slice(1).map((r) => r.role)]);
    // Bob's status reports claimed more than his files hold, Charlie uploaded in the grace period.
    expect(roles.find((r) => r.role === 'honest')).toMatchObject({ hotkeys: 3, caught: 2 });
    expect(roles.find((r) => r.role === 'honest')!.weight).toBeCloseTo(
      rows.filter((r) => r.role === 'honest').reduce((sum, r) => sum + r.weight, 0),
      12,
    );
    expect(roles.find((r) => r.role === 'fabricator')).toMatchObject({ hotkeys: 1, weight: 0, caught: 1 });
    expect(roles.reduce((sum, r) => sum + r.weight, 0)).toBeCloseTo(1, 9);
    const lines = formatWeightByRole(roles).split('\n');
    expect(lines[0]).toMatch(/^role\s+hotkeys\s+weight\s+caught$/);
    expect(lines.find((l) => l.startsWith('fabricator'))).toMatch(/^fabricator\s+1\s+0\.0%\s+1\/1$/);
  });
});

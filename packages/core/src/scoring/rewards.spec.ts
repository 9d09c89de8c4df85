import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rankZipcodeCompetitors, zipcodePools } from './rewards.js';
import { REWARD_DECIMALS, roundTo } from './score-components.js';

describe('zipcodePools (proportional to expected listings, honeypots none)', () => {
  it('splits by expected listings over the real zipcodes', () => {
    const pools = zipcodePools([
      { zipcode: '10002', expectedListings: 300, isHoneypot: false },
      { zipcode: '99999', expectedListings: 500, isHoneypot: true },
      { zipcode: '10001', expectedListings: 100, isHoneypot: false },
      { zipcode: '10003', expectedListings: 200, isHoneypot: false },
    ]);
    expect([...pools]).toEqual([
      ['10001', 0.166666666],
      ['10002', 0.5],
      ['10003', 0.333333333],
    ]);
  });

  it('never adds up to more than 1, so no weight exceeds 1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 40 }), (expected) => {
        const pools = zipcodePools(
          expected.map((expectedListings, i) => ({ zipcode: String(10_000 + i), expectedListings, isHoneypot: false })),
        );
        const total = [...pools.values()].reduce((sum, pool) => sum + pool, 0);
        expect(roundTo(total, REWARD_DECIMALS)).toBeLessThanOrEqual(1);
        expect(total).toBeGreaterThan(1 - expected.length * 10 ** -REWARD_DECIMALS);
      }),
    );
    // Three equal thirds would round up to 0.333333333 each; a third of 7 and 14 is 0.333333333 and 0.666666666.
    expect([
      ...zipcodePools([7, 14].map((n, i) => ({ zipcode: String(i), expectedListings: n, isHoneypot: false }))).values(),
    ]).toEqual([0.333333333, 0.666666666]);
  });

  it('shares equally when nothing is expected anywhere', () => {
    expect([
      ...zipcodePools([
        { zipcode: '1', expectedListings: 0, isHoneypot: false },
        { zipcode: '2', expectedListings: 0, isHoneypot: false },
      ]).values(),
    ]).toEqual([0.5, 0.5]);
  });
});

describe('rankZipcodeCompetitors (score × credited / total credited)', () => {
  const competitor = (hotkey: string, zipcodeScore: number, creditedListings: number, uploadedAtMs = 0) => ({
    hotkey,
    zipcodeScore,
    creditedListings,
    uploadedAtMs,
  });

  it('pays each miner its score times its share of the credited listings, ordered by share', () => {
    const placings = rankZipcodeCompetitors([
      competitor('c', 1, 10),
      competitor('a', 0.5, 60),
      competitor('b', 1, 30),
      competitor('z', 1, 0),
    ]);
    expect(placings.map((placing) => [placing.competitor.hotkey, placing.rank, placing.share])).toEqual([
      ['a', 1, 0.3],
      ['b', 2, 0.3],
      ['c', 3, 0.1],
    ]);
  });

  it('orders equal shares by the earlier upload, then hotkey', () => {
    const placings = rankZipcodeCompetitors([
      competitor('y', 1, 5, 2),
      competitor('x', 1, 5, 2),
      competitor('w', 1, 5, 9),
    ]);
    expect(placings.map((placing) => placing.competitor.hotkey)).toEqual(['x', 'y', 'w']);
    expect(rankZipcodeCompetitors([])).toEqual([]);
  });

  it('pays a dataset split over several hotkeys no more than the dataset under one', () => {
    const alone = rankZipcodeCompetitors([competitor('solo', 0.9, 90), competitor('other', 0.9, 10)]);
    const split = rankZipcodeCompetitors([
      competitor('s1', 0.9, 30),
      competitor('s2', 0.9, 30),
      competitor('s3', 0.9, 30),
      competitor('other', 0.9, 10),
    ]);
    const sum = (placings: typeof alone, prefix: string) =>
      placings.filter((p) => p.competitor.hotkey.startsWith(prefix)).reduce((total, p) => total + p.share, 0);
    expect(sum(split, 's')).toBeCloseTo(sum(alone, 'solo'), 9);
    expect(sum(alone, 'solo')).toBeCloseTo(0.81, 9);
  });
});

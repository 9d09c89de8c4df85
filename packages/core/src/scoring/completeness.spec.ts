import { describe, expect, it } from 'vitest';
import { completenessScore, targetBandScore } from './completeness.js';

describe('targetBandScore (10/20/30% -> 1.0/0.7/0.4, bounds inclusive)', () => {
  it.each([
    [100, 100, 1],
    [90, 100, 1],
    [110, 100, 1],
    [89, 100, 0.7],
    [120, 100, 0.7],
    [80, 100, 0.7],
    [79, 100, 0.4],
    [130, 100, 0.4],
    [131, 100, 0],
    [69, 100, 0],
    [0, 100, 0],
    // Exactly on the 10% bound with other expected counts.
    [27, 30, 1],
    [63, 70, 1],
    [0, 0, 1],
    [1, 0, 0],
  ])('%i of %i expected -> %d', (actual, expected, score) => {
    expect(targetBandScore(actual, expected)).toBe(score);
  });
});

describe('completenessScore (0.6 x coverage + 0.4 x mean band)', () => {
  it('works a four-zipcode example by hand', () => {
    // coverage 3/4 = 0.75; bands 1.0 (100/100), 0.7 (85/100), 0.4 (200/160 = +25%), 0 (none) -> mean 0.525.
    // 0.6 * 0.75 + 0.4 * 0.525 = 0.45 + 0.21 = 0.66.
    const score = completenessScore([
      { zipcode: '10004', expectedListings: 50, creditedListings: 0 },
      { zipcode: '10001', expectedListings: 100, creditedListings: 100 },
      { zipcode: '10003', expectedListings: 160, creditedListings: 200 },
      { zipcode: '10002', expectedListings: 100, creditedListings: 85 },
    ]);
    expect(score).toEqual({ score: 0.66, coverage: 0.75, targets: 0.525 });
  });

  it('is 0 without zipcodes', () => {
    expect(completenessScore([]).score).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { roundScore, roundTo, totalScoreOf } from './score-components.js';

describe('roundTo / roundScore', () => {
  it('rounds half away from zero at the given decimals', () => {
    expect(roundTo(0.1234565, 6)).toBe(0.123457);
    expect(roundTo(0.9284538, 6)).toBe(0.928454);
    expect(roundTo(1 / 3, 9)).toBe(0.333333333);
    expect(Object.is(roundTo(-1e-12, 6), 0)).toBe(true);
  });
  it('clamps scores to [0, 1]', () => {
    expect(roundScore(1.0000001)).toBe(1);
    expect(roundScore(-0.2)).toBe(0);
  });
});

describe('totalScoreOf (25/35/25/15)', () => {
  it('weights the components as the seed does', () => {
    // 0.9875*0.25 + 0.947368*0.35 + 0.8*0.25 + 1*0.15 = 0.246875 + 0.3315788 + 0.2 + 0.15 = 0.9284538
    expect(totalScoreOf({ data_quality: 0.9875, accuracy: 0.947368, completeness: 0.8, timeliness: 1 })).toBe(0.928454);
    expect(totalScoreOf({ data_quality: 1, accuracy: 1, completeness: 1, timeliness: 1 })).toBe(1);
  });
});

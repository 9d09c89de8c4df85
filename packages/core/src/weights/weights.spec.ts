import { describe, expect, it } from 'vitest';
import { convertWeightsAndUidsForEmit, planWeights, roundHalfToEven, U16_MAX } from './weights.js';

describe('roundHalfToEven', () => {
  it('rounds ties to the even neighbour like Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 10922.5, 32767.5].map(roundHalfToEven)).toEqual([0, 2, 2, 4, 10922, 32768]);
  });
  it('rounds non-ties to the nearest integer', () => {
    expect([0.49999999999999994, 0.5000000000000001, 16383.75, 7.25].map(roundHalfToEven)).toEqual([0, 1, 16384, 7]);
  });
  it('refuses non-finite values', () => {
    expect(() => roundHalfToEven(Number.NaN)).toThrow(RangeError);
  });
});

describe('convertWeightsAndUidsForEmit (examples worked by hand from the SDK rule)', () => {
  it('divides by the max and scales to 65535, keeping the uid order', () => {
    // 0.2/0.4 = 0.5 -> 32767.5 -> 32768 (tie, floor odd); 0.4/0.4 = 1 -> 65535; 0.1/0.4 = 0.25 -> 16383.75 -> 16384.
    expect(convertWeightsAndUidsForEmit([3, 1, 7], [0.2, 0.4, 0.1])).toEqual({
      uids: [3, 1, 7],
      values: [32768, 65535, 16384],
    });
  });

  it('rounds a tie with an even floor down, where Math.round would go up', () => {
    // 1/6 * 65535 = 10922.5 exactly: Python round() gives 10922.
    expect(convertWeightsAndUidsForEmit([4, 9], [6, 1])).toEqual({ uids: [4, 9], values: [U16_MAX, 10922] });
  });

  it('drops uids whose value rounds to zero', () => {
    // 1/131070*65535 = 0.5 -> 0 (dropped); 3/131070*65535 = 1.5 -> 2; 5/131070*65535 = 2.5 -> 2.
    expect(convertWeightsAndUidsForEmit([0, 1, 2, 3], [131070, 1, 3, 5])).toEqual({
      uids: [0, 2, 3],
      values: [U16_MAX, 2, 2],
    });
  });

  it('emits nothing when every weight is zero', () => {
    expect(convertWeightsAndUidsForEmit([0, 1], [0, 0])).toEqual({ uids: [], values: [] });
  });

  it('refuses negative weights, negative or non-u16 uids, length mismatches and empty input', () => {
    expect(() => convertWeightsAndUidsForEmit([0, 1], [1, -0.1])).toThrow(/negative/);
    expect(() => convertWeightsAndUidsForEmit([0, -1], [1, 1])).toThrow(/u16/);
    expect(() => convertWeightsAndUidsForEmit([0, 65536], [1, 1])).toThrow(/u16/);
    expect(() => convertWeightsAndUidsForEmit([0, 1, 2], [1, 1])).toThrow(/same length/);
    expect(() => convertWeightsAndUidsForEmit([], [])).toThrow(/empty/);
    expect(() => convertWeightsAndUidsForEmit([0], [Number.POSITIVE_INFINITY])).toThrow(/finite/);
  });
});

describe('planWeights', () => {
  it('excludes validators and the own uid, scales miners to 1 - burn, gives the burn share to the burn uid', () => {
    const plan = planWeights({
      scores: new Map([
        [1, 3],
        [2, 1],
        [5, 10], // a validator: excluded
        [7, 4], // our own uid: excluded
      ]),
      excludeUids: [5, 7],
      burnShare: 0.2,
      burnUid: 0,
    });
    expect(plan.uids).toEqual([0, 1, 2]);
    expect(plan.weights[0]).toBe(0.2);
    expect(plan.weights[1]).toBeCloseTo(0.6, 15);
    expect(plan.weights[2]).toBeCloseTo(0.2, 15);
  });

  it('keeps the burn uid even when it is excluded as a validator, and ignores its own score', () => {
    const plan = planWeights({
      scores: new Map([
        [0, 9],
        [3, 1],
      ]),
      excludeUids: [0],
      burnShare: 0.5,
      burnUid: 0,
    });
    expect(plan).toEqual({ uids: [0, 3], weights: [0.5, 0.5] });
  });

  it('sends everything to the burn uid when no miner scored, and nothing without one', () => {
    expect(planWeights({ scores: new Map([[3, 0]]), excludeUids: [], burnShare: 0, burnUid: 0 })).toEqual({
      uids: [0],
      weights: [1],
    });
    expect(planWeights({ scores: new Map([[3, 0]]), excludeUids: [], burnShare: 0 })).toEqual({
      uids: [],
      weights: [],
    });
  });

  it('refuses a burn share outside [0, 1], a burn share without a uid, and negative scores', () => {
    expect(() => planWeights({ scores: new Map(), excludeUids: [], burnShare: 1.5, burnUid: 0 })).toThrow(/burn share/);
    expect(() => planWeights({ scores: new Map(), excludeUids: [], burnShare: 0.1 })).toThrow(/burn uid/);
    expect(() => planWeights({ scores: new Map([[1, -1]]), excludeUids: [], burnShare: 0 })).toThrow(/non-negative/);
  });

  it('feeds convertWeightsAndUidsForEmit: the burn uid gets the largest value when it holds the largest share', () => {
    const plan = planWeights({
      scores: new Map([
        [1, 1],
        [2, 1],
      ]),
      excludeUids: [],
      burnShare: 0.5,
      burnUid: 0,
    });
    // 0.5, 0.25, 0.25 -> 65535, 32767.5 -> 32768 (tie, floor odd), 32768.
    expect(convertWeightsAndUidsForEmit(plan.uids, plan.weights)).toEqual({
      uids: [0, 1, 2],
      values: [65535, 32768, 32768],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { type CredibilityMiner, type CredibilityState, EMPTY_CREDIBILITY, applyCredibility } from './credibility.js';

const epoch = (index: number) => `2025-10-${String(index).padStart(2, '0')}T16-00-00`;
const scored = (hotkey: string, reward: number, uid = 1): CredibilityMiner => ({
  hotkey,
  uid,
  outcome: 'scored',
  reward,
});

/** Runs epochs 1..n; `minersOf(i)` gives epoch i's miners. */
function run(epochs: number, minersOf: (index: number) => CredibilityMiner[], abstained = new Set<number>()) {
  let state: CredibilityState = EMPTY_CREDIBILITY;
  const history: Record<string, number>[] = [];
  for (let index = 1; index <= epochs; index++) {
    state = applyCredibility(state, {
      epochId: epoch(index),
      abstained: abstained.has(index),
      miners: minersOf(index),
    }).state;
    history.push(Object.fromEntries(Object.entries(state.miners).map(([hotkey, entry]) => [hotkey, entry.ema])));
  }
  return { state, history };
}

describe('applyCredibility', () => {
  it('moves each miner by alpha towards its share of the epoch reward', () => {
    const { history } = run(2, () => [scored('a', 0.6), scored('b', 0.2, 2)]);
    expect(history[0]).toEqual({ a: 0.225, b: 0.075 });
    // 0.7 x 0.225 + 0.3 x 0.75
    expect(history[1]).toEqual({ a: 0.3825, b: 0.1275 });
  });

  it('lets an honest miner that misses one epoch lose alpha of its credibility and recover', () => {
    const { history } = run(12, (index) => (index === 6 ? [scored('b', 1, 2)] : [scored('a', 1), scored('b', 1, 2)]));
    expect(history[5]!.a).toBeCloseTo(0.7 * history[4]!.a!, 9);
    expect(history[11]!.a).toBeGreaterThan(history[4]!.a! - 0.01);
  });

  it('zeroes a fabricator and keeps its share at 0 for the penalty epochs, then lets it earn again', () => {
    const miners = (index: number): CredibilityMiner[] => [
      index === 3 ? { hotkey: 'f', uid: 3, outcome: 'fabricated', reward: 0 } : scored('f', 1, 3),
      scored('h', 1, 4),
    ];
    const { history, state } = run(9, miners);
    expect(history[2]!.f).toBe(0);
    expect([3, 4, 5, 6].map((index) => history[index]!.f ?? 0)).toEqual([0, 0, 0, 0]);
    expect(history[7]!.f).toBe(0.15);
    expect(state.miners.f!.penaltyEpochsLeft).toBe(0);
    expect(history[8]!.h).toBeGreaterThan(history[8]!.f!);
  });

  it('keeps the credibility of a miner without a verdict, and of everyone when the validator abstains', () => {
    const { history } = run(
      4,
      (index) => [
        index === 2 ? { hotkey: 'a', uid: 1, outcome: 'abstained', reward: 0 } : scored('a', 1),
        scored('b', 1, 2),
      ],
      new Set([4]),
    );
    expect(history[1]!.a).toBe(history[0]!.a);
    expect(history[1]!.b).not.toBe(history[0]!.b);
    expect(history[3]).toEqual(history[2]);
  });

  it('penalises a honeypot claim even in an epoch the validator abstains for, and nobody else', () => {
    const miners = (index: number): CredibilityMiner[] => [
      index === 3 ? { hotkey: 'c', uid: 3, outcome: 'honeypot', reward: 0 } : scored('c', 1, 3),
      index === 3 ? { hotkey: 'h', uid: 4, outcome: 'abstained', reward: 0 } : scored('h', 1, 4),
      index === 3 ? { hotkey: 'r', uid: 5, outcome: 'rejected', reward: 0 } : scored('r', 1, 5),
    ];
    let state: CredibilityState = EMPTY_CREDIBILITY;
    for (let index = 1; index <= 2; index++) {
      state = applyCredibility(state, { epochId: epoch(index), abstained: false, miners: miners(index) }).state;
    }
    const update = applyCredibility(state, { epochId: epoch(3), abstained: true, miners: miners(3) });
    expect(update.state.miners.c).toMatchObject({ ema: 0, penaltyEpochsLeft: 4, lastEpochId: epoch(3) });
    expect(update.state.miners.h).toEqual(state.miners.h);
    expect(update.state.miners.r).toEqual(state.miners.r);
    expect(update.changes.find((change) => change.hotkey === 'c')).toMatchObject({
      before: state.miners.c!.ema,
      after: 0,
      penaltyEpochsLeft: 4,
    });
  });

  it('starts a hotkey whose uid changed from 0', () => {
    const { history } = run(2, (index) => [scored('a', 1, index === 1 ? 1 : 9)]);
    expect(history[1]!.a).toBe(0.3);
  });

  it('applies each epoch once, in order', () => {
    const { state } = run(2, () => [scored('a', 1)]);
    expect(() => applyCredibility(state, { epochId: epoch(2), abstained: false, miners: [] })).toThrow(RangeError);
    expect(() => applyCredibility(state, { epochId: epoch(1), abstained: false, miners: [] })).toThrow(RangeError);
  });

  it('gives one dataset split over several hotkeys no more credibility than under one', () => {
    const one = run(5, () => [scored('solo', 0.9), scored('other', 0.1, 2)]).state.miners;
    const split = run(5, () => [scored('s1', 0.3), scored('s2', 0.3, 3), scored('s3', 0.3, 4), scored('other', 0.1, 2)])
      .state.miners;
    expect(split.s1!.ema + split.s2!.ema + split.s3!.ema).toBeCloseTo(one.solo!.ema, 8);
  });
});

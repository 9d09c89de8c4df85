import { describe, expect, it } from 'vitest';
import { consensusObservedListings } from './history-consensus.js';

const observation = (validatorHotkey: string, stake: number, observedListings: number) => ({
  validatorHotkey,
  stake,
  observedListings,
});

describe('consensusObservedListings', () => {
  it('takes the stake-weighted median, so a minority reporting absurd counts moves nothing', () => {
    const honest = [observation('a', 5_000, 40), observation('b', 4_000, 42), observation('c', 3_000, 41)];
    expect(consensusObservedListings(honest, 12_000)).toBe(41);
    expect(consensusObservedListings([...honest, observation('x', 2_000, 100_000)], 14_000)).toBe(41);
    // At most it tips the median to a neighbouring honest count, never to its own.
    expect(consensusObservedListings([...honest, observation('x', 2_000, 0)], 14_000)).toBe(40);
  });

  it('follows the majority of stake, however many validators dissent', () => {
    const reports = [
      observation('big', 10_000, 80),
      observation('s1', 1_000, 5),
      observation('s2', 1_000, 5),
      observation('s3', 1_000, 5),
    ];
    expect(consensusObservedListings(reports, 13_000)).toBe(80);
  });

  it('waits until the reporting validators hold more than half of the validator stake', () => {
    expect(consensusObservedListings([observation('a', 5_000, 40)], 10_000)).toBeNull();
    expect(consensusObservedListings([observation('a', 5_000, 40), observation('b', 1, 40)], 10_000)).toBe(40);
    // A validator that has left the metagraph since it reported still counts.
    expect(consensusObservedListings([observation('a', 5_000, 40)], 0)).toBe(40);
  });

  it('does not depend on the order reports arrived in; ties go by hotkey', () => {
    const reports = [observation('b', 1_000, 30), observation('a', 1_000, 20)];
    expect(consensusObservedListings(reports, 2_000)).toBe(20);
    expect(consensusObservedListings([...reports].reverse(), 2_000)).toBe(20);
  });

  it('gives no consensus without stake', () => {
    expect(consensusObservedListings([], 0)).toBeNull();
    expect(consensusObservedListings([observation('a', 0, 40)], 0)).toBeNull();
  });
});

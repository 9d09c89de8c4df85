/**
 * What validators agree a zipcode held in one epoch, weighted by stake (PROTOCOL.md §8): the
 * expected-count history follows it rather than any single validator's report, so a validator
 * cannot steer the selection by reporting absurd counts unless it holds most of the stake.
 */

/** One validator's observed listing count in one zipcode, with its stake when it reported. */
export interface ValidatorObservation {
  readonly validatorHotkey: string;
  readonly stake: number;
  readonly observedListings: number;
}

/**
 * The stake-weighted median of the validators' counts: the smallest count such that the
 * validators reporting at most that count hold at least half of the reporting stake (ties by
 * hotkey, so the answer does not depend on the order reports arrived in). Null until the
 * reporting validators hold more than half of `quorumStake` (the validator stake of the
 * metagraph): before that, whoever reported first would decide alone.
 */
export function consensusObservedListings(
  observations: readonly ValidatorObservation[],
  quorumStake: number,
): number | null {
  const counted = observations.filter((observation) => observation.stake > 0);
  const reporting = counted.reduce((sum, observation) => sum + observation.stake, 0);
  // Validators that reported but have since left the metagraph still count with their stake.
  const quorum = Math.max(quorumStake, reporting);
  if (reporting === 0 || reporting * 2 <= quorum) return null;
  const sorted = [...counted].sort(
    (a, b) =>
      a.observedListings - b.observedListings ||
      (a.validatorHotkey < b.validatorHotkey ? -1 : a.validatorHotkey > b.validatorHotkey ? 1 : 0),
  );
  let cumulative = 0;
  for (const observation of sorted) {
    cumulative += observation.stake;
    if (cumulative * 2 >= reporting) return observation.observedListings;
  }
  return sorted.at(-1)!.observedListings;
}

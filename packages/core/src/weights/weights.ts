/**
 * Weight maths a validator needs before it talks to the chain (PROTOCOL.md §8): the Python SDK's
 * conversion of float weights to the u16 values subtensor stores, and the burn share / exclusion
 * step that turns miner scores into the weights to emit. Pure; the chain package submits the
 * result.
 */

/** Largest u16: subtensor stores each weight as a u16, the largest weight of a row as this. */
export const U16_MAX = 65_535;

/** Weights in the form `set_weights` and `commit_weights` take: parallel u16 arrays. */
export interface EmittedWeights {
  uids: number[];
  values: number[];
}

/**
 * Python's `round()` on a double: nearest integer, ties to the even neighbour (banker's rounding),
 * which `Math.round` (ties up) is not. `value - Math.floor(value)` is exact for every finite
 * double, so the tie test compares the true fractional part.
 */
export function roundHalfToEven(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`cannot round ${value} to an integer`);
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The Python SDK's `convert_weights_and_uids_for_emit`, operation for operation: reject negative
 * weights, negative uids and length mismatches; when every weight is zero emit nothing; otherwise
 * divide each weight by the largest, multiply by 65535, round half to even, and drop the uids
 * whose value rounds to 0. The order of uids is kept.
 *
 * Also refused, where Python would fail later or on chain: an empty list, non-finite weights and
 * uids that are not u16 integers.
 */
export function convertWeightsAndUidsForEmit(uids: readonly number[], weights: readonly number[]): EmittedWeights {
  if (weights.length === 0 || uids.length === 0)
    throw new RangeError('no weights to convert: uids and weights are empty');
  for (const weight of weights) {
    if (!Number.isFinite(weight)) throw new RangeError(`weight ${weight} is not a finite number`);
    if (weight < 0) throw new RangeError(`weight ${weight} is negative: negative weights cannot exist on chain`);
  }
  for (const uid of uids) {
    if (!Number.isInteger(uid) || uid < 0 || uid > U16_MAX) throw new RangeError(`uid ${uid} is not a u16 integer`);
  }
  if (uids.length !== weights.length) {
    throw new RangeError(`uids and weights must have the same length, got ${uids.length} and ${weights.length}`);
  }
  // Python sums left to right; the same order gives the same double, and only "== 0" matters here.
  if (weights.reduce((sum, weight) => sum + weight, 0) === 0) return { uids: [], values: [] };
  const max = Math.max(...weights);
  const emitted: EmittedWeights = { uids: [], values: [] };
  weights.forEach((weight, index) => {
    const value = roundHalfToEven((weight / max) * U16_MAX);
    if (value !== 0) {
      emitted.uids.push(uids[index]!);
      emitted.values.push(value);
    }
  });
  return emitted;
}

/** What a validator wants to emit before the burn share and the exclusions are applied. */
export interface WeightPlanInput {
  /** Score per miner uid, any non-negative scale (e.g. the sum of a miner's reward shares). */
  scores: ReadonlyMap<number, number>;
  /** Uids that never receive weight: the validator's own uid and every other validator. */
  excludeUids: Iterable<number>;
  /** Share in [0, 1] of the total weight sent to `burnUid` (the subnet owner's uid burns it). */
  burnShare: number;
  /** The uid that receives the burn share; required when `burnShare` > 0. */
  burnUid?: number | undefined;
}

/** Float weights per uid, ascending by uid, summing to 1 (or empty when there is nothing to emit). */
export interface WeightPlan {
  uids: number[];
  weights: number[];
}

/**
 * Miner scores → the float weights to emit: excluded uids removed, the remaining scores scaled to
 * `1 - burnShare`, and `burnShare` added to `burnUid`. The burn uid keeps its share even when it
 * is in `excludeUids` (the owner's hotkey usually holds a validator permit); a score of its own is
 * ignored. When no remaining
 * miner has a positive score, the whole weight goes to `burnUid`, or nothing is emitted without one.
 */
export function planWeights(input: WeightPlanInput): WeightPlan {
  const { burnShare, burnUid } = input;
  if (!(burnShare >= 0 && burnShare <= 1)) throw new RangeError(`burn share ${burnShare} is not in [0, 1]`);
  if (burnUid !== undefined && (!Number.isInteger(burnUid) || burnUid < 0 || burnUid > U16_MAX)) {
    throw new RangeError(`burn uid ${burnUid} is not a u16 integer`);
  }
  if (burnShare > 0 && burnUid === undefined) throw new RangeError('a burn share needs a burn uid');
  const excluded = new Set(input.excludeUids);
  const miners = new Map<number, number>();
  for (const [uid, score] of input.scores) {
    if (!Number.isFinite(score) || score < 0)
      throw new RangeError(`score ${score} of uid ${uid} is not a non-negative number`);
    if (!Number.isInteger(uid) || uid < 0 || uid > U16_MAX) throw new RangeError(`uid ${uid} is not a u16 integer`);
    if (!excluded.has(uid) && uid !== burnUid && score > 0) miners.set(uid, score);
  }
  const total = [...miners.values()].reduce((sum, score) => sum + score, 0);
  const byUid = new Map<number, number>();
  // The burn weight is burnShare itself, not 1 - (1 - burnShare), which drifts in binary floats.
  const burnWeight = total > 0 ? burnShare : 1;
  for (const [uid, score] of miners) byUid.set(uid, (score / total) * (1 - burnShare));
  if (burnUid !== undefined && burnWeight > 0) byUid.set(burnUid, burnWeight);
  const uids = [...byUid.keys()].sort((a, b) => a - b);
  return { uids, weights: uids.map((uid) => byUid.get(uid)!) };
}

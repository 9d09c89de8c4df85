/**
 * The four parts of a miner's epoch score and how they combine (seed, "Validator Integration
 * Requirements" §3 `validate_miner_data`; PROTOCOL.md §8): data quality 25%, accuracy 35%,
 * completeness 25%, timeliness 15%.
 */

/** A miner's four component scores, each in [0, 1]. */
export interface ScoreComponents {
  readonly data_quality: number;
  readonly accuracy: number;
  readonly completeness: number;
  readonly timeliness: number;
}

/** The weight of each component in the total (they sum to 1). */
export const SCORE_COMPONENT_WEIGHTS: Readonly<Record<keyof ScoreComponents, number>> = {
  data_quality: 0.25,
  accuracy: 0.35,
  completeness: 0.25,
  timeliness: 0.15,
};

/** Decimal places every reported score is rounded to. */
export const SCORE_DECIMALS = 6;

/** Decimal places of reward shares, pools and weights. */
export const REWARD_DECIMALS = 9;

/**
 * Rounds `value` to `decimals` places, half away from zero. Scores are rounded before they are
 * combined or ranked, so validators (or a re-implementation in another language) that differ in
 * the last bits of a double still publish the same numbers and the same ranking.
 */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`cannot round ${value}`);
  const factor = 10 ** decimals;
  const rounded = Math.sign(value) * Math.round(Math.abs(value) * factor);
  // `|| 0` turns -0 into 0, which JSON would print as 0 anyway but Object.is would not equal.
  return rounded / factor || 0;
}

/** A score rounded to {@link SCORE_DECIMALS} places and clamped to [0, 1]. */
export function roundScore(value: number): number {
  return roundTo(Math.min(1, Math.max(0, value)), SCORE_DECIMALS);
}

/**
 * The weighted total of the four components (seed: `total_score = quality*0.25 + accuracy*0.35
 * + completeness*0.25 + timeliness*0.15`), summed in that fixed order and rounded.
 */
export function totalScoreOf(components: ScoreComponents): number {
  const weights = SCORE_COMPONENT_WEIGHTS;
  return roundScore(
    components.data_quality * weights.data_quality +
      components.accuracy * weights.accuracy +
      components.completeness * weights.completeness +
      components.timeliness * weights.timeliness,
  );
}

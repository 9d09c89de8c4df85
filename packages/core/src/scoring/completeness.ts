import { roundScore } from './score-components.js';

/**
 * Completeness, 25% of a miner's score (seed, `check_completeness`; PROTOCOL.md §8):
 * `0.6 × zipcode coverage + 0.4 × target score`. Measured against the epoch's real zipcodes only:
 * once honeypots are revealed they leave both the coverage denominator and the targets, so an
 * honest miner who found nothing in a honeypot is not marked incomplete for it.
 */
export const COMPLETENESS_WEIGHTS = { coverage: 0.6, targets: 0.4 } as const;

/**
 * Target bands (seed): a zipcode whose listing count is within 10% of the expected count scores
 * 1.0, within 20% 0.7, within 30% 0.4, otherwise 0. Bounds are inclusive, as the seed's
 * `0.9 <= ratio <= 1.1`.
 */
export const TARGET_BANDS = [
  { withinPercent: 10, score: 1 },
  { withinPercent: 20, score: 0.7 },
  { withinPercent: 30, score: 0.4 },
] as const;

/**
 * The band score of `actual` listings against `expected`. Compared in integers
 * (`|actual − expected| × 100 ≤ percent × expected`) so a ratio of exactly 0.9 never falls out
 * of its band through a rounding error. An expected count of 0 scores 1 only for 0 listings.
 */
export function targetBandScore(actual: number, expected: number): number {
  if (expected === 0) return actual === 0 ? 1 : 0;
  const deviation = Math.abs(actual - expected) * 100;
  return TARGET_BANDS.find((band) => deviation <= band.withinPercent * expected)?.score ?? 0;
}

/** One real (non-honeypot) zipcode of the epoch and the listings the miner was credited there. */
export interface ZipcodeCompletion {
  readonly zipcode: string;
  readonly expectedListings: number;
  /** Valid, unique, not copied listings of the miner in this zipcode. */
  readonly creditedListings: number;
}

/** Completeness with its two parts. */
export interface CompletenessScore {
  readonly score: number;
  /** Share of real zipcodes with at least one credited listing. */
  readonly coverage: number;
  /** Mean band score over the real zipcodes. */
  readonly targets: number;
}

/**
 * `0.6 × coverage + 0.4 × mean target band` over the epoch's real zipcodes (pass every one, in
 * any order: sums run in zipcode order). 0 when the epoch has no real zipcode.
 */
export function completenessScore(zipcodes: readonly ZipcodeCompletion[]): CompletenessScore {
  if (zipcodes.length === 0) return { score: 0, coverage: 0, targets: 0 };
  const ordered = [...zipcodes].sort((a, b) => (a.zipcode < b.zipcode ? -1 : a.zipcode > b.zipcode ? 1 : 0));
  const covered = ordered.filter((zipcode) => zipcode.creditedListings > 0).length;
  const bandSum = ordered.reduce(
    (sum, zipcode) => sum + targetBandScore(zipcode.creditedListings, zipcode.expectedListings),
    0,
  );
  const coverage = roundScore(covered / ordered.length);
  const targets = roundScore(bandSum / ordered.length);
  return {
    score: roundScore(COMPLETENESS_WEIGHTS.coverage * coverage + COMPLETENESS_WEIGHTS.targets * targets),
    coverage,
    targets,
  };
}

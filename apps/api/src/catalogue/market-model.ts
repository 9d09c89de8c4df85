/**
 * How the catalogue turns Census population figures into a market tier and a prior estimate of
 * active for-sale listings. The generator applies it once when it builds the data file; the
 * validators' observations then correct the estimate per zipcode (`updateExpectedListings`).
 */
import type { MarketTier } from '@resi/core';

/**
 * Density cut-offs (residents per square mile), computed from the populated ZCTAs of the 50 states
 * and DC and weighted by population: a quarter of residents live at or above
 * `premiumMinDensity`, a quarter below `emergingBelowDensity`.
 */
export interface MarketTierThresholds {
  readonly premiumMinDensity: number;
  readonly emergingBelowDensity: number;
}

/** Population-weighted density percentiles behind `MarketTierThresholds`. */
export const MARKET_TIER_PERCENTILES = {
  premiumMinDensity: 0.75,
  emergingBelowDensity: 0.25,
} as const;

/** Active for-sale listings per resident before the tier factor: 2.5 per 1,000 residents. */
export const LISTINGS_PER_RESIDENT = 2.5 / 1000;

/**
 * A mild prior: dense markets have more units (condos, townhouses) changing hands per resident,
 * rural ones fewer homes reaching the listing portals. Validators' counts correct it per zipcode.
 */
export const MARKET_TIER_LISTING_FACTOR: Readonly<Record<MarketTier, number>> = {
  PREMIUM: 1.1,
  STANDARD: 1,
  EMERGING: 0.9,
};

/**
 * Ceiling of any expected count, estimated or corrected: one zipcode must stay a small part of
 * the default 10,000-listing target so the selection can land inside its tolerance.
 */
export const MAX_EXPECTED_LISTINGS = 500;

/**
 * The density at which the cumulative population, with ZCTAs in ascending density order, first
 * reaches `share` of the total: the density the `share`-th resident lives at.
 */
export function populationWeightedDensityPercentile(
  zctas: readonly { readonly population: number; readonly density: number }[],
  share: number,
): number {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`share ${share} is outside [0, 1]`);
  const byDensity = zctas.filter((zcta) => zcta.population > 0).sort((a, b) => a.density - b.density);
  const total = byDensity.reduce((sum, zcta) => sum + zcta.population, 0);
  if (total === 0) throw new RangeError('populationWeightedDensityPercentile needs a populated ZCTA');
  let cumulative = 0;
  for (const zcta of byDensity) {
    cumulative += zcta.population;
    if (cumulative >= share * total) return zcta.density;
  }
  return byDensity.at(-1)!.density;
}

/** Thresholds from the ZCTAs of the catalogue's states (unpopulated ones weigh nothing). */
export function marketTierThresholdsOf(
  zctas: readonly { readonly population: number; readonly density: number }[],
): MarketTierThresholds {
  return {
    premiumMinDensity: populationWeightedDensityPercentile(zctas, MARKET_TIER_PERCENTILES.premiumMinDensity),
    emergingBelowDensity: populationWeightedDensityPercentile(zctas, MARKET_TIER_PERCENTILES.emergingBelowDensity),
  };
}

/**
 * Tiers by how urban a ZCTA is, a quarter of US residents in PREMIUM (dense urban markets), half
 * in STANDARD (suburbs and towns), a quarter in EMERGING (rural and exurban). Size is left to the
 * expected count, so every tier has zipcodes big enough to be worth assigning.
 */
export function classifyMarketTier(density: number, thresholds: MarketTierThresholds): MarketTier {
  if (density >= thresholds.premiumMinDensity) return 'PREMIUM';
  if (density < thresholds.emergingBelowDensity) return 'EMERGING';
  return 'STANDARD';
}

/**
 * Prior estimate of active for-sale listings: population × 2.5 / 1,000 × the tier factor, rounded,
 * at least 1 for any populated ZCTA and at most `MAX_EXPECTED_LISTINGS`. Zero residents, zero
 * listings: such a ZCTA (business district, campus, park) is never selected.
 */
export function estimateExpectedListings(population: number, tier: MarketTier): number {
  if (!(population > 0)) return 0;
  const estimate = Math.round(population * LISTINGS_PER_RESIDENT * MARKET_TIER_LISTING_FACTOR[tier]);
  return Math.min(MAX_EXPECTED_LISTINGS, Math.max(1, estimate));
}

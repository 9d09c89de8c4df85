import { describe, expect, it } from 'vitest';
import {
  MAX_EXPECTED_LISTINGS,
  classifyMarketTier,
  estimateExpectedListings,
  marketTierThresholdsOf,
  populationWeightedDensityPercentile,
} from './market-model.js';

describe('populationWeightedDensityPercentile', () => {
  const zctas = [
    { population: 100, density: 10 },
    { population: 300, density: 1000 },
    { population: 100, density: 100 },
    { population: 0, density: 50_000 },
  ];

  it('returns the density the given share of residents lives at or below', () => {
    // Ascending density: 10 (100 people), 100 (100), 1000 (300); 500 people in all.
    expect(populationWeightedDensityPercentile(zctas, 0.2)).toBe(10);
    expect(populationWeightedDensityPercentile(zctas, 0.25)).toBe(100);
    expect(populationWeightedDensityPercentile(zctas, 0.4)).toBe(100);
    expect(populationWeightedDensityPercentile(zctas, 0.75)).toBe(1000);
  });

  it('ignores ZCTAs nobody lives in and rejects impossible shares', () => {
    expect(populationWeightedDensityPercentile(zctas, 1)).toBe(1000);
    expect(() => populationWeightedDensityPercentile(zctas, 1.5)).toThrow(RangeError);
    expect(() => populationWeightedDensityPercentile([{ population: 0, density: 1 }], 0.5)).toThrow(RangeError);
  });
});

describe('classifyMarketTier', () => {
  const thresholds = marketTierThresholdsOf([
    { population: 250, density: 10 },
    { population: 500, density: 500 },
    { population: 250, density: 5000 },
  ]);

  it('derives the cut-offs from the quartiles of residents', () => {
    // 25% of residents live at density 10 or less, 75% at 500 or less.
    expect(thresholds).toEqual({ premiumMinDensity: 500, emergingBelowDensity: 10 });
  });

  it('puts dense places in PREMIUM, sparse ones in EMERGING, the rest in STANDARD', () => {
    expect(classifyMarketTier(500, thresholds)).toBe('PREMIUM');
    expect(classifyMarketTier(499.9, thresholds)).toBe('STANDARD');
    expect(classifyMarketTier(10, thresholds)).toBe('STANDARD');
    expect(classifyMarketTier(9.9, thresholds)).toBe('EMERGING');
  });
});

describe('estimateExpectedListings', () => {
  it('is 2.5 listings per 1,000 residents times the tier factor', () => {
    expect(estimateExpectedListings(20_000, 'STANDARD')).toBe(50);
    expect(estimateExpectedListings(20_000, 'PREMIUM')).toBe(55);
    expect(estimateExpectedListings(20_000, 'EMERGING')).toBe(45);
  });

  it('is 0 without residents, at least 1 with any, and capped', () => {
    expect(estimateExpectedListings(0, 'PREMIUM')).toBe(0);
    expect(estimateExpectedListings(12, 'EMERGING')).toBe(1);
    expect(estimateExpectedListings(10_000_000, 'PREMIUM')).toBe(MAX_EXPECTED_LISTINGS);
  });
});

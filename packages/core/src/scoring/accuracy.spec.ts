import { describe, expect, it } from 'vitest';
import type { Listing } from '../listings/listing.js';
import {
  accuracySampleIndices,
  accuracySampleSeed,
  accuracySampleSize,
  accuracyScore,
  compareWithVerifiedListing,
} from './accuracy.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const EPOCH = '2025-10-01T16-00-00';
const NONCE = 'abcdef0123456789';

describe('accuracySampleSize (10%, min 5, max 50, never more than there are)', () => {
  it.each([
    [0, 0],
    [3, 3],
    [5, 5],
    [49, 5],
    [60, 6],
    [199, 19],
    [500, 50],
    [10_000, 50],
  ])('%i listings -> %i sampled', (population, size) => {
    expect(accuracySampleSize(population)).toBe(size);
  });
});

describe('accuracySampleSeed', () => {
  it('is SHA-256 of "{nonce}:{epochId}:{hotkey}" (checked with sha256sum)', () => {
    expect(accuracySampleSeed(NONCE, EPOCH, ALICE)).toBe(
      '6446c1d09092eac22803e47ba67cc129c5c8332f331f95dc3eae99708998936d',
    );
  });
});

describe('accuracySampleIndices', () => {
  const seed = accuracySampleSeed(NONCE, EPOCH, ALICE);

  it('matches an independent Python implementation of the documented draw', () => {
    // hashlib.sha256(seed + i.to_bytes(4, "big")).digest()[:8] as a big-endian integer, partial Fisher-Yates.
    expect(accuracySampleIndices(seed, 1000, 5)).toEqual([55, 79, 642, 663, 960]);
  });

  it('returns distinct ascending positions inside the population', () => {
    for (const population of [1, 7, 50, 51, 10_000]) {
      const size = accuracySampleSize(population);
      const indices = accuracySampleIndices(seed, population, size);
      expect(indices).toHaveLength(size);
      expect(new Set(indices).size).toBe(size);
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
      expect(indices.every((index) => index >= 0 && index < population)).toBe(true);
    }
  });

  it('takes everything when the sample is the whole population', () => {
    expect(accuracySampleIndices(seed, 4, 4)).toEqual([0, 1, 2, 3]);
  });

  it('differs between miners', () => {
    const other = accuracySampleSeed(NONCE, EPOCH, '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty');
    expect(accuracySampleIndices(other, 1000, 5)).not.toEqual(accuracySampleIndices(seed, 1000, 5));
  });

  it('spreads roughly uniformly', () => {
    // 2000 draws of 5 from 10: each position is chosen about half the time.
    const hits = new Array<number>(10).fill(0);
    for (let miner = 0; miner < 2000; miner++) {
      for (const index of accuracySampleIndices(accuracySampleSeed(NONCE, EPOCH, `m${miner}`), 10, 5))
        hits[index]! += 1;
    }
    for (const count of hits) {
      expect(count).toBeGreaterThan(900);
      expect(count).toBeLessThan(1100);
    }
  });

  it('refuses impossible requests', () => {
    expect(() => accuracySampleIndices(seed, 3, 4)).toThrow(RangeError);
    expect(() => accuracySampleIndices('xyz', 3, 1)).toThrow(RangeError);
  });
});

const LISTING: Listing = {
  address: '12 Main St., Springfield, IL 62701',
  zipcode: '62701',
  price: 250_000,
  bedrooms: 3,
  bathrooms: 2,
  sqft: 1500,
  listing_date: '2025-09-20',
  property_type: 'house',
  listing_status: 'active',
  days_on_market: 11,
  mls_id: 'MLS-1',
  source_url: 'https://www.example.com/homes/1',
  scraped_timestamp: '2025-10-01T16:30:00.000Z',
};

describe('compareWithVerifiedListing (tolerances)', () => {
  it('accepts values inside every tolerance', () => {
    const comparison = compareWithVerifiedListing(LISTING, {
      address: '12 main st springfield  IL 62701',
      price: 252_500, // 250,000 is 0.99% below
      sqft: 1530, // 1.96% off
      bathrooms: 2.5,
      listing_date: '2025-09-21',
      days_on_market: 13,
      listing_status: 'pending', // moved forward
      mls_id: 'MLS-1',
    });
    expect(comparison).toEqual({ accurate: true, mismatches: [] });
  });

  it('names every column outside its tolerance, in column order', () => {
    const comparison = compareWithVerifiedListing(LISTING, {
      zipcode: '62702',
      price: 240_000, // 4.2% off
      bedrooms: 4,
      sqft: 1400,
      bathrooms: 3,
      listing_date: '2025-09-18',
      property_type: 'condo',
      listing_status: 'active',
      days_on_market: 14,
      mls_id: 'MLS-2',
    });
    expect(comparison.accurate).toBe(false);
    expect(comparison.mismatches).toEqual([
      'zipcode',
      'price',
      'bedrooms',
      'bathrooms',
      'sqft',
      'listing_date',
      'property_type',
      'days_on_market',
      'mls_id',
    ]);
  });

  it('refuses a status that went backwards (sold -> active)', () => {
    expect(
      compareWithVerifiedListing({ ...LISTING, listing_status: 'sold' }, { listing_status: 'active' }).mismatches,
    ).toEqual(['listing_status']);
  });

  it('does not compare what the source does not say, nor a null the miner uploaded', () => {
    expect(compareWithVerifiedListing({ ...LISTING, sqft: null }, { sqft: 9999, bedrooms: null }).accurate).toBe(true);
  });

  it('treats a value of another type as a mismatch', () => {
    expect(compareWithVerifiedListing(LISTING, { price: '250000' }).mismatches).toEqual(['price']);
  });
});

describe('accuracyScore', () => {
  it('is accurate / sampled, unverifiable counting as not verified', () => {
    expect(accuracyScore({ sampled: 19, accurate: 18, notFound: 0, mismatched: 0, unverifiable: 1 })).toBe(0.947368);
    expect(accuracyScore({ sampled: 0, accurate: 0, notFound: 0, mismatched: 0, unverifiable: 0 })).toBe(0);
  });
});

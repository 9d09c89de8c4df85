import { describe, expect, it } from 'vitest';
import type { Listing } from '../listings/listing.js';
import { compareWithVerifiedListing } from './accuracy.js';

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

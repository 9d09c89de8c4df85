import { describe, expect, it } from 'vitest';
import type { Listing } from '../listings/listing.js';
import { dataQualityCheckOf, dataQualityScore, listingPlausibilityReasons } from './data-quality.js';
import { listingIdentityKey } from './listing-identity.js';

describe('dataQualityCheckOf', () => {
  it.each([
    ['missing_field:price', 'required_fields_present'],
    ['invalid_type:price', 'data_types_correct'],
    ['invalid_zipcode', 'data_types_correct'],
    ['invalid_source_url', 'data_types_correct'],
    ['invalid_scraped_timestamp', 'data_types_correct'],
    ['invalid_price', 'reasonable_values'],
    ['invalid_bedrooms', 'reasonable_values'],
    ['zipcode_not_assigned', 'reasonable_values'],
    ['implausible_price', 'reasonable_values'],
  ] as const)('%s counts against %s', (reason, check) => {
    expect(dataQualityCheckOf(reason)).toBe(check);
  });
});

describe('dataQualityScore (mean of four per-row checks)', () => {
  it('works an example by hand', () => {
    // 200 rows: 10 missing a field (0.95), 4 malformed (0.98), 6 duplicates (0.97), 20 unreasonable (0.9).
    // mean = (0.95 + 0.98 + 0.97 + 0.9) / 4 = 0.95
    expect(
      dataQualityScore({
        rows: 200,
        rowsMissingRequired: 10,
        rowsWithInvalidFormat: 4,
        duplicateRows: 6,
        rowsWithUnreasonableValues: 20,
      }),
    ).toEqual({
      score: 0.95,
      checks: { required_fields_present: 0.95, data_types_correct: 0.98, no_duplicates: 0.97, reasonable_values: 0.9 },
    });
  });

  it('is 0 for an empty upload', () => {
    expect(
      dataQualityScore({
        rows: 0,
        rowsMissingRequired: 0,
        rowsWithInvalidFormat: 0,
        duplicateRows: 0,
        rowsWithUnreasonableValues: 0,
      }).score,
    ).toBe(0);
  });
});

const LISTING: Listing = {
  address: '1 Elm St',
  zipcode: '10001',
  price: 500_000,
  bedrooms: 2,
  bathrooms: 1,
  sqft: 900,
  listing_date: '2025-09-01',
  property_type: 'condo',
  listing_status: 'active',
  days_on_market: 30,
  mls_id: null,
  source_url: 'https://example.com/1',
  scraped_timestamp: '2025-10-01T17:00:00Z',
};
const WINDOW = { epochStartMs: Date.parse('2025-10-01T16:00:00Z'), graceEndMs: Date.parse('2025-10-01T20:15:00Z') };

describe('listingPlausibilityReasons', () => {
  it('accepts a credible listing', () => {
    expect(listingPlausibilityReasons(LISTING, WINDOW)).toEqual([]);
  });

  it('flags values outside the bounds, in column order', () => {
    expect(
      listingPlausibilityReasons(
        {
          ...LISTING,
          price: 999,
          bedrooms: 101,
          bathrooms: 100.5,
          sqft: 200_001,
          listing_date: '2025-10-02',
          days_on_market: 36_501,
          scraped_timestamp: '2025-10-01T15:44:59Z',
        },
        WINDOW,
      ),
    ).toEqual([
      'implausible_price',
      'implausible_bedrooms',
      'implausible_bathrooms',
      'implausible_sqft',
      'implausible_listing_date',
      'implausible_days_on_market',
      'implausible_scraped_timestamp',
    ]);
  });

  it('keeps the bounds themselves plausible', () => {
    const edge = {
      ...LISTING,
      price: 1000,
      bedrooms: 100,
      listing_date: '2025-10-01',
      scraped_timestamp: '2025-10-01T15:45:00Z',
    };
    expect(listingPlausibilityReasons(edge, WINDOW)).toEqual([]);
    expect(listingPlausibilityReasons({ ...LISTING, scraped_timestamp: '2025-10-01T20:15:00.001Z' }, WINDOW)).toEqual([
      'implausible_scraped_timestamp',
    ]);
  });
});

describe('listingIdentityKey', () => {
  it('prefers the MLS id, then the URL, then the normalised address, with the status', () => {
    expect(listingIdentityKey({ mls_id: 'M1', source_url: 'u', address: 'a', listing_status: 'sold' })).toBe('M1|sold');
    expect(listingIdentityKey({ mls_id: null, source_url: 'u', address: 'a', listing_status: 'active' })).toBe(
      'u|active',
    );
    expect(listingIdentityKey({ mls_id: null, source_url: null, address: '1  Elm\tST', listing_status: null })).toBe(
      '1 elm st|',
    );
  });
});

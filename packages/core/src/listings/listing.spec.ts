import { describe, expect, it } from 'vitest';
import {
  isIsoUtcTimestamp,
  LISTING_COLUMN_NAMES,
  LISTING_COLUMNS,
  listingRejectReasons,
  listingSchema,
  validateListing,
  type Listing,
} from './listing.js';

const validListing: Listing = {
  address: '12 Elm Street, Cambridge, MA 02139',
  zipcode: '02139',
  price: 749_000,
  bedrooms: 3,
  bathrooms: 2.5,
  sqft: 1_650,
  listing_date: '2025-09-14',
  property_type: 'house',
  listing_status: 'active',
  days_on_market: 17,
  mls_id: 'MLS-73400123',
  source_url: 'https://www.realtor.com/realestateandhomes-detail/12-Elm-St_Cambridge_MA_02139_M12345-67890',
  scraped_timestamp: '2025-10-01T16:05:00.000Z',
};

const withField = (column: string, value: unknown): Record<string, unknown> => ({ ...validListing, [column]: value });

describe('LISTING_COLUMNS', () => {
  it('lists the thirteen §7 columns in file order', () => {
    expect(LISTING_COLUMN_NAMES).toEqual([
      'address',
      'zipcode',
      'price',
      'bedrooms',
      'bathrooms',
      'sqft',
      'listing_date',
      'property_type',
      'listing_status',
      'days_on_market',
      'mls_id',
      'source_url',
      'scraped_timestamp',
    ]);
  });

  it('agrees with the row schema on which columns accept null', () => {
    for (const column of LISTING_COLUMNS) {
      const acceptsNull = listingRejectReasons(withField(column.name, null)).length === 0;
      expect({ column: column.name, acceptsNull }).toEqual({ column: column.name, acceptsNull: column.nullable });
    }
  });

  it('describes the same columns as the row schema', () => {
    expect(Object.keys(listingSchema.shape)).toEqual(LISTING_COLUMN_NAMES);
  });
});

describe('validateListing', () => {
  it('accepts a complete listing and returns it typed', () => {
    expect(validateListing(validListing)).toEqual({ ok: true, listing: validListing });
  });

  it('accepts nulls in the nullable columns', () => {
    const sparse = { ...validListing, bedrooms: null, bathrooms: null, sqft: null, mls_id: null };
    expect(listingRejectReasons(sparse)).toEqual([]);
  });

  it('accepts every property type and status of the protocol', () => {
    for (const propertyType of ['house', 'condo', 'townhouse', 'multi_family', 'land', 'mobile', 'other']) {
      expect(listingRejectReasons(withField('property_type', propertyType))).toEqual([]);
    }
    for (const status of ['active', 'pending', 'sold']) {
      expect(listingRejectReasons(withField('listing_status', status))).toEqual([]);
    }
  });

  it('drops unknown keys, since files may carry more columns', () => {
    const result = validateListing({ ...validListing, lot_size: 5000 });
    expect(result.ok && 'lot_size' in result.listing).toBe(false);
  });

  it.each([
    // [column, value, reason]
    ['address', undefined, 'missing_field:address'],
    ['address', null, 'missing_field:address'],
    ['address', '   ', 'missing_field:address'],
    ['address', 12, 'invalid_type:address'],
    ['zipcode', '2139', 'invalid_zipcode'],
    ['zipcode', '02139-1234', 'invalid_zipcode'],
    ['zipcode', 2139, 'invalid_type:zipcode'],
    ['zipcode', '', 'missing_field:zipcode'],
    ['price', 0, 'invalid_price'],
    ['price', -5, 'invalid_price'],
    ['price', Infinity, 'invalid_price'],
    ['price', NaN, 'missing_field:price'],
    ['price', '749000', 'invalid_type:price'],
    ['price', null, 'missing_field:price'],
    ['bedrooms', -1, 'invalid_bedrooms'],
    ['bedrooms', 2.5, 'invalid_bedrooms'],
    ['bedrooms', 2 ** 31, 'invalid_bedrooms'],
    ['bedrooms', '3', 'invalid_type:bedrooms'],
    ['bedrooms', undefined, 'missing_field:bedrooms'],
    ['bathrooms', -0.5, 'invalid_bathrooms'],
    ['bathrooms', Infinity, 'invalid_bathrooms'],
    ['sqft', 0, 'invalid_sqft'],
    ['sqft', 1200.5, 'invalid_sqft'],
    ['listing_date', '2025-02-30', 'invalid_listing_date'],
    ['listing_date', '2023-02-29', 'invalid_listing_date'],
    ['listing_date', '2025-9-14', 'invalid_listing_date'],
    ['listing_date', '2025-09-14T00:00:00Z', 'invalid_listing_date'],
    ['listing_date', 20250914, 'invalid_type:listing_date'],
    ['property_type', 'castle', 'invalid_property_type'],
    ['property_type', 'House', 'invalid_property_type'],
    ['listing_status', 'withdrawn', 'invalid_listing_status'],
    ['listing_status', null, 'missing_field:listing_status'],
    ['days_on_market', -1, 'invalid_days_on_market'],
    ['days_on_market', 1.5, 'invalid_days_on_market'],
    ['days_on_market', null, 'missing_field:days_on_market'],
    ['mls_id', '', 'invalid_mls_id'],
    ['mls_id', 73400123, 'invalid_type:mls_id'],
    ['source_url', 'www.realtor.com/x', 'invalid_source_url'],
    ['source_url', 'ftp://realtor.com/x', 'invalid_source_url'],
    ['source_url', 'javascript:alert(1)', 'invalid_source_url'],
    ['scraped_timestamp', '2025-10-01T16:05:00', 'invalid_scraped_timestamp'],
    ['scraped_timestamp', '2025-10-01T18:05:00+02:00', 'invalid_scraped_timestamp'],
    ['scraped_timestamp', '2025-10-01', 'invalid_scraped_timestamp'],
    ['scraped_timestamp', '2025-02-30T00:00:00Z', 'invalid_scraped_timestamp'],
    ['scraped_timestamp', 1759334700, 'invalid_type:scraped_timestamp'],
  ])('rejects %s = %j with %s', (column, value, reason) => {
    expect(listingRejectReasons(withField(column, value))).toEqual([reason]);
  });

  it('lists every failing column once, in column order', () => {
    const row = { ...validListing, price: -1, zipcode: 'ABCDE', address: undefined, sqft: -3 };
    expect(listingRejectReasons(row)).toEqual([
      'missing_field:address',
      'invalid_zipcode',
      'invalid_price',
      'invalid_sqft',
    ]);
  });

  it('rejects a value that is not an object', () => {
    for (const row of [null, undefined, 'row', 42, []]) {
      expect(listingRejectReasons(row)).toEqual(['invalid_row']);
    }
  });

  it('flags a zipcode outside the assignment only when an assignment is given', () => {
    const assignedZipcodes = new Set(['10001', '60614']);
    expect(listingRejectReasons(validListing)).toEqual([]);
    expect(listingRejectReasons(validListing, { assignedZipcodes })).toEqual(['zipcode_not_assigned']);
    expect(listingRejectReasons({ ...validListing, zipcode: '10001' }, { assignedZipcodes })).toEqual([]);
  });

  it('counts an unassigned zipcode even when other columns also fail', () => {
    const assignedZipcodes = new Set(['10001']);
    expect(listingRejectReasons({ ...validListing, price: 0 }, { assignedZipcodes })).toEqual([
      'invalid_price',
      'zipcode_not_assigned',
    ]);
  });
});

describe('isIsoUtcTimestamp', () => {
  it.each([
    ['2025-10-01T16:05:00Z', true],
    ['2025-10-01T16:05:00.123Z', true],
    ['2025-10-01T16:05:00.123456+00:00', true],
    ['2024-02-29T23:59:59Z', true],
    ['2025-10-01T16:05:00', false],
    ['2025-10-01T16:05:00-05:00', false],
    ['2025-10-01 16:05:00Z', false],
    ['2025-10-01T25:00:00Z', false],
    ['2023-02-29T00:00:00Z', false],
    [1759334700, false],
  ])('%j -> %s', (value, expected) => {
    expect(isIsoUtcTimestamp(value)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import type { Listing } from '../listings/listing.js';
import type { VerifiedListingValues } from './accuracy.js';
import {
  compareWithClosedListing,
  daysSinceDay,
  defaultRecentlyClosedSince,
  recentlyClosedSince,
} from './closed-listings.js';

/** What a miner scraped on 2025-10-01 while the home was for sale. */
const SCRAPED: Listing = {
  address: '12 Main St, Springfield, IL 62701',
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
  source_url: 'https://www.realtor.com/realestateandhomes-detail/12-Main-St_Springfield_IL_62701_M1',
  scraped_timestamp: '2025-10-01T16:30:00.000Z',
};

/** The same home in the site's sold search on 2025-10-02: sale price, days on market stopped at the sale. */
const SOLD_NOW: VerifiedListingValues = { ...SCRAPED, price: 262_000, listing_status: 'sold', days_on_market: 12 };
const EPOCH_START_MS = Date.parse('2025-10-01T12:00:00Z');
const SINCE = recentlyClosedSince(EPOCH_START_MS);

describe('the recently-closed window', () => {
  it('starts the slack before the epoch began, and covers an epoch, its validation window and the slack by default', () => {
    expect(SINCE).toBe('2025-09-29');
    expect(defaultRecentlyClosedSince(Date.parse('2025-10-01T16:30:00Z'))).toBe('2025-09-29');
    expect(daysSinceDay('2025-09-29', Date.parse('2025-10-01T16:30:00Z'))).toBe(3);
    expect(daysSinceDay('2025-10-01', Date.parse('2025-10-01T00:00:00Z'))).toBe(1);
  });
});

describe('compareWithClosedListing', () => {
  it('verifies a row scraped for sale that sold during the epoch, against the asking price it had', () => {
    const closed = { status: 'sold', closedOn: '2025-10-02', listPrice: 250_000 } as const;
    expect(compareWithClosedListing(SCRAPED, SOLD_NOW, closed, SINCE)).toEqual({ accurate: true, mismatches: [] });
    // A wrong asking price is still a mismatch.
    expect(compareWithClosedListing({ ...SCRAPED, price: 200_000 }, SOLD_NOW, closed, SINCE).mismatches).toEqual([
      'price',
    ]);
  });

  it('does not compare the price when the site gives only the sale price', () => {
    const closed = { status: 'sold', closedOn: '2025-10-02', listPrice: null } as const;
    expect(compareWithClosedListing(SCRAPED, SOLD_NOW, closed, SINCE).accurate).toBe(true);
    // Every other column still is.
    expect(compareWithClosedListing({ ...SCRAPED, bedrooms: 5 }, SOLD_NOW, closed, SINCE).mismatches).toEqual([
      'bedrooms',
    ]);
  });

  it('refuses a row claiming for sale a home that had closed before the epoch began', () => {
    const closed = { status: 'sold', closedOn: '2025-09-20', listPrice: 250_000 } as const;
    expect(compareWithClosedListing(SCRAPED, SOLD_NOW, closed, SINCE)).toEqual({
      accurate: false,
      mismatches: ['listing_status'],
    });
    // Within the slack it is still the miner's honest view.
    const lateRecord = { ...closed, closedOn: '2025-09-30' };
    expect(compareWithClosedListing(SCRAPED, SOLD_NOW, lateRecord, SINCE).accurate).toBe(true);
  });

  it('compares a row claiming the sale as a sale, whenever it sold', () => {
    const closed = { status: 'sold', closedOn: '2025-09-01', listPrice: 250_000 } as const;
    const soldRow: Listing = { ...SCRAPED, listing_status: 'sold', price: 262_000, days_on_market: 12 };
    expect(compareWithClosedListing(soldRow, SOLD_NOW, closed, SINCE).accurate).toBe(true);
    expect(compareWithClosedListing({ ...soldRow, price: 250_000 }, SOLD_NOW, closed, SINCE).mismatches).toEqual([
      'price',
    ]);
  });

  it('takes a pending or withdrawn listing as one the miner saw for sale, but never as sold', () => {
    const pending = { status: 'pending', closedOn: null, listPrice: 250_000 } as const;
    const pendingNow = { ...SCRAPED, listing_status: 'pending' };
    expect(compareWithClosedListing(SCRAPED, pendingNow, pending, SINCE).accurate).toBe(true);
    const withdrawn = { status: 'off_market', closedOn: '2025-10-02', listPrice: 250_000 } as const;
    expect(compareWithClosedListing(SCRAPED, { ...SCRAPED }, withdrawn, SINCE).accurate).toBe(true);
    expect(
      compareWithClosedListing({ ...SCRAPED, listing_status: 'sold' }, { ...SCRAPED }, withdrawn, SINCE).mismatches,
    ).toEqual(['listing_status']);
    // A pending home claimed sold went backwards.
    expect(
      compareWithClosedListing({ ...SCRAPED, listing_status: 'sold' }, pendingNow, pending, SINCE).mismatches,
    ).toEqual(['listing_status']);
  });
});

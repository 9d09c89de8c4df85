import type { Listing } from './listing.js';

/**
 * 300 rows that drive every page layout the listings encoder has: a column of one value
 * (dictionary indexes of bit width 0), long runs (RLE), cycling values (bit-packed), all-null
 * columns, a -0 bathroom count (written PLAIN, since a dictionary would fold it into 0) and, with
 * `address`, multi-byte text.
 */
export function encodingEdgeListings(address: (index: number) => string): Listing[] {
  return Array.from({ length: 300 }, (_, index) => ({
    address: address(index),
    zipcode: index < 150 ? '62701' : '62702',
    price: 100_000 + index,
    bedrooms: index % 3 === 0 ? null : index % 5,
    bathrooms: index % 7 === 0 ? -0 : 1.5,
    sqft: null,
    listing_date: '2025-09-14',
    property_type: 'house',
    listing_status: 'active',
    days_on_market: index,
    mls_id: null,
    source_url: `https://example.com/listing/${index}`,
    scraped_timestamp: `2025-10-01T16:05:0${Math.floor(index / 100)}.000000Z`,
  }));
}

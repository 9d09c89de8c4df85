import type { Listing } from '@resi/core';

/** A valid listing in `zipcode`, distinct per `index`. */
export function sampleListing(zipcode: string, index: number, overrides: Partial<Listing> = {}): Listing {
  return {
    address: `${100 + index} Market St, Philadelphia, PA ${zipcode}`,
    zipcode,
    price: 250_000 + index * 1_000,
    bedrooms: 1 + (index % 4),
    bathrooms: 1 + (index % 3) * 0.5,
    sqft: 800 + index * 10,
    listing_date: '2025-09-15',
    property_type: 'house',
    listing_status: 'active',
    days_on_market: 16,
    mls_id: `PAPH${zipcode}${String(index).padStart(5, '0')}`,
    source_url: `https://example.test/listing/${zipcode}/${index}`,
    scraped_timestamp: '2025-10-01T16:05:00.000Z',
    ...overrides,
  };
}

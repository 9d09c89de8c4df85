import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { LISTING_COLUMN_NAMES, LISTING_STATUSES, PROPERTY_TYPES, type Listing } from './listing.js';
import { encodingEdgeListings } from './encoding-edges.test-utils.js';
import { encodeRleBitPackedHybrid } from './listings-parquet-encoder.js';
import { readListingsParquet, writeListingsParquet } from './parquet.js';

/**
 * The listings encoder writes Parquet pages itself; hyparquet's reader (the validator's and the
 * API's) decodes them here, pyarrow in parquet.pandas.spec.ts, DuckDB in the validator's tests.
 */

function decodeHybrid(bytes: Uint8Array, bitWidth: number, count: number): number[] {
  const output = new Array<number>(count);
  readRleBitPackedHybrid(
    { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 },
    bitWidth,
    output,
    bytes.byteLength,
  );
  return output;
}

describe('encodeRleBitPackedHybrid', () => {
  it('decodes to the values it was given, for every bit width, runs and stragglers alike', () => {
    const runs = fc.array(fc.tuple(fc.nat({ max: 2 ** 20 - 1 }), fc.integer({ min: 1, max: 40 })), { maxLength: 30 });
    fc.assert(
      fc.property(runs, fc.integer({ min: 0, max: 20 }), (pieces, extraBits) => {
        const values = pieces.flatMap(([value, length]) => Array.from({ length }, () => value));
        const largest = values.reduce((max, value) => Math.max(max, value), 0);
        const bitWidth = Math.min(20, (largest === 0 ? 0 : 32 - Math.clz32(largest)) + (extraBits % 3));
        const masked = values.map((value) => (bitWidth === 0 ? 0 : value % 2 ** bitWidth));
        expect(decodeHybrid(encodeRleBitPackedHybrid(masked, bitWidth), bitWidth, masked.length)).toEqual(masked);
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes a long run as one RLE run and a short mixed stretch bit-packed', () => {
    // RLE: header 1000 << 1 as a varint, then the value in one byte.
    expect([...encodeRleBitPackedHybrid(new Array<number>(1000).fill(5), 3)]).toEqual([0xd0, 0x0f, 5]);
    // One bit-packed group of eight: header (1 << 1) | 1, then 8 values x 1 bit.
    expect([...encodeRleBitPackedHybrid([1, 0, 1, 1, 0, 0, 0, 1], 1)]).toEqual([3, 0b10001101]);
    expect(encodeRleBitPackedHybrid([], 4)).toHaveLength(0);
  });
});

const listing = fc.record<Listing>({
  address: fc.oneof(
    fc.string({ minLength: 1, maxLength: 60 }).map((text) => `${text}1 Main St`),
    fc.constantFrom('1 Rue Général-Leclerc, Añasco', '12 Bahnhofstraße — Zürich', '7 🏠 Lane, 東京'),
  ),
  zipcode: fc.constantFrom('00610', '02139', '94110', '10001'),
  price: fc.oneof(fc.double({ min: 1, max: 1e9, noNaN: true }), fc.integer({ min: 1, max: 5_000_000 })),
  bedrooms: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }),
  bathrooms: fc.option(fc.oneof(fc.constantFrom(0, -0, 1, 1.5, 2.5), fc.double({ min: 0, max: 20, noNaN: true })), {
    nil: null,
  }),
  sqft: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: null }),
  listing_date: fc.constantFrom('2025-09-14', '2024-02-29', '2025-01-01'),
  property_type: fc.constantFrom(...PROPERTY_TYPES),
  listing_status: fc.constantFrom(...LISTING_STATUSES),
  days_on_market: fc.oneof(fc.constantFrom(0, 2 ** 31 - 1), fc.integer({ min: 0, max: 400 })),
  mls_id: fc.option(
    fc.string({ minLength: 1, maxLength: 20 }).map((text) => `M${text}`),
    { nil: null },
  ),
  source_url: fc.integer({ min: 0 }).map((id) => `https://www.realtor.com/realestateandhomes-detail/M${id}`),
  scraped_timestamp: fc.constantFrom('2025-10-01T16:05:00.000Z', '2025-10-01T16:05:01.123456Z'),
});

describe('writeListingsParquet, as hyparquet reads it back', () => {
  it('round-trips any valid listings, in any row group size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(listing, { maxLength: 120 }),
        fc.integer({ min: 1, max: 50 }),
        async (listings, rowGroupSize) => {
          const bytes = writeListingsParquet(listings, { rowGroupSize });
          expect((await readListingsParquet(bytes)).rows).toEqual(listings);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('dictionary-encodes repeating columns, writes distinct ones PLAIN, and round-trips both', async () => {
    const listings = encodingEdgeListings((index) => `${index} Main St, Springfield, IL 62701`);
    const bytes = writeListingsParquet(listings);
    const [group] = parquetMetadata(new Uint8Array(bytes).buffer).row_groups;
    const encodingsOf: Record<string, unknown> = Object.fromEntries(
      group!.columns.map((chunk) => [chunk.meta_data!.path_in_schema[0], chunk.meta_data!.encodings]),
    );
    expect(Object.keys(encodingsOf)).toEqual(LISTING_COLUMN_NAMES);
    expect(encodingsOf).toMatchObject({
      address: ['PLAIN'],
      zipcode: ['PLAIN', 'RLE_DICTIONARY'],
      price: ['PLAIN'],
      bedrooms: ['PLAIN', 'RLE_DICTIONARY', 'RLE'],
      // -0 and 0 would share a dictionary entry: written PLAIN instead.
      bathrooms: ['PLAIN', 'RLE'],
      sqft: ['PLAIN', 'RLE'],
      listing_status: ['PLAIN', 'RLE_DICTIONARY'],
      mls_id: ['PLAIN', 'RLE'],
    });
    const { rows } = await readListingsParquet(bytes);
    expect(rows).toEqual(listings);
    expect(Object.is(rows[0]!.bathrooms, -0)).toBe(true);
  });
});

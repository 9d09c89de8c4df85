import { gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ResiError } from '../errors.js';
import {
  LISTING_COLUMNS,
  isValidatedListing,
  listingRejectReasons,
  validateListing,
  type Listing,
  type ListingsFileRow,
} from './listing.js';
import {
  LISTINGS_FORMAT_METADATA_KEY,
  LISTINGS_ROW_GROUP_SIZE,
  readListingsParquet,
  writeListingsParquet,
} from './parquet.js';

const PROPERTY_TYPES = ['house', 'condo', 'townhouse', 'multi_family', 'land', 'mobile', 'other'] as const;
const STATUSES = ['active', 'pending', 'sold'] as const;

function sampleListing(index: number): Listing {
  const zipcode = ['02139', '10001', '60614'][index % 3]!;
  return {
    address: `${index + 1} Elm Street, Springfield ${zipcode}`,
    zipcode,
    price: 150_000 + index * 1_234.5,
    bedrooms: index % 4 === 0 ? null : index % 6,
    bathrooms: index % 5 === 0 ? null : 1 + (index % 4) * 0.5,
    sqft: index % 7 === 0 ? null : 500 + index * 3,
    listing_date: `2025-09-${String(1 + (index % 28)).padStart(2, '0')}`,
    property_type: PROPERTY_TYPES[index % PROPERTY_TYPES.length]!,
    listing_status: STATUSES[index % STATUSES.length]!,
    days_on_market: index % 200,
    mls_id: index % 3 === 0 ? null : `MLS-${700_000 + index}`,
    source_url: `https://www.realtor.com/realestateandhomes-detail/M${1_000_000 + index}`,
    scraped_timestamp: new Date(Date.UTC(2025, 9, 1, 16, 5, 0) + index * 1_000).toISOString(),
  };
}

const sampleListings = (count: number): Listing[] => Array.from({ length: count }, (_, index) => sampleListing(index));

/** Expects `action` to throw a ResiError with `code` whose details carry `reason`; returns it. */
async function expectResiError(action: () => unknown, reason?: string): Promise<ResiError> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ResiError);
  const error = thrown as ResiError;
  expect(error.code).toBe('VALIDATION_FAILED');
  if (reason !== undefined) expect(error.details?.reason).toBe(reason);
  return error;
}

/** A Parquet file as another writer might produce it: `columns` override or drop §7's columns. */
function foreignFile(
  listings: readonly Listing[],
  columns: Record<string, { schema: Omit<SchemaElement, 'name'>; data: unknown[] } | null>,
  options: { codec?: 'GZIP'; compressors?: Record<string, (input: Uint8Array) => Uint8Array> } = {},
): Uint8Array {
  const names = [...LISTING_COLUMNS.map((column) => column.name), ...Object.keys(columns)].filter(
    (name, index, all) => all.indexOf(name) === index && columns[name] !== null,
  );
  const schema: SchemaElement[] = [{ name: 'schema', num_children: names.length }];
  const columnData: ColumnSource[] = [];
  for (const name of names) {
    const override = columns[name];
    const spec = LISTING_COLUMNS.find((column) => column.name === name);
    schema.push(
      override
        ? { name, ...override.schema }
        : {
            name,
            type: spec!.physicalType,
            repetition_type: 'OPTIONAL',
            ...(spec!.convertedType ? { converted_type: spec!.convertedType } : {}),
          },
    );
    const data = override ? override.data : listings.map((listing) => listing[name as keyof Listing]);
    columnData.push({ name, data: data as ColumnSource['data'] });
  }
  return new Uint8Array(parquetWriteBuffer({ schema, columnData, ...options }));
}

describe('writeListingsParquet', () => {
  it('writes the §7 columns with their exact physical types, nullability and Snappy', () => {
    const metadata = parquetMetadata(writeListingsParquet(sampleListings(5)).buffer as ArrayBuffer);
    const columns = metadata.schema.slice(1).map((element) => ({
      name: element.name,
      type: element.type,
      convertedType: element.converted_type ?? null,
      nullable: element.repetition_type === 'OPTIONAL',
    }));
    expect(columns).toEqual(
      LISTING_COLUMNS.map((column) => ({
        name: column.name,
        type: column.physicalType,
        convertedType: column.convertedType,
        nullable: column.nullable,
      })),
    );
    const codecs = metadata.row_groups.flatMap((group) => group.columns.map((chunk) => chunk.meta_data?.codec));
    expect(new Set(codecs)).toEqual(new Set(['SNAPPY']));
    expect(metadata.key_value_metadata).toContainEqual({ key: LISTINGS_FORMAT_METADATA_KEY, value: '2.0' });
  });

  it('splits rows into row groups of the configured size', () => {
    const sizes = (bytes: Uint8Array) =>
      parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.map((group) => Number(group.num_rows));
    expect(sizes(writeListingsParquet(sampleListings(10), { rowGroupSize: 4 }))).toEqual([4, 4, 2]);
    expect(sizes(writeListingsParquet(sampleListings(10)))).toEqual([10]);
    expect(LISTINGS_ROW_GROUP_SIZE).toBeGreaterThanOrEqual(10_000);
    expect(() => writeListingsParquet([], { rowGroupSize: 0 })).toThrow(RangeError);
  });

  it('refuses a row that breaks §7, naming it and its reasons', async () => {
    const listings = sampleListings(3);
    listings[1] = { ...listings[1]!, bedrooms: 2.5, zipcode: '123' };
    const error = await expectResiError(() => writeListingsParquet(listings));
    expect(error.message).toContain('listing 1');
    expect(error.details).toEqual({ rowIndex: 1, reasons: ['invalid_zipcode', 'invalid_bedrooms'] });
  });

  it('takes listings validateListing returned as they are: frozen, they cannot have changed since', async () => {
    const checked = sampleListings(3).map((listing) => {
      const result = validateListing(listing);
      if (!result.ok) throw new Error('sample listings are valid');
      return result.listing;
    });
    expect(checked.every((listing) => isValidatedListing(listing) && Object.isFrozen(listing))).toBe(true);
    expect(() => {
      (checked[0] as { price: number }).price = -1;
    }).toThrow(TypeError);
    expect((await readListingsParquet(writeListingsParquet(checked))).rows).toEqual(checked);
    // A copy is a new row: checked again, and refused once it breaks §7.
    const copy = { ...checked[1]!, price: -1 };
    expect(isValidatedListing(copy)).toBe(false);
    expect((await expectResiError(() => writeListingsParquet([checked[0]!, copy]))).details).toEqual({
      rowIndex: 1,
      reasons: ['invalid_price'],
    });
  });
});

describe('readListingsParquet of our own files', () => {
  it('round-trips every value, nulls included', async () => {
    const listings = sampleListings(50);
    const contents = await readListingsParquet(writeListingsParquet(listings, { rowGroupSize: 16 }));
    expect(contents).toEqual({ rows: listings, schemaProblems: [], coercedColumns: [], extraColumns: [] });
  });

  it('reads a small file held in a pooled Node Buffer (a view into shared memory)', async () => {
    const file = writeListingsParquet(sampleListings(2));
    // Buffer.from copies small inputs into Node's shared pool, at a non-zero offset.
    const pooled = Buffer.from(file);
    expect(pooled.byteLength).toBeLessThan(pooled.buffer.byteLength);
    expect((await readListingsParquet(pooled)).rows).toEqual(sampleListings(2));
  });

  it('round-trips a listing with every nullable column null', async () => {
    const sparse: Listing = { ...sampleListing(1), bedrooms: null, bathrooms: null, sqft: null, mls_id: null };
    expect((await readListingsParquet(writeListingsParquet([sparse]))).rows).toEqual([sparse]);
  });

  it('round-trips the empty row set', async () => {
    const bytes = writeListingsParquet([]);
    expect(Number(parquetMetadata(bytes.buffer as ArrayBuffer).num_rows)).toBe(0);
    expect(await readListingsParquet(bytes)).toEqual({
      rows: [],
      schemaProblems: [],
      coercedColumns: [],
      extraColumns: [],
    });
  });

  it('keeps non-ASCII text intact', async () => {
    const listing: Listing = { ...sampleListing(2), address: '1 Calle Peñasco, Año Nuevo — 🏠 #2' };
    expect((await readListingsParquet(writeListingsParquet([listing]))).rows).toEqual([listing]);
  });

  it('reads a file held in a view into a larger buffer', async () => {
    const file = writeListingsParquet(sampleListings(3));
    const padded = new Uint8Array(file.byteLength + 10);
    padded.set(file, 5);
    expect((await readListingsParquet(padded.subarray(5, 5 + file.byteLength))).rows).toEqual(sampleListings(3));
  });
});

describe('readListingsParquet of bytes that are not Parquet', () => {
  const valid = writeListingsParquet(sampleListings(3));

  it.each([
    ['empty', new Uint8Array()],
    ['text', new TextEncoder().encode('address,zipcode,price\n1 Elm St,02139,500000\n')],
    ['JSON', new TextEncoder().encode('{"rows": []}')],
    ['only the magic', new TextEncoder().encode('PAR1PAR1')],
    ['truncated', valid.subarray(0, valid.byteLength - 100)],
  ])('rejects %s bytes as not Parquet', async (_label, bytes) => {
    const error = await expectResiError(() => readListingsParquet(bytes), 'not_parquet');
    expect(error.message).toMatch(/not Parquet/);
  });

  it('refuses a file claiming more rows than the cap', async () => {
    await expectResiError(() => readListingsParquet(valid, { maxRows: 2 }), 'too_many_rows');
    expect((await readListingsParquet(valid, { maxRows: 3 })).rows).toHaveLength(3);
  });

  it('rejects a file whose footer is garbage as unreadable', async () => {
    const corrupt = valid.slice();
    corrupt.fill(0xff, corrupt.byteLength - 60, corrupt.byteLength - 8);
    await expectResiError(() => readListingsParquet(corrupt), 'unreadable_parquet');
  });

  it('rejects a file whose column pages are garbage as unreadable', async () => {
    const corrupt = valid.slice();
    corrupt.fill(0x7f, 4, 200);
    await expectResiError(() => readListingsParquet(corrupt), 'unreadable_parquet');
  });
});

describe('readListingsParquet of files from other writers', () => {
  const listings = sampleListings(6);
  const valuesOf = (column: keyof Listing) => listings.map((listing) => listing[column]);

  it('accepts optional columns and gzip, and reports nothing', async () => {
    const bytes = foreignFile(listings, {}, { codec: 'GZIP', compressors: { GZIP: (input) => gzipSync(input) } });
    expect(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups[0]!.columns[0]!.meta_data?.codec).toBe('GZIP');
    expect(await readListingsParquet(bytes)).toEqual({
      rows: listings,
      schemaProblems: [],
      coercedColumns: [],
      extraColumns: [],
    });
  });

  it('converts INT64 integers and INT64 prices, and says so', async () => {
    const asInt64 = (values: unknown[]) => values.map((value) => (value === null ? null : BigInt(value as number)));
    const wholePrices = listings.map((listing) => ({ ...listing, price: Math.round(listing.price) }));
    const contents = await readListingsParquet(
      foreignFile(wholePrices, {
        price: {
          schema: { type: 'INT64', repetition_type: 'OPTIONAL' },
          data: asInt64(wholePrices.map((l) => l.price)),
        },
        bedrooms: { schema: { type: 'INT64', repetition_type: 'OPTIONAL' }, data: asInt64(valuesOf('bedrooms')) },
        days_on_market: {
          schema: { type: 'INT64', repetition_type: 'REQUIRED' },
          data: asInt64(valuesOf('days_on_market')),
        },
      }),
    );
    expect(contents.rows).toEqual(wholePrices);
    expect(contents.schemaProblems).toEqual([]);
    expect(contents.coercedColumns).toEqual([
      { column: 'price', found: 'INT64' },
      { column: 'bedrooms', found: 'INT64' },
      { column: 'days_on_market', found: 'INT64' },
    ]);
  });

  it('converts integers stored as doubles, NaN and null meaning no value', async () => {
    const sqft = [1200, NaN, null, 800.0, 2.5, 950];
    const contents = await readListingsParquet(
      foreignFile(listings, { sqft: { schema: { type: 'DOUBLE', repetition_type: 'OPTIONAL' }, data: sqft } }),
    );
    expect(contents.rows.map((row) => row.sqft)).toEqual([1200, null, null, 800, 2.5, 950]);
    expect(contents.coercedColumns).toEqual([{ column: 'sqft', found: 'DOUBLE' }]);
    // A fractional value survives reading so that validation, not the reader, rejects it.
    expect(listingRejectReasons(contents.rows[4])).toEqual(['invalid_sqft']);
  });

  it('converts DATE and TIMESTAMP columns to §7 strings', async () => {
    const dates = listings.map((listing) => new Date(`${listing.listing_date}T00:00:00Z`));
    const instants = listings.map((listing) => new Date(listing.scraped_timestamp));
    const contents = await readListingsParquet(
      foreignFile(listings, {
        listing_date: { schema: { type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' }, data: dates },
        scraped_timestamp: {
          schema: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', repetition_type: 'OPTIONAL' },
          data: instants,
        },
      }),
    );
    expect(contents.rows).toEqual(listings);
    expect(contents.coercedColumns).toEqual([
      { column: 'listing_date', found: 'INT32 (DATE)' },
      { column: 'scraped_timestamp', found: 'INT64 (TIMESTAMP_MICROS)' },
    ]);
  });

  it('lists extra columns such as the pandas index without returning them', async () => {
    const contents = await readListingsParquet(
      foreignFile(listings, {
        lot_size: { schema: { type: 'DOUBLE', repetition_type: 'OPTIONAL' }, data: listings.map(() => 0.25) },
        __index_level_0__: {
          schema: { type: 'INT64', repetition_type: 'OPTIONAL' },
          data: listings.map((_, i) => BigInt(i)),
        },
      }),
    );
    expect(contents.extraColumns).toEqual(['lot_size', '__index_level_0__']);
    expect(contents.rows).toEqual(listings);
  });

  it('reports a missing column and leaves its values null', async () => {
    const contents = await readListingsParquet(foreignFile(listings, { mls_id: null, price: null }));
    expect(contents.schemaProblems).toEqual([
      { code: 'missing_column', column: 'price', message: 'column price is missing' },
      { code: 'missing_column', column: 'mls_id', message: 'column mls_id is missing' },
    ]);
    expect(contents.rows).toEqual(listings.map((listing) => ({ ...listing, price: null, mls_id: null })));
    expect(listingRejectReasons(contents.rows[0])).toEqual(['missing_field:price']);
  });

  it('reports a column whose type does not convert, without throwing', async () => {
    const contents = await readListingsParquet(
      foreignFile(listings, {
        zipcode: {
          schema: { type: 'INT32', repetition_type: 'OPTIONAL' },
          data: listings.map((l) => Number(l.zipcode)),
        },
        price: {
          schema: { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          data: valuesOf('price').map(String),
        },
        bathrooms: { schema: { type: 'BOOLEAN', repetition_type: 'OPTIONAL' }, data: listings.map(() => true) },
        scraped_timestamp: {
          schema: { type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
          data: listings.map(() => new Date('2025-10-01T00:00:00Z')),
        },
      }),
    );
    expect(
      contents.schemaProblems.map((problem) => ({
        code: problem.code,
        column: problem.column,
        found: 'found' in problem ? problem.found : undefined,
      })),
    ).toEqual([
      { code: 'wrong_column_type', column: 'zipcode', found: 'INT32' },
      { code: 'wrong_column_type', column: 'price', found: 'BYTE_ARRAY (UTF8)' },
      { code: 'wrong_column_type', column: 'bathrooms', found: 'BOOLEAN' },
      { code: 'wrong_column_type', column: 'scraped_timestamp', found: 'INT32 (DATE)' },
    ]);
    expect(contents.schemaProblems[0]!.message).toBe(
      'column zipcode is stored as INT32, which does not convert to BYTE_ARRAY (UTF8)',
    );
    const expected: ListingsFileRow[] = listings.map((listing) => ({
      ...listing,
      zipcode: null,
      price: null,
      bathrooms: null,
      scraped_timestamp: null,
    }));
    expect(contents.rows).toEqual(expected);
  });

  it('returns nulls in required columns of optional-typed files for validation to reject', async () => {
    const contents = await readListingsParquet(
      foreignFile(listings, {
        address: {
          schema: { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          data: [null, ...valuesOf('address').slice(1)],
        },
      }),
    );
    expect(contents.schemaProblems).toEqual([]);
    expect(contents.rows[0]!.address).toBeNull();
    expect(listingRejectReasons(contents.rows[0])).toEqual(['missing_field:address']);
  });
});

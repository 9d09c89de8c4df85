import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { LISTING_COLUMNS } from './listing.js';
import { inspectListingsParquetSchema, writeListingsParquet } from './parquet.js';

const LISTING = {
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
} as const;

const footerOf = (bytes: Uint8Array) => parquetMetadata(bytes.slice().buffer);

describe('inspectListingsParquetSchema', () => {
  it('finds every column native in a file we wrote', () => {
    const inspection = inspectListingsParquetSchema(footerOf(writeListingsParquet([LISTING])));
    expect(inspection.schemaProblems).toEqual([]);
    expect(inspection.coercedColumns).toEqual([]);
    expect(inspection.columns.map((entry) => [entry.column.name, entry.kind])).toEqual(
      LISTING_COLUMNS.map((column) => [
        column.name,
        column.physicalType === 'BYTE_ARRAY' ? 'text' : column.physicalType === 'DOUBLE' ? 'float' : 'integer',
      ]),
    );
  });

  it('reports missing and unconvertible columns, coercions and extras without reading rows', () => {
    // price as text (wrong), bedrooms as a double (pandas' NaN-holding ints), sqft missing, one extra column.
    const columns = LISTING_COLUMNS.filter((column) => column.name !== 'sqft');
    const bytes = parquetWriteBuffer({
      columnData: [
        ...columns.map((column) => {
          if (column.name === 'price') return { name: 'price', data: ['500000'], type: 'STRING' as const };
          if (column.name === 'bedrooms') return { name: 'bedrooms', data: [2], type: 'DOUBLE' as const };
          const value = LISTING[column.name];
          return {
            name: column.name,
            data: [value],
            type: column.physicalType === 'BYTE_ARRAY' ? ('STRING' as const) : column.physicalType,
          };
        }),
        { name: '__index_level_0__', data: [BigInt(0)], type: 'INT64' as const },
      ],
    });
    const inspection = inspectListingsParquetSchema(footerOf(new Uint8Array(bytes)));
    expect(inspection.schemaProblems.map((problem) => [problem.code, problem.column])).toEqual([
      ['wrong_column_type', 'price'],
      ['missing_column', 'sqft'],
    ]);
    expect(inspection.coercedColumns).toEqual([{ column: 'bedrooms', found: 'DOUBLE' }]);
    expect(inspection.extraColumns).toEqual(['__index_level_0__']);
    expect(inspection.columns.find((entry) => entry.column.name === 'bedrooms')?.kind).toBe('float');
  });
});

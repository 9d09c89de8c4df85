import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePythonVenv, runPythonJson } from '../../test/python/python-venv.js';
import { LISTING_COLUMNS, type Listing } from './listing.js';
import { readListingsParquet, writeListingsParquet } from './parquet.js';
import { encodingEdgeListings } from './encoding-edges.test-utils.js';

/**
 * PROTOCOL.md §7: pandas/pyarrow must read our listings.parquet with the §7 dtypes, and a file a
 * Python miner writes with pandas must be accepted. Checked against real pandas and pyarrow.
 */

const venv = preparePythonVenv(['pandas', 'pyarrow']);
if (!venv.ok) console.warn(`[listings pandas interop] skipped: ${venv.reason}`);

const SCRIPT = fileURLToPath(new URL('../../test/python/listings_interop.py', import.meta.url));

interface FileDescription {
  readonly arrow: Record<string, { readonly type: string; readonly nullable: boolean }>;
  readonly codecs: string[];
  readonly pandas_dtypes: Record<string, string>;
  readonly pandas_is_string: Record<string, boolean>;
  readonly pandas_nullable_dtypes: Record<string, string>;
  readonly rows: Record<string, unknown>[];
}

interface InteropResult {
  readonly versions: { readonly pandas: string; readonly pyarrow: string };
  readonly files: Record<string, FileDescription>;
}

const PROPERTY_TYPES = ['house', 'condo', 'townhouse', 'multi_family', 'land', 'mobile', 'other'] as const;
const STATUSES = ['active', 'pending', 'sold'] as const;

const listings: Listing[] = Array.from({ length: 40 }, (_, index) => ({
  address: `${index + 1} Harbor View Road, Unit ${index % 5} — Añasco`,
  zipcode: ['00610', '02139', '94110'][index % 3]!,
  price: index % 2 === 0 ? 325_000 + index * 1_000 : 325_000.5 + index,
  bedrooms: index % 4 === 0 ? null : index % 6,
  bathrooms: index % 5 === 0 ? null : 1 + (index % 3) * 0.5,
  sqft: index % 6 === 0 ? null : 700 + index * 11,
  listing_date: `2025-08-${String(1 + (index % 31)).padStart(2, '0')}`,
  property_type: PROPERTY_TYPES[index % PROPERTY_TYPES.length]!,
  listing_status: STATUSES[index % STATUSES.length]!,
  days_on_market: (index * 7) % 365,
  mls_id: index % 3 === 0 ? null : `PR-${90_000 + index}`,
  source_url: `https://www.zillow.com/homedetails/${index}_zpid/`,
  scraped_timestamp: new Date(Date.UTC(2025, 9, 1, 16, 5, 0) + index * 61_000).toISOString(),
}));

/** Every page layout the encoder has, with multi-byte text. */
const encodingEdges = encodingEdgeListings((index) => `${index} Bahnhofstraße — Zürich 🏠`);

const PANDAS_FILES = [
  { name: 'snappy', variant: 'plain', compression: 'snappy' },
  { name: 'gzip', variant: 'plain', compression: 'gzip' },
  { name: 'zstd', variant: 'plain', compression: 'zstd' },
  { name: 'brotli', variant: 'plain', compression: 'brotli' },
  { name: 'lz4', variant: 'plain', compression: 'lz4' },
  { name: 'uncompressed', variant: 'plain', compression: null },
  { name: 'index', variant: 'index', compression: 'snappy' },
  { name: 'nullable-dtypes', variant: 'nullable_dtypes', compression: 'snappy' },
  { name: 'large-string-categorical', variant: 'large_string_categorical', compression: 'snappy' },
  { name: 'datetimes', variant: 'datetimes', compression: 'snappy' },
] as const;

/** The codec names pyarrow's metadata reports for each `to_parquet(compression=...)`. */
const PYARROW_CODEC_NAMES: Record<string, string> = {
  snappy: 'SNAPPY',
  gzip: 'GZIP',
  zstd: 'ZSTD',
  brotli: 'BROTLI',
  lz4: 'LZ4',
  uncompressed: 'UNCOMPRESSED',
};

describe.skipIf(!venv.ok)('listings.parquet and pandas/pyarrow', () => {
  let directory: string;
  let result: InteropResult;
  const ours = () => join(directory, 'ours.parquet');
  const oursEdges = () => join(directory, 'ours-encoding-edges.parquet');
  const pandasPath = (name: string) => join(directory, `pandas-${name}.parquet`);

  beforeAll(() => {
    if (!venv.ok) return;
    directory = mkdtempSync(join(tmpdir(), 'resi-listings-pandas-'));
    writeFileSync(ours(), writeListingsParquet(listings, { rowGroupSize: 16 }));
    writeFileSync(oursEdges(), writeListingsParquet(encodingEdges, { rowGroupSize: 128 }));
    result = runPythonJson<InteropResult>(venv, SCRIPT, {
      describe: [ours(), oursEdges()],
      write: PANDAS_FILES.map(({ name, variant, compression }) => ({
        path: pandasPath(name),
        rows: listings,
        variant,
        compression,
      })),
    });
  });

  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  describe('pandas reading our file', () => {
    const described = () => result.files[ours()]!;

    it('sees the §7 types and nullability in the pyarrow schema', () => {
      const arrowTypeOf = { BYTE_ARRAY: 'string', DOUBLE: 'double', INT32: 'int32' } as const;
      expect(described().arrow).toEqual(
        Object.fromEntries(
          LISTING_COLUMNS.map((column) => [
            column.name,
            { type: arrowTypeOf[column.physicalType], nullable: column.nullable },
          ]),
        ),
      );
      expect(described().codecs).toEqual(['SNAPPY']);
    });

    it('loads text as strings, doubles as float64 and INT32 as int32 (Int32 with nulls)', () => {
      const { pandas_dtypes: dtypes, pandas_is_string: isString, pandas_nullable_dtypes: nullableDtypes } = described();
      for (const column of LISTING_COLUMNS) {
        const seen = { column: column.name, dtype: dtypes[column.name], nullable: nullableDtypes[column.name] };
        if (column.physicalType === 'BYTE_ARRAY') {
          expect({ column: column.name, isString: isString[column.name] }).toEqual({
            column: column.name,
            isString: true,
          });
        } else if (column.physicalType === 'DOUBLE') {
          expect(seen).toEqual({ column: column.name, dtype: 'float64', nullable: 'Float64' });
        } else {
          // numpy has no integer NaN, so pandas' default loads a nullable int32 holding nulls as float64.
          expect(seen).toEqual({
            column: column.name,
            dtype: column.nullable ? 'float64' : 'int32',
            nullable: 'Int32',
          });
        }
      }
    });

    it('reads the same values', () => {
      expect(described().rows).toEqual(listings);
    });

    it('reads every page layout our encoder writes', () => {
      const edges = result.files[oursEdges()]!;
      expect(edges.codecs).toEqual(['SNAPPY']);
      expect(edges.rows).toEqual(encodingEdges);
      expect(Object.is(edges.rows[0]!.bathrooms, -0)).toBe(true);
    });
  });

  describe('our reader on files pandas wrote', () => {
    it.each(PANDAS_FILES.map((file) => [file.name, file] as const))('accepts %s', async (name, file) => {
      const description = result.files[pandasPath(name)]!;
      expect(description.codecs).toEqual([PYARROW_CODEC_NAMES[file.compression ?? 'uncompressed']]);
      const contents = await readListingsParquet(readFileSync(pandasPath(name)));
      expect(contents.schemaProblems).toEqual([]);
      expect(contents.rows).toEqual(listings);
      expect(contents.extraColumns).toEqual(file.variant === 'index' ? ['__index_level_0__'] : []);
    });

    it('reports what pandas stores differently from §7 as coercions', async () => {
      const plain = await readListingsParquet(readFileSync(pandasPath('snappy')));
      expect(plain.coercedColumns).toEqual([
        { column: 'bedrooms', found: 'DOUBLE' },
        { column: 'sqft', found: 'DOUBLE' },
        { column: 'days_on_market', found: 'INT64' },
      ]);
      const datetimes = await readListingsParquet(readFileSync(pandasPath('datetimes')));
      expect(datetimes.coercedColumns.map((coercion) => coercion.column)).toEqual([
        'bedrooms',
        'sqft',
        'listing_date',
        'days_on_market',
        'scraped_timestamp',
      ]);
    });
  });
});

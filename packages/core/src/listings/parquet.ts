import { parquetMetadata, parquetRead, parquetSchema, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ResiError } from '../errors.js';
import {
  LISTING_COLUMNS,
  isValidatedListing,
  validateListing,
  type Listing,
  type ListingColumnName,
  type ListingColumnSpec,
  type ListingsFileRow,
} from './listing.js';
import { encodeListingsParquet } from './listings-parquet-encoder.js';
import { DATA_FORMAT_VERSION } from './metadata.js';

/**
 * Rows per row group. An epoch's file holds ~10k–100k rows: 50k keeps a 100k-row file in two
 * groups that DuckDB can scan in parallel, while each group stays large enough for dictionaries
 * and Snappy to compress well and small enough (a few MB) to decode without memory spikes.
 */
export const LISTINGS_ROW_GROUP_SIZE = 50_000;

/** Key of the Parquet key-value metadata entry recording the data format version. */
export const LISTINGS_FORMAT_METADATA_KEY = 'resi.data_format_version';

/** Options for {@link writeListingsParquet}. */
export interface ListingsParquetWriteOptions {
  /** Rows per row group; defaults to {@link LISTINGS_ROW_GROUP_SIZE}. */
  readonly rowGroupSize?: number;
}

/**
 * Encodes listings as `listings.parquet` (PROTOCOL.md §7): the columns of `LISTING_COLUMNS` in
 * order with their exact physical types (UTF8 strings, DOUBLE, INT32), `REQUIRED` except the
 * nullable columns, Snappy-compressed, in row groups of {@link LISTINGS_ROW_GROUP_SIZE}; each
 * column chunk one page, dictionary-encoded where that is smaller. No min/max statistics: every
 * reader of these files scans them whole, and computing them was a fifth of the write time.
 *
 * Every row is checked first, because the file must never break §7 (an INT32 column would
 * silently truncate a fractional or oversized number), and written as the check returns it. Rows
 * `validateListing` returned (see `isValidatedListing`) were checked already and are taken as
 * they are.
 * @throws ResiError `VALIDATION_FAILED` naming the first invalid row and its reject reasons.
 */
export function writeListingsParquet(
  listings: readonly Listing[],
  options: ListingsParquetWriteOptions = {},
): Uint8Array {
  const rowGroupSize = options.rowGroupSize ?? LISTINGS_ROW_GROUP_SIZE;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new RangeError(`rowGroupSize must be a positive integer; got ${rowGroupSize}`);
  }
  const rows: Listing[] = new Array<Listing>(listings.length);
  listings.forEach((listing, rowIndex) => {
    if (isValidatedListing(listing)) {
      rows[rowIndex] = listing;
      return;
    }
    const result = validateListing(listing);
    if (!result.ok) {
      throw new ResiError('VALIDATION_FAILED', `listing ${rowIndex} cannot be written: ${result.reasons.join(', ')}`, {
        rowIndex,
        reasons: result.reasons,
      });
    }
    rows[rowIndex] = result.listing;
  });
  return encodeListingsParquet(rows, {
    rowGroupSize,
    keyValueMetadata: [{ key: LISTINGS_FORMAT_METADATA_KEY, value: DATA_FORMAT_VERSION }],
    createdBy: 'resi',
  });
}

/**
 * A way the file's columns break §7 that no lossless conversion repairs. The column's values
 * are then null in every returned row, so each row also fails with `missing_field:<column>`.
 */
export type ListingsSchemaProblem =
  | { readonly code: 'missing_column'; readonly column: ListingColumnName; readonly message: string }
  | {
      readonly code: 'wrong_column_type';
      readonly column: ListingColumnName;
      /** The stored type, e.g. `BOOLEAN` or `INT64 (TIMESTAMP_MICROS)`. */
      readonly found: string;
      readonly message: string;
    };

/** A column stored with another type than §7's that was converted without loss (e.g. pandas' INT64). */
export interface ListingsColumnCoercion {
  readonly column: ListingColumnName;
  /** The stored type, e.g. `INT64` or `DOUBLE`. */
  readonly found: string;
}

/**
 * Default cap on the rows {@link readListingsParquet} decodes: ten times a large epoch's file.
 * Files come from untrusted miners and a tiny file can claim billions of (run-length) rows.
 */
export const LISTINGS_MAX_ROWS = 1_000_000;

/** Options for {@link readListingsParquet}. */
export interface ListingsParquetReadOptions {
  /** Refuse files claiming more rows than this; defaults to {@link LISTINGS_MAX_ROWS}. */
  readonly maxRows?: number;
}

/** What {@link readListingsParquet} found in a listings file. */
export interface ListingsParquetContents {
  /** Every row of the file, with the §7 columns only; values not yet checked against §7's rules. */
  readonly rows: ListingsFileRow[];
  readonly schemaProblems: ListingsSchemaProblem[];
  readonly coercedColumns: ListingsColumnCoercion[];
  /** Columns beyond §7's (allowed), including pandas' `__index_level_0__`; not returned in rows. */
  readonly extraColumns: string[];
}

/** How a column's values are stored, as far as reading listings is concerned. */
type StoredKind = ListingsStoredKind | 'unsupported';

const INTEGER_ANNOTATIONS: ReadonlySet<string | undefined> = new Set([
  undefined,
  'INT_8',
  'INT_16',
  'INT_32',
  'INT_64',
  'UINT_8',
  'UINT_16',
  'UINT_32',
  'UINT_64',
]);

function storedKindOf(element: SchemaElement, isGroup: boolean): StoredKind {
  if (isGroup || element.repetition_type === 'REPEATED') return 'unsupported';
  const converted = element.converted_type;
  const logical = element.logical_type?.type;
  switch (element.type) {
    case 'BYTE_ARRAY':
      // pyarrow writes `string` and `large_string` alike as UTF8; unannotated bytes are read as UTF-8 text.
      return [undefined, 'UTF8', 'ENUM'].includes(converted) && [undefined, 'STRING', 'ENUM'].includes(logical)
        ? 'text'
        : 'unsupported';
    case 'INT32':
    case 'INT64':
      if (converted === 'DATE' || logical === 'DATE') return element.type === 'INT32' ? 'date' : 'unsupported';
      if (converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || logical === 'TIMESTAMP') {
        return 'timestamp';
      }
      return INTEGER_ANNOTATIONS.has(converted) && (logical === undefined || logical === 'INTEGER')
        ? 'integer'
        : 'unsupported';
    case 'INT96':
      return 'timestamp';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    default:
      return 'unsupported';
  }
}

function describeStoredType(element: SchemaElement, isGroup: boolean): string {
  if (isGroup) return 'group';
  const annotation = element.logical_type?.type ?? element.converted_type;
  const base = element.type ?? 'unknown';
  const repeated = element.repetition_type === 'REPEATED' ? 'repeated ' : '';
  return `${repeated}${annotation === undefined ? base : `${base} (${annotation})`}`;
}

/** The stored kind a §7 column is written as. */
function nativeKindOf(column: ListingColumnSpec): StoredKind {
  if (column.physicalType === 'BYTE_ARRAY') return 'text';
  return column.physicalType === 'DOUBLE' ? 'float' : 'integer';
}

/** Stored kinds each column accepts beyond its own, because pandas writes them for plain data. */
const LOSSLESS_ALTERNATIVES: Readonly<Partial<Record<ListingColumnName, readonly StoredKind[]>>> = {
  listing_date: ['date', 'timestamp'],
  scraped_timestamp: ['timestamp'],
};

function acceptedKinds(column: ListingColumnSpec): readonly StoredKind[] {
  switch (nativeKindOf(column)) {
    // Integers as doubles: pandas stores an int column holding None as float64.
    case 'integer':
      return ['integer', 'float'];
    // Doubles as integers: pandas stores whole-dollar prices as int64.
    case 'float':
      return ['float', 'integer'];
    default:
      return ['text', ...(LOSSLESS_ALTERNATIVES[column.name as ListingColumnName] ?? [])];
  }
}

type ValueConverter = (value: unknown) => string | number | null;

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function converterFor(column: ListingColumnSpec, kind: StoredKind): ValueConverter {
  switch (kind) {
    case 'text':
      return (value) => (typeof value === 'string' ? value : null);
    case 'integer':
    case 'float':
      return (value) => {
        const number = typeof value === 'bigint' ? Number(value) : value;
        // pandas writes a missing number as NaN; it means "no value", as null does.
        return typeof number === 'number' && !Number.isNaN(number) ? number : null;
      };
    case 'date':
    case 'timestamp':
      // Naive timestamps (pandas' default datetime64) are taken as UTC: §7 has no other zone.
      return column.name === 'listing_date'
        ? (value) => (isValidDate(value) ? value.toISOString().slice(0, 10) : null)
        : (value) => (isValidDate(value) ? value.toISOString() : null);
    default:
      return () => null;
  }
}

/** How a listings file stores its values, as far as reading them goes (see {@link inspectListingsParquetSchema}). */
export type ListingsStoredKind = 'text' | 'integer' | 'float' | 'date' | 'timestamp';

/** A §7 column a file stores readably, and how. */
export interface ListingsReadableColumn {
  readonly column: ListingColumnSpec;
  readonly kind: ListingsStoredKind;
}

/** What a file's schema says about its §7 columns. */
export interface ListingsSchemaInspection {
  /** The §7 columns stored in a readable kind, in §7 order. */
  readonly columns: ListingsReadableColumn[];
  readonly schemaProblems: ListingsSchemaProblem[];
  readonly coercedColumns: ListingsColumnCoercion[];
  readonly extraColumns: string[];
}

/**
 * Checks a listings file's schema (its footer alone) against §7 with the rules of
 * {@link readListingsParquet}: which columns are missing or stored in a kind that does not
 * convert, which convert without loss, which are extra. Validators that scan many files with SQL
 * use it to refuse a file, or to cast each column, without decoding a row.
 */
export function inspectListingsParquetSchema(metadata: FileMetaData): ListingsSchemaInspection {
  const storedColumns = new Map(parquetSchema(metadata).children.map((node) => [node.element.name, node] as const));
  const columns: ListingsReadableColumn[] = [];
  const schemaProblems: ListingsSchemaProblem[] = [];
  const coercedColumns: ListingsColumnCoercion[] = [];
  for (const column of LISTING_COLUMNS) {
    const stored = storedColumns.get(column.name);
    if (stored === undefined) {
      schemaProblems.push({ code: 'missing_column', column: column.name, message: `column ${column.name} is missing` });
      continue;
    }
    const isGroup = stored.children.length > 0;
    const kind = storedKindOf(stored.element, isGroup);
    const found = describeStoredType(stored.element, isGroup);
    if (kind === 'unsupported' || !acceptedKinds(column).includes(kind)) {
      const expected = column.convertedType ? `${column.physicalType} (${column.convertedType})` : column.physicalType;
      schemaProblems.push({
        code: 'wrong_column_type',
        column: column.name,
        found,
        message: `column ${column.name} is stored as ${found}, which does not convert to ${expected}`,
      });
      continue;
    }
    if (stored.element.type !== column.physicalType || kind !== nativeKindOf(column)) {
      coercedColumns.push({ column: column.name, found });
    }
    columns.push({ column, kind });
  }
  const known: ReadonlySet<string> = new Set(LISTING_COLUMNS.map((column) => column.name));
  const extraColumns = [...storedColumns.keys()].filter((name) => !known.has(name));
  return { columns, schemaProblems, coercedColumns, extraColumns };
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

function hasParquetMagic(bytes: Uint8Array): boolean {
  // Magic at both ends plus at least a 4-byte footer length: the smallest a Parquet file can be.
  if (bytes.byteLength < 12) return false;
  const tail = bytes.byteLength - 4;
  return PARQUET_MAGIC.every((byte, index) => bytes[index] === byte && bytes[tail + index] === byte);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    return buffer;
  }
  // A copy into a buffer of its own. Not `bytes.slice()`: on a Node Buffer that is a view of the
  // shared allocation pool, whose `.buffer` holds other data around the file.
  return new Uint8Array(bytes).buffer;
}

function unreadable(detail: string, cause: unknown): ResiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ResiError('VALIDATION_FAILED', `listings file is not readable Parquet: ${detail}: ${reason}`, {
    reason: 'unreadable_parquet',
  });
}

interface ColumnPlan {
  readonly column: ListingColumnSpec;
  readonly convert: ValueConverter;
  /** The column's values by row index, filled as row groups decode. */
  readonly values: (string | number | null)[];
}

/**
 * Decodes a listings file written by us or by pandas/pyarrow: any codec pyarrow offers (Snappy,
 * gzip, zstd, brotli, lz4), dictionary or plain encoding, required or optional columns, integers
 * of any width, integers stored as doubles (pandas' NaN-holding int columns) and doubles as
 * integers, and DATE/TIMESTAMP columns for `listing_date`/`scraped_timestamp`.
 *
 * Columns that break §7 beyond that are reported in `schemaProblems`, never thrown, so a
 * validator can score a half-right file. Rows are returned unvalidated: run `validateListing`.
 * @throws ResiError `VALIDATION_FAILED` when the bytes are not Parquet (`details.reason`
 * `not_parquet`), cannot be decoded (`unreadable_parquet`) or hold more than `maxRows` rows
 * (`too_many_rows`).
 */
export async function readListingsParquet(
  bytes: Uint8Array,
  options: ListingsParquetReadOptions = {},
): Promise<ListingsParquetContents> {
  if (!hasParquetMagic(bytes)) {
    throw new ResiError(
      'VALIDATION_FAILED',
      'listings file is not Parquet: it does not begin and end with the magic bytes "PAR1"',
      { reason: 'not_parquet' },
    );
  }
  const file = arrayBufferOf(bytes);
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
  } catch (error) {
    throw unreadable('its footer does not decode', error);
  }

  const rowCount = Number(metadata.num_rows);
  const maxRows = options.maxRows ?? LISTINGS_MAX_ROWS;
  if (!Number.isSafeInteger(rowCount) || rowCount < 0 || rowCount > maxRows) {
    throw new ResiError('VALIDATION_FAILED', `listings file claims ${rowCount} rows; at most ${maxRows} are read`, {
      reason: 'too_many_rows',
    });
  }

  const inspection = inspectListingsParquetSchema(metadata);
  const plans = new Map<string, ColumnPlan>();
  for (const { column, kind } of inspection.columns) {
    const values = new Array<string | number | null>(rowCount).fill(null);
    plans.set(column.name, { column, convert: converterFor(column, kind), values });
  }
  const { schemaProblems, coercedColumns, extraColumns } = inspection;

  if (plans.size > 0 && rowCount > 0) {
    try {
      await parquetRead({
        file,
        metadata,
        compressors,
        columns: [...plans.keys()],
        onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
          const plan = plans.get(columnName);
          if (!plan) return;
          for (let row = rowStart; row < rowEnd; row++) plan.values[row] = plan.convert(columnData[row - rowStart]);
        },
      });
    } catch (error) {
      throw unreadable('its column data does not decode', error);
    }
  }

  const columnsInOrder = LISTING_COLUMNS.map((column) => [column.name, plans.get(column.name)?.values] as const);
  const rows = new Array<ListingsFileRow>(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const record: Record<string, string | number | null> = {};
    for (const [name, columnValues] of columnsInOrder) record[name] = columnValues ? (columnValues[row] ?? null) : null;
    rows[row] = record as ListingsFileRow;
  }
  return { rows, schemaProblems, coercedColumns, extraColumns };
}

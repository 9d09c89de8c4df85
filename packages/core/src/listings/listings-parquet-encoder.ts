import { Buffer } from 'node:buffer';
import { endianness } from 'node:os';
import type { ColumnChunk, Encoding, KeyValue, PageHeader, RowGroup, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompressor } from 'hysnappy';
import { LISTING_COLUMNS, type Listing, type ListingColumnName, type ListingColumnSpec } from './listing.js';

/**
 * The Parquet encoder for listings files: the thirteen §7 columns, flat, each column chunk one
 * data page (v2, Snappy), dictionary-encoded when that is smaller, else PLAIN; definition levels
 * for the nullable columns. hyparquet-writer supplies the Thrift structures (page headers, file
 * metadata); the values are encoded here, column by column, with few passes over the rows and no
 * object per value. A general-purpose writer has to discover types, nesting and encodings value by
 * value; at tens of thousands of rows that discovery was most of an epoch's packaging time.
 *
 * The rows must already be valid listings (`validateListing`): values are written as they are.
 */

const PARQUET_MAGIC = 0x31524150; // "PAR1", little-endian
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Columns whose values are (nearly) all distinct: written PLAIN without building a dictionary
 * that would only be thrown away.
 */
const DISTINCT_VALUE_COLUMNS: ReadonlySet<ListingColumnName> = new Set(['address', 'mls_id', 'source_url', 'price']);

let compressor: ((input: Uint8Array) => Uint8Array) | undefined;

/**
 * Snappy compiled to WebAssembly (hysnappy, hyparquet's own): about half the time of the
 * JavaScript compressor in a fresh process, where the JavaScript one is not yet optimised. Its
 * memory grows to the largest page compressed (a few MB at 50k rows per group) and is kept.
 */
function snappy(input: Uint8Array): Uint8Array {
  compressor ??= snappyCompressor();
  return compressor(input);
}

type PresentValue = string | number;

/** Writes `value` as an unsigned LEB128 varint at `offset`; returns the offset after it. */
function putVarint(out: Uint8Array, offset: number, value: number): number {
  let rest = value;
  while (rest > 0x7f) {
    out[offset++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[offset++] = rest;
  return offset;
}

/**
 * The RLE / bit-packed hybrid encoding of `values` (each below `2 ** bitWidth`): runs of eight or
 * more equal values as RLE runs, everything else bit-packed in groups of eight (the last group
 * padded with zeros; readers stop at the page's value count). No length prefix.
 */
export function encodeRleBitPackedHybrid(values: ArrayLike<number>, bitWidth: number): Uint8Array {
  const count = values.length;
  const valueBytes = (bitWidth + 7) >>> 3;
  const out = new Uint8Array(Math.ceil(count / 8) * (bitWidth + 14) + 16);
  let offset = 0;
  let packedStart = 0;
  let packedGroups = 0;
  const flushPacked = () => {
    if (packedGroups === 0) return;
    offset = putVarint(out, offset, (packedGroups << 1) | 1);
    if (bitWidth > 0) {
      const end = packedStart + packedGroups * 8;
      let buffer = 0;
      let bits = 0;
      for (let index = packedStart; index < end; index++) {
        buffer |= (index < count ? values[index]! : 0) << bits;
        bits += bitWidth;
        while (bits >= 8) {
          out[offset++] = buffer & 0xff;
          buffer >>>= 8;
          bits -= 8;
        }
      }
    }
    packedGroups = 0;
  };
  let index = 0;
  while (index < count) {
    const value = values[index]!;
    let run = 1;
    while (index + run < count && values[index + run] === value) run++;
    if (run >= 8) {
      flushPacked();
      offset = putVarint(out, offset, run << 1);
      for (let byte = 0; byte < valueBytes; byte++) out[offset++] = (value >>> (byte * 8)) & 0xff;
      index += run;
    } else {
      if (packedGroups === 0) packedStart = index;
      packedGroups++;
      index += 8;
    }
  }
  flushPacked();
  return out.subarray(0, offset);
}

/** PLAIN BYTE_ARRAY: each value's UTF-8 length (4 bytes, little-endian), then its bytes. */
function plainText(values: readonly PresentValue[]): Uint8Array {
  let bound = 0;
  for (let index = 0; index < values.length; index++) bound += 4 + 3 * (values[index] as string).length;
  const out = Buffer.allocUnsafe(bound);
  let offset = 0;
  for (let index = 0; index < values.length; index++) {
    const written = out.write(values[index] as string, offset + 4);
    out[offset] = written & 0xff;
    out[offset + 1] = (written >>> 8) & 0xff;
    out[offset + 2] = (written >>> 16) & 0xff;
    out[offset + 3] = written >>> 24;
    offset += 4 + written;
  }
  return out.subarray(0, offset);
}

/** PLAIN DOUBLE or INT32: the values' little-endian bytes. */
function plainNumbers(values: readonly PresentValue[], physicalType: 'DOUBLE' | 'INT32'): Uint8Array {
  const typed = physicalType === 'DOUBLE' ? Float64Array.from(values as number[]) : Int32Array.from(values as number[]);
  if (LITTLE_ENDIAN) return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const out = new Uint8Array(typed.byteLength);
  const view = new DataView(out.buffer);
  typed.forEach((value, index) =>
    physicalType === 'DOUBLE' ? view.setFloat64(index * 8, value, true) : view.setInt32(index * 4, value, true),
  );
  return out;
}

function plainValues(values: readonly PresentValue[], column: ListingColumnSpec): Uint8Array {
  return column.physicalType === 'BYTE_ARRAY' ? plainText(values) : plainNumbers(values, column.physicalType);
}

interface Dictionary {
  readonly entries: PresentValue[];
  readonly indexes: Int32Array;
  readonly bitWidth: number;
}

/**
 * The column's distinct values and each value's index among them, when dictionary encoding is
 * smaller than PLAIN; undefined when it is not, or when more than half the values are distinct.
 */
function dictionaryOf(values: readonly PresentValue[], column: ListingColumnSpec): Dictionary | undefined {
  const count = values.length;
  if (count === 0) return undefined;
  const isText = column.physicalType === 'BYTE_ARRAY';
  const width = column.physicalType === 'DOUBLE' ? 8 : 4;
  const maxEntries = Math.max(1, count >>> 1);
  const positions = new Map<PresentValue, number>();
  const entries: PresentValue[] = [];
  const indexes = new Int32Array(count);
  // Sizes in characters, not UTF-8 bytes: close enough to choose an encoding.
  let entryBytes = 0;
  let plainBytes = 0;
  for (let index = 0; index < count; index++) {
    const value = values[index]!;
    // A Map holds 0 and -0 as one key; a dictionary must not turn one into the other.
    if (value === 0 && 1 / value < 0) return undefined;
    const size = isText ? 4 + (value as string).length : width;
    plainBytes += size;
    let position = positions.get(value);
    if (position === undefined) {
      position = entries.length;
      if (position >= maxEntries) return undefined;
      positions.set(value, position);
      entries.push(value);
      entryBytes += size;
    }
    indexes[index] = position;
  }
  const bitWidth = entries.length <= 1 ? 0 : 32 - Math.clz32(entries.length - 1);
  if (entryBytes + Math.ceil((count * bitWidth) / 8) >= plainBytes) return undefined;
  return { entries, indexes, bitWidth };
}

/** Appends a page: its header, then `levels` (uncompressed, as data page v2 stores them), then `body`. */
function appendPage(
  writer: ByteWriter,
  header: (sizes: { uncompressed: number; compressed: number }) => PageHeader,
  levels: Uint8Array,
  body: Uint8Array,
): number {
  const compressed = snappy(body);
  const start = writer.offset;
  writePageHeader(
    writer,
    header({
      uncompressed: levels.byteLength + body.byteLength,
      compressed: levels.byteLength + compressed.byteLength,
    }),
  );
  const headerBytes = writer.offset - start;
  writer.appendBytes(levels);
  writer.appendBytes(compressed);
  return headerBytes + levels.byteLength + body.byteLength;
}

const NO_LEVELS = new Uint8Array(0);

type ColumnValues = Record<ListingColumnName, (string | number | null)[]>;

/**
 * Rows `[start, end)` as one array per column, in a single pass that reads each property by its
 * own name: one shape at each read, where a read by a variable column name would see thirteen.
 */
function columnsOf(listings: readonly Listing[], start: number, end: number): ColumnValues {
  const columns = {
    address: [],
    zipcode: [],
    price: [],
    bedrooms: [],
    bathrooms: [],
    sqft: [],
    listing_date: [],
    property_type: [],
    listing_status: [],
    days_on_market: [],
    mls_id: [],
    source_url: [],
    scraped_timestamp: [],
  } satisfies ColumnValues as ColumnValues;
  const {
    address,
    zipcode,
    price,
    bedrooms,
    bathrooms,
    sqft,
    listing_date,
    property_type,
    listing_status,
    days_on_market,
    mls_id,
    source_url,
    scraped_timestamp,
  } = columns;
  for (let row = start; row < end; row++) {
    const listing = listings[row]!;
    address.push(listing.address);
    zipcode.push(listing.zipcode);
    price.push(listing.price);
    bedrooms.push(listing.bedrooms);
    bathrooms.push(listing.bathrooms);
    sqft.push(listing.sqft);
    listing_date.push(listing.listing_date);
    property_type.push(listing.property_type);
    listing_status.push(listing.listing_status);
    days_on_market.push(listing.days_on_market);
    mls_id.push(listing.mls_id);
    source_url.push(listing.source_url);
    scraped_timestamp.push(listing.scraped_timestamp);
  }
  return columns;
}

/** Writes one column chunk holding `values` (one per row); returns its metadata and uncompressed size. */
function writeColumnChunk(
  writer: ByteWriter,
  column: ListingColumnSpec,
  values: readonly (string | number | null)[],
): { chunk: ColumnChunk; uncompressedBytes: number } {
  const name = column.name as ListingColumnName;
  const rows = values.length;
  let present: PresentValue[];
  let definitionLevels: Uint8Array | undefined;
  if (column.nullable) {
    present = [];
    definitionLevels = new Uint8Array(rows);
    for (let row = 0; row < rows; row++) {
      const value = values[row];
      if (value === null || value === undefined) continue;
      present.push(value);
      definitionLevels[row] = 1;
    }
  } else {
    present = values as PresentValue[];
  }
  const levels = definitionLevels ? encodeRleBitPackedHybrid(definitionLevels, 1) : NO_LEVELS;
  const dictionary = DISTINCT_VALUE_COLUMNS.has(name) ? undefined : dictionaryOf(present, column);

  const chunkStart = writer.offset;
  let uncompressedBytes = 0;
  let dictionaryPageOffset: bigint | undefined;
  if (dictionary) {
    dictionaryPageOffset = BigInt(writer.offset);
    uncompressedBytes += appendPage(
      writer,
      ({ uncompressed, compressed }) => ({
        type: 'DICTIONARY_PAGE',
        uncompressed_page_size: uncompressed,
        compressed_page_size: compressed,
        dictionary_page_header: { num_values: dictionary.entries.length, encoding: 'PLAIN' },
      }),
      NO_LEVELS,
      plainValues(dictionary.entries, column),
    );
  }
  const dataPageOffset = BigInt(writer.offset);
  const encoding: Encoding = dictionary ? 'RLE_DICTIONARY' : 'PLAIN';
  let body: Uint8Array;
  if (dictionary) {
    const indexes = encodeRleBitPackedHybrid(dictionary.indexes, dictionary.bitWidth);
    body = new Uint8Array(1 + indexes.byteLength);
    body[0] = dictionary.bitWidth;
    body.set(indexes, 1);
  } else {
    body = plainValues(present, column);
  }
  uncompressedBytes += appendPage(
    writer,
    ({ uncompressed, compressed }) => ({
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: uncompressed,
      compressed_page_size: compressed,
      data_page_header_v2: {
        num_values: rows,
        num_nulls: rows - present.length,
        num_rows: rows,
        encoding,
        definition_levels_byte_length: levels.byteLength,
        repetition_levels_byte_length: 0,
        is_compressed: true,
      },
    }),
    levels,
    body,
  );
  const encodings: Encoding[] = dictionary ? ['PLAIN', 'RLE_DICTIONARY'] : ['PLAIN'];
  if (definitionLevels) encodings.push('RLE');
  return {
    chunk: {
      file_offset: BigInt(chunkStart),
      meta_data: {
        type: column.physicalType,
        encodings,
        path_in_schema: [column.name],
        codec: 'SNAPPY',
        num_values: BigInt(rows),
        total_uncompressed_size: BigInt(uncompressedBytes),
        total_compressed_size: BigInt(writer.offset - chunkStart),
        data_page_offset: dataPageOffset,
        dictionary_page_offset: dictionaryPageOffset,
      },
    },
    uncompressedBytes,
  };
}

function schemaElementOf(column: ListingColumnSpec): SchemaElement {
  return {
    name: column.name,
    type: column.physicalType,
    repetition_type: column.nullable ? 'OPTIONAL' : 'REQUIRED',
    ...(column.convertedType === 'UTF8' ? { converted_type: 'UTF8', logical_type: { type: 'STRING' } } : {}),
  };
}

const SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: LISTING_COLUMNS.length },
  ...LISTING_COLUMNS.map(schemaElementOf),
];

/** What {@link encodeListingsParquet} writes besides the rows. */
export interface ListingsEncodingOptions {
  readonly rowGroupSize: number;
  readonly keyValueMetadata: readonly KeyValue[];
  readonly createdBy: string;
}

/** Encodes valid listings as a Parquet file with the §7 schema, in row groups of `rowGroupSize` rows. */
export function encodeListingsParquet(listings: readonly Listing[], options: ListingsEncodingOptions): Uint8Array {
  const writer = new ByteWriter(1 << 20);
  writer.appendUint32(PARQUET_MAGIC);
  const rowGroups: RowGroup[] = [];
  for (let start = 0; start < listings.length; start += options.rowGroupSize) {
    const end = Math.min(listings.length, start + options.rowGroupSize);
    const groupStart = writer.offset;
    let uncompressedBytes = 0;
    const values = columnsOf(listings, start, end);
    const columns = LISTING_COLUMNS.map((column) => {
      const written = writeColumnChunk(writer, column, values[column.name]);
      uncompressedBytes += written.uncompressedBytes;
      return written.chunk;
    });
    rowGroups.push({
      columns,
      total_byte_size: BigInt(uncompressedBytes),
      num_rows: BigInt(end - start),
      total_compressed_size: BigInt(writer.offset - groupStart),
    });
  }
  writeMetadata(writer, {
    version: 2,
    schema: SCHEMA,
    num_rows: BigInt(listings.length),
    row_groups: rowGroups,
    key_value_metadata: [...options.keyValueMetadata],
    created_by: options.createdBy,
    metadata_length: 0,
  });
  writer.appendUint32(PARQUET_MAGIC);
  return new Uint8Array(writer.buffer.slice(0, writer.offset));
}

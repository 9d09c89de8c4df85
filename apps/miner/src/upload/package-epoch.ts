import {
  DATA_FORMAT_VERSION,
  LISTINGS_MAX_ROWS,
  type Listing,
  type ListingsFileEntry,
  listingsFileEntryOf,
  serializeMinerUploadMetadata,
  writeListingsParquet,
} from '@resi/core';
import type { EpochWork } from '../store/work-store.js';

/** The listings file name of a single-part upload (PROTOCOL.md §6). */
export const LISTINGS_FILE_NAME = 'listings.parquet';
export const METADATA_FILE_NAME = 'metadata.json';

/**
 * Rows per listings file: the most a validator reads from one file ({@link LISTINGS_MAX_ROWS}). An
 * epoch with more is uploaded in parts, so no single object, nor the memory that writes or reads
 * it, grows with the epoch: a million rows are ~25 MB of Parquet.
 */
export const MAX_ROWS_PER_LISTINGS_FILE = LISTINGS_MAX_ROWS;

/** Part names run `listings-0001.parquet` .. `listings-9999.parquet` (PROTOCOL.md §6). */
const MAX_PARTS = 9_999;

/** The name of part `part` (from 1) of a multi-part upload: `listings-0001.parquet`, ... */
export function listingsPartName(part: number): string {
  return `listings-${String(part).padStart(4, '0')}.parquet`;
}

export interface PackageEpochOptions {
  /** Rows per listings file; defaults to {@link MAX_ROWS_PER_LISTINGS_FILE}. */
  readonly maxRowsPerFile?: number;
}

interface ListingsFile {
  readonly name: string;
  readonly content: Uint8Array;
  readonly entry: ListingsFileEntry;
}

function listingsFile(name: string, listings: readonly Listing[]): ListingsFile {
  const content = writeListingsParquet(listings);
  return { name, content, entry: listingsFileEntryOf(content, listings.length) };
}

/**
 * The listings files of an upload: `listings.parquet` when the rows fit in one file, else parts
 * of `maxRowsPerFile` rows (the last one shorter) in collection order.
 */
function listingsFiles(listings: readonly Listing[], maxRowsPerFile: number): ListingsFile[] {
  if (listings.length <= maxRowsPerFile) return [listingsFile(LISTINGS_FILE_NAME, listings)];
  const parts = Math.ceil(listings.length / maxRowsPerFile);
  if (parts > MAX_PARTS) {
    throw new RangeError(
      `${listings.length} listings need ${parts} files of ${maxRowsPerFile} rows; at most ${MAX_PARTS}`,
    );
  }
  return Array.from({ length: parts }, (_, index) =>
    listingsFile(listingsPartName(index + 1), listings.slice(index * maxRowsPerFile, (index + 1) * maxRowsPerFile)),
  );
}

/**
 * Builds the listings files and `metadata.json` from everything the epoch collected and freezes
 * them in the work store, unless they already are (a restart reuses the frozen bytes, so the
 * upload is byte-identical whenever it is retried). One `listings.parquet`, or parts
 * `listings-0001.parquet`, ... of at most `maxRowsPerFile` rows each. `metadata.json` carries
 * the epoch nonce and, per file, its sha256, size and row count (PROTOCOL.md §6, §7).
 */
export async function packageEpoch(
  work: EpochWork,
  hotkey: string,
  now: Date,
  options: PackageEpochOptions = {},
): Promise<void> {
  if (work.state.package) return;
  const maxRowsPerFile = options.maxRowsPerFile ?? MAX_ROWS_PER_LISTINGS_FILE;
  if (!Number.isInteger(maxRowsPerFile) || maxRowsPerFile < 1) {
    throw new RangeError(`maxRowsPerFile must be a positive integer; got ${maxRowsPerFile}`);
  }
  const listings = await work.allListings();
  const finished = await work.finishedZipcodes();
  const files = listingsFiles(listings, maxRowsPerFile);
  const metadata = serializeMinerUploadMetadata({
    epoch_id: work.epochId,
    miner_hotkey: hotkey,
    epoch_nonce: work.state.assignment.nonce,
    mining_start_time: work.state.miningStartTime,
    mining_end_time: now.toISOString(),
    total_listings: listings.length,
    zipcodes_completed: finished.size,
    data_format_version: DATA_FORMAT_VERSION,
    files: Object.fromEntries(files.map((file) => [file.name, file.entry])),
  });
  // Listings files first: the uploader sends them in this order, metadata.json last.
  await work.savePackage(
    [
      ...files.map(({ name, content }) => ({ name, content })),
      { name: METADATA_FILE_NAME, content: new TextEncoder().encode(metadata) },
    ],
    listings.length,
  );
}

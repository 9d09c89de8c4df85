import {
  DATA_FORMAT_VERSION,
  listingsFileEntryOf,
  serializeMinerUploadMetadata,
  writeListingsParquet,
} from '@resi/core';
import type { EpochWork } from '../store/work-store.js';

/** The listings file name of a single-part upload (PROTOCOL.md §6). */
export const LISTINGS_FILE_NAME = 'listings.parquet';
export const METADATA_FILE_NAME = 'metadata.json';

/**
 * Builds `listings.parquet` and `metadata.json` from everything the epoch collected and freezes
 * them in the work store, unless they already are (a restart reuses the frozen bytes, so the
 * upload is byte-identical whenever it is retried). `metadata.json` carries the epoch nonce and
 * the Parquet file's sha256, size and row count (PROTOCOL.md §7).
 */
export async function packageEpoch(work: EpochWork, hotkey: string, now: Date): Promise<void> {
  if (work.state.package) return;
  const listings = await work.allListings();
  const finished = await work.finishedZipcodes();
  const parquet = writeListingsParquet(listings);
  const metadata = serializeMinerUploadMetadata({
    epoch_id: work.epochId,
    miner_hotkey: hotkey,
    epoch_nonce: work.state.assignment.nonce,
    mining_start_time: work.state.miningStartTime,
    mining_end_time: now.toISOString(),
    total_listings: listings.length,
    zipcodes_completed: finished.size,
    data_format_version: DATA_FORMAT_VERSION,
    files: { [LISTINGS_FILE_NAME]: listingsFileEntryOf(parquet, listings.length) },
  });
  await work.savePackage(
    [
      { name: LISTINGS_FILE_NAME, content: parquet },
      { name: METADATA_FILE_NAME, content: new TextEncoder().encode(metadata) },
    ],
    listings.length,
  );
}

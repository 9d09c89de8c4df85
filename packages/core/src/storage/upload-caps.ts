/**
 * How much one miner may store for one epoch (PROTOCOL.md §6), derived from the epoch's
 * `targetListings`. The API refuses per-file grants past these caps and serves validators no
 * objects past them; validators download and scan no more than them. So a validator's work per
 * miner is bounded whatever a miner uploads, and honest miners are far inside every cap.
 */

/** A miner may deliver up to this many times the epoch's target listings. */
export const LISTINGS_CAP_FACTOR = 10;

/**
 * Bytes one listing may take in a listings file. A Snappy-compressed row of §7 is 100–300 bytes;
 * the cap leaves room for uncompressed files and long addresses.
 */
export const MAX_BYTES_PER_LISTING = 1024;

/** `metadata.json` is a few hundred bytes; anything past this is not one. */
export const MAX_METADATA_BYTES = 1024 * 1024;

/** Listings files a miner may always use, however small the target (parts of a few rows each). */
export const MIN_LISTINGS_FILES_CAP = 16;

/** Rows per part a miner needs at least to fit in the files cap when the target is large. */
export const ROWS_PER_LISTINGS_FILE_FOR_CAP = 10_000;

export interface MinerEpochUploadCaps {
  /** Listings (rows over every listings file) scored at most. */
  readonly maxListings: number;
  /** Objects in the miner's epoch folder: `metadata.json` plus listings files. */
  readonly maxObjects: number;
  /** Bytes over every object in the miner's epoch folder. */
  readonly maxBytes: number;
}

/** The caps of one miner's upload for an epoch whose target is `targetListings`. */
export function minerEpochUploadCaps(targetListings: number): MinerEpochUploadCaps {
  if (!Number.isSafeInteger(targetListings) || targetListings < 1) {
    throw new RangeError(`targetListings must be a positive integer; got ${String(targetListings)}`);
  }
  const maxListings = targetListings * LISTINGS_CAP_FACTOR;
  const listingsFiles = Math.max(MIN_LISTINGS_FILES_CAP, Math.ceil(maxListings / ROWS_PER_LISTINGS_FILE_FOR_CAP));
  return {
    maxListings,
    maxObjects: listingsFiles + 1,
    maxBytes: maxListings * MAX_BYTES_PER_LISTING + MAX_METADATA_BYTES,
  };
}

/** An object as stored, for {@link withinUploadCaps}. */
export interface CappedObject {
  readonly key: string;
  readonly size: number;
}

export interface CappedObjects<T extends CappedObject> {
  /** What a validator gets, in key order: `metadata.json`, then the others by key, while both caps hold. */
  readonly kept: T[];
  /** What is past a cap, with the reason; null when nothing is. */
  readonly ignored: { readonly objects: number; readonly bytes: number; readonly reason: string } | null;
}

/**
 * Splits one miner's epoch objects into those within `caps` and the excess. `metadata.json`
 * comes first (it names the files that count), then keys in order, so the choice is the same
 * for every validator and never depends on upload order.
 */
export function withinUploadCaps<T extends CappedObject>(
  objects: readonly T[],
  caps: MinerEpochUploadCaps,
): CappedObjects<T> {
  const isMetadata = (object: T) => object.key.endsWith('/metadata.json');
  const ordered = [...objects.filter(isMetadata), ...objects.filter((o) => !isMetadata(o)).sort(byKey)];
  const kept: T[] = [];
  let bytes = 0;
  let ignoredBytes = 0;
  let reason: string | undefined;
  for (const object of ordered) {
    if (kept.length >= caps.maxObjects) {
      reason ??= `more than ${caps.maxObjects} objects for this epoch`;
    } else if (bytes + object.size > caps.maxBytes) {
      reason ??= `more than ${caps.maxBytes} bytes for this epoch`;
    } else {
      kept.push(object);
      bytes += object.size;
      continue;
    }
    ignoredBytes += object.size;
  }
  const ignoredCount = ordered.length - kept.length;
  return {
    kept: kept.sort(byKey),
    ignored:
      ignoredCount === 0
        ? null
        : {
            objects: ignoredCount,
            bytes: ignoredBytes,
            reason: `${reason ?? 'over the cap'} (caps: ${caps.maxObjects} objects, ${caps.maxBytes} bytes, from the epoch's target); the excess is ignored`,
          },
  };
}

function byKey(a: CappedObject, b: CappedObject): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

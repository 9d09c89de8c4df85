import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  DATA_FORMAT_VERSION,
  type EpochAssignmentsResponse,
  type EpochSubmissionsResponse,
  type Listing,
  type MinerSubmission,
  type StoredObject,
  formatEpochId,
  listingsFileEntryOf,
  minerObjectKey,
  serializeMinerUploadMetadata,
  ss58Of,
  writeListingsParquet,
  epochAuditSeed,
} from '@resi/core';
import { SourceFeeds } from '@resi/sources';
import { HOUR_MS, MARKET_LISTING_HOST, type SimulatedMarket } from './market.js';

/** One simulated epoch: 4 hours, a 15-minute grace period, the zipcodes every miner is assigned. */
export interface SimEpoch {
  readonly index: number;
  readonly id: string;
  readonly nonce: string;
  readonly startMs: number;
  readonly deadlineMs: number;
  readonly graceEndMs: number;
  readonly zipcodes: readonly {
    readonly zipcode: string;
    readonly expectedListings: number;
    readonly isHoneypot: boolean;
  }[];
}

export const EPOCH_MS = 4 * HOUR_MS;
export const GRACE_MS = HOUR_MS / 4;

/** The epoch `index` of a simulation starting at `firstStartMs`. */
export function simEpochAt(
  seed: string,
  index: number,
  firstStartMs: number,
  zipcodes: SimEpoch['zipcodes'],
): SimEpoch {
  const startMs = firstStartMs + index * EPOCH_MS;
  const id = formatEpochId(new Date(startMs));
  return {
    index,
    id,
    nonce: createHash('sha256').update(`${seed}:nonce:${id}`).digest('hex').slice(0, 16),
    startMs,
    deadlineMs: startMs + EPOCH_MS,
    graceEndMs: startMs + EPOCH_MS + GRACE_MS,
    zipcodes,
  };
}

/** When the simulation's validator audits an epoch: ten minutes after its grace end. */
export function auditInstantOf(epoch: Pick<SimEpoch, 'graceEndMs'>): number {
  return epoch.graceEndMs + 10 * 60_000;
}

/**
 * The simulation validator's verification: production's `SourceFeeds` over the market's site, as
 * a validator enables a source for its listing host, with its wall clock at `atMs` (the audit
 * instant). The pipeline's `startEpoch` sets the recently-closed window from the epoch's start,
 * so rows are judged by the one rule production applies.
 */
export function simSourceFeeds(
  market: SimulatedMarket,
  atMs: number,
  options: { readonly down?: boolean; readonly closedDown?: boolean } = {},
): SourceFeeds {
  const clock = () => atMs;
  return new SourceFeeds([{ source: market.source(clock, options), listingHosts: [MARKET_LISTING_HOST] }], {
    wallClock: clock,
  });
}

/** A deterministic SS58 hotkey per simulated miner. */
export function simHotkey(label: string): string {
  return ss58Of(createHash('sha256').update(`resi-simulation-hotkey:${label}`).digest());
}

/** What one hotkey puts in storage in one epoch, and how it breaks the rules if it does. */
export interface UploadPlan {
  readonly label: string;
  readonly uid: number;
  /** The listings files, in name order (`listings.parquet`, or `listings-0001.parquet`, ...). */
  readonly files: readonly (readonly Listing[])[];
  /** Server-observed time of every object. */
  readonly uploadedAtMs: number;
  /** Replaces a file's bytes after they were written (a truncated or garbled file). */
  readonly corrupt?: 'truncate' | 'garble';
  /** Rows metadata.json declares for the last file instead of its true count. */
  readonly claimedRows?: number;
  /**
   * Written over the upload after the grace end, once the revealed seed audits zipcode `ifAudited`
   * (the listing at the grace end keeps the first upload's objects).
   */
  readonly afterReveal?: { readonly ifAudited: string; readonly files: readonly (readonly Listing[])[] };
}

function garble(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  for (let index = 64; index < Math.min(copy.length - 2048, 4096); index++) copy[index] = (index * 151) & 0xff;
  return copy;
}

/** Writes a plan's objects under `root` as the bucket lays them out, and returns its submission entry. */
export async function writePlannedUpload(root: string, epoch: SimEpoch, plan: UploadPlan): Promise<MinerSubmission> {
  const hotkey = simHotkey(plan.label);
  const files = plan.files.map((listings, index) => {
    const name =
      plan.files.length === 1 ? 'listings.parquet' : `listings-${String(index + 1).padStart(4, '0')}.parquet`;
    const written = writeListingsParquet(listings);
    const bytes =
      plan.corrupt === 'truncate'
        ? written.slice(0, written.length - 100)
        : plan.corrupt === 'garble'
          ? garble(written)
          : written;
    const last = index === plan.files.length - 1;
    const rows = last && plan.claimedRows !== undefined ? plan.claimedRows : listings.length;
    return { name, bytes, entry: listingsFileEntryOf(bytes, rows) };
  });
  const totalRows = files.reduce((sum, file) => sum + file.entry.rows, 0);
  const metadata = serializeMinerUploadMetadata({
    epoch_id: epoch.id,
    miner_hotkey: hotkey,
    epoch_nonce: epoch.nonce,
    mining_start_time: new Date(epoch.startMs).toISOString(),
    mining_end_time: new Date(plan.uploadedAtMs).toISOString(),
    total_listings: totalRows,
    zipcodes_completed: new Set(plan.files.flat().map((listing) => listing.zipcode)).size,
    data_format_version: DATA_FORMAT_VERSION,
    files: Object.fromEntries(files.map((file) => [file.name, file.entry])),
  });
  const objects: StoredObject[] = [];
  const uploadedAt = new Date(plan.uploadedAtMs).toISOString();
  const put = async (name: string, content: Uint8Array | string) => {
    const key = minerObjectKey(hotkey, epoch.id, name);
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    await mkdir(dirname(join(root, key)), { recursive: true });
    await writeFile(join(root, key), data);
    objects.push({
      key,
      size: data.byteLength,
      etag: `"${createHash('md5').update(data).digest('hex')}"`,
      lastModified: uploadedAt,
      url: `https://storage.invalid/${key}`,
    });
  };
  for (const file of files) await put(file.name, file.bytes);
  await put('metadata.json', metadata);
  return {
    hotkey,
    uid: plan.uid,
    status: 'COMPLETED',
    listingsClaimed: totalRows,
    zipcodesCompleted: [],
    s3UploadComplete: true,
    s3UploadTimestamp: uploadedAt,
    lastUpdateAt: uploadedAt,
    manifest: null,
    objects,
  };
}

/** `GET /epoch/{id}` as validators read it once honeypots are revealed. */
export function simEpochResponse(epoch: SimEpoch): EpochAssignmentsResponse {
  const total = epoch.zipcodes.reduce((sum, zipcode) => sum + zipcode.expectedListings, 0);
  return {
    success: true,
    epochId: epoch.id,
    epochStart: new Date(epoch.startMs).toISOString(),
    epochEnd: new Date(epoch.deadlineMs).toISOString(),
    nonce: epoch.nonce,
    targetListings: total,
    tolerancePercent: 10,
    submissionDeadline: new Date(epoch.deadlineMs).toISOString(),
    status: 'COMPLETED',
    // Revealed by the API at the grace end; derived here from the simulation's own secret.
    auditSeed: epochAuditSeed('resi-simulation-zipcode-secret', epoch.id),
    metadata: {
      totalExpectedListings: total,
      zipcodeCount: epoch.zipcodes.length,
      algorithmVersion: 'sim',
      selectionSeed: 46,
    },
    zipcodes: epoch.zipcodes.map((zipcode) => ({
      zipcode: zipcode.zipcode,
      expectedListings: zipcode.expectedListings,
      state: 'IL',
      city: 'Springfield',
      county: 'Sangamon County',
      marketTier: 'STANDARD',
      geographicRegion: 'Midwest',
      isHoneypot: zipcode.isHoneypot,
    })),
  };
}

/** `GET /epochs/{id}/submissions`. */
export function simSubmissionsResponse(
  epoch: SimEpoch,
  submissions: readonly MinerSubmission[],
): EpochSubmissionsResponse {
  return {
    success: true,
    epochId: epoch.id,
    status: 'COMPLETED',
    submissionDeadline: new Date(epoch.deadlineMs).toISOString(),
    graceEnd: new Date(epoch.graceEndMs).toISOString(),
    submissions: [...submissions],
  };
}

import { Inject, Injectable } from '@nestjs/common';
import {
  type EpochSubmissionsResponse,
  hotkeyOfMinerStorageFolder,
  type MetagraphSource,
  MINER_STATUSES,
  MINER_STORAGE_HOTKEY_PREFIX,
  type MinerStatus,
  type MinerSubmission,
  minerEpochUploadCaps,
  type StoredObject,
} from '@resi/core';
import {
  hasReportedStatus,
  manifestOf,
  SubmissionRepository,
  type SubmissionRow,
  type SubmissionZipcodeRow,
} from '../repositories/submission.repository.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { METAGRAPH } from '../tokens.js';
import { EpochService } from './epoch.service.js';
import { minerEpochObjects } from './miner-epoch-objects.js';
import { withDownloadUrls } from './storage-access.service.js';
import { StorageService } from './storage.service.js';

/** Folder listings in flight at once: fast for a few hundred miners, gentle on the store. */
const LISTING_CONCURRENCY = 16;

/**
 * GET /api/v1/epochs/{epochId}/submissions: what each miner said (status, zipcodes, manifest)
 * next to what the storage actually holds (size, ETag, upload time as the store saw them).
 */
@Injectable()
export class SubmissionsService {
  constructor(
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
    private readonly epochs: EpochService,
    private readonly submissions: SubmissionRepository,
    private readonly storage: StorageService,
    private readonly clock: ClockRepository,
  ) {}

  async forEpoch(epochId: string): Promise<EpochSubmissionsResponse> {
    const { epoch } = await this.epochs.get(epochId);
    // Nobody reads a miner's data while others can still upload (PROTOCOL.md §6).
    this.epochs.requireReadable(epoch);
    const caps = minerEpochUploadCaps(epoch.targetListings);
    const [rows, zipcodeRows] = await Promise.all([
      this.submissions.forEpoch(epoch.id),
      this.submissions.zipcodesFor(epoch.id),
    ]);
    const rowByHotkey = new Map(rows.map((row) => [row.hotkey, row]));
    const zipcodesByHotkey = groupBy(zipcodeRows, (row) => row.hotkey);

    const submissions = await this.storage.use(async (s3) => {
      // Miners that upload without ever reporting a status exist only as folders in the bucket.
      const folders = await s3.listFolders(MINER_STORAGE_HOTKEY_PREFIX);
      const uploaders = folders.map(hotkeyOfMinerStorageFolder).filter((hk): hk is string => hk !== undefined);
      const hotkeys = [...new Set([...rowByHotkey.keys(), ...uploaders])].sort();
      const listed = await mapWithConcurrency(hotkeys, LISTING_CONCURRENCY, (hotkey) =>
        minerEpochObjects(s3, hotkey, epoch.id, caps),
      );
      const present = hotkeys
        .map((hotkey, index) => ({ hotkey, listed: listed[index], row: rowByHotkey.get(hotkey) }))
        .filter((miner) => miner.row !== undefined || (miner.listed?.kept.length ?? 0) > 0 || miner.listed?.ignored);
      return Promise.all(
        present.map(async (miner) => {
          const kept = miner.listed?.kept ?? [];
          const ignored = miner.listed?.ignored ?? null;
          return {
            ...this.describe(
              miner.hotkey,
              miner.row,
              zipcodesByHotkey.get(miner.hotkey) ?? [],
              await withDownloadUrls(s3, kept),
            ),
            objectsIgnored: ignored,
          };
        }),
      );
    });

    return {
      success: true,
      epochId: epoch.id,
      status: this.epochs.phaseOf(epoch),
      submissionDeadline: epoch.submissionDeadline.toISOString(),
      graceEnd: epoch.graceEndAt.toISOString(),
      submissions,
    };
  }

  private describe(
    hotkey: string,
    row: SubmissionRow | undefined,
    zipcodes: SubmissionZipcodeRow[],
    objects: StoredObject[],
  ): MinerSubmission {
    const reported = row !== undefined && hasReportedStatus(row);
    return {
      hotkey,
      uid: this.metagraph.byHotkey(hotkey)?.uid ?? null,
      status: reported ? minerStatusOf(row.status) : null,
      listingsClaimed: row?.listingsScraped ?? 0,
      zipcodesCompleted: zipcodes.map((z) => ({
        zipcode: z.zipcode,
        listingsScraped: z.listingsScraped,
        completedAt: z.completedAt.toISOString(),
      })),
      s3UploadComplete: row?.s3UploadComplete ?? false,
      s3UploadTimestamp: row?.s3UploadTimestamp?.toISOString() ?? null,
      lastUpdateAt: reported ? row.lastUpdateAt.toISOString() : null,
      manifest: manifestOf(row?.manifest ?? null),
      objects,
    };
  }
}

function minerStatusOf(stored: string): MinerStatus | null {
  return (MINER_STATUSES as readonly string[]).includes(stored) ? (stored as MinerStatus) : null;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** `work` over `items` with at most `limit` calls in flight; results in input order. */
async function mapWithConcurrency<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

import { Inject, Injectable } from '@nestjs/common';
import {
  type EpochSubmissionsResponse,
  type MetagraphSource,
  MINER_STATUSES,
  type MinerStatus,
  type MinerSubmission,
  type StoredObject,
} from '@resi/core';
import {
  hasReportedStatus,
  manifestOf,
  SubmissionRepository,
  type SubmissionRow,
  type SubmissionZipcodeRow,
} from '../repositories/submission.repository.js';
import { METAGRAPH } from '../tokens.js';
import { EpochService } from './epoch.service.js';
import { EpochSnapshotService } from './epoch-snapshot.service.js';
import { withDownloadUrls } from './storage-access.service.js';
import { StorageService } from './storage.service.js';

/**
 * GET /api/v1/epochs/{epochId}/submissions: what each miner said (status, zipcodes, manifest)
 * next to what the storage held at the grace end (size, ETag, upload time as the store saw them,
 * recorded by {@link EpochSnapshotService}), with fresh download URLs.
 */
@Injectable()
export class SubmissionsService {
  constructor(
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
    private readonly epochs: EpochService,
    private readonly submissions: SubmissionRepository,
    private readonly snapshots: EpochSnapshotService,
    private readonly storage: StorageService,
  ) {}

  async forEpoch(epochId: string): Promise<EpochSubmissionsResponse> {
    const { epoch } = await this.epochs.get(epochId);
    // Nobody reads a miner's data while others can still upload (PROTOCOL.md §6); from the grace
    // end on, what validators get is the snapshot taken then, whatever the folders hold now.
    const snapshot = await this.snapshots.ensure(epoch);
    // Rows cannot change after the grace end (status updates and manifests are refused), so they
    // are read live.
    const [rows, zipcodeRows] = await Promise.all([
      this.submissions.forEpoch(epoch.id),
      this.submissions.zipcodesFor(epoch.id),
    ]);
    const rowByHotkey = new Map(rows.map((row) => [row.hotkey, row]));
    const zipcodesByHotkey = groupBy(zipcodeRows, (row) => row.hotkey);
    const recorded = new Map(snapshot.miners.map((miner) => [miner.hotkey, miner]));
    const hotkeys = [...new Set([...rowByHotkey.keys(), ...recorded.keys()])].sort();

    // Fresh download URLs for the recorded objects; presigning is local, but a store that is down
    // would hand out URLs nobody can use, so the route waits for it (503) like the others.
    const submissions = await this.storage.use((s3) =>
      Promise.all(
        hotkeys.map(async (hotkey) => {
          const miner = recorded.get(hotkey);
          return {
            ...this.describe(
              hotkey,
              rowByHotkey.get(hotkey),
              zipcodesByHotkey.get(hotkey) ?? [],
              await withDownloadUrls(s3, miner?.objects ?? []),
            ),
            objectsIgnored: miner?.objectsIgnored ?? null,
          };
        }),
      ),
    );

    return {
      success: true,
      epochId: epoch.id,
      status: this.epochs.phaseOf(epoch),
      submissionDeadline: epoch.submissionDeadline.toISOString(),
      graceEnd: epoch.graceEndAt.toISOString(),
      snapshotAt: snapshot.takenAt.toISOString(),
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

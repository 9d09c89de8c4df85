import { Injectable, Logger } from '@nestjs/common';
import { hotkeyOfMinerStorageFolder, MINER_STORAGE_HOTKEY_PREFIX, minerEpochUploadCaps, ResiError } from '@resi/core';
import { ClockRepository } from '../repositories/clock.repository.js';
import {
  type EpochSnapshot,
  EpochSnapshotRepository,
  type SnapshotMiner,
} from '../repositories/epoch-snapshot.repository.js';
import type { EpochRow } from '../repositories/epoch.repository.js';
import { SubmissionRepository } from '../repositories/submission.repository.js';
import { EpochService } from './epoch.service.js';
import { minerEpochObjects } from './miner-epoch-objects.js';
import { StorageService } from './storage.service.js';

/** Folder listings in flight at once: fast for a few hundred miners, gentle on the store. */
const LISTING_CONCURRENCY = 16;
/** Snapshots kept in memory: the epochs validators still ask about. */
const CACHED_SNAPSHOTS = 16;

/**
 * Whether a reveal may take the snapshot itself (`take`: the validator routes, which need it and
 * answer 503 while the storage cannot be listed) or only looks for a stored one (`stored`: public
 * reads, which just reveal nothing yet).
 */
export type RevealMode = 'take' | 'stored';

/**
 * An upload is final at the grace end. At the grace end the API records what every miner's epoch
 * folder holds (the objects `minerEpochObjects` lists, capped), once per epoch, before anything
 * that tells what will be checked leaves the server; validators are served exactly that record.
 * Anything a miner changes afterwards (its folder grant still works) is not in it.
 */
@Injectable()
export class EpochSnapshotService {
  private readonly logger = new Logger('Snapshots');
  private readonly stored = new Map<string, EpochSnapshot>();
  private readonly taking = new Map<string, Promise<EpochSnapshot>>();

  constructor(
    private readonly epochs: EpochService,
    private readonly snapshots: EpochSnapshotRepository,
    private readonly submissions: SubmissionRepository,
    private readonly storage: StorageService,
    private readonly clock: ClockRepository,
  ) {}

  /**
   * The one rule for every reveal of what will be checked (the audit seed and the honeypot flags,
   * wherever they are shown): only once the epoch's grace period has ended and its snapshot is
   * stored. In `take` mode a missing snapshot is taken now, and a storage that cannot be listed
   * is SERVICE_UNAVAILABLE (retry), never a reveal.
   */
  async revealed(epoch: EpochRow, mode: RevealMode, now = this.clock.now()): Promise<boolean> {
    if (now.getTime() < epoch.graceEndAt.getTime()) return false;
    if (mode === 'stored') return (await this.find(epoch.id)) !== undefined;
    await this.ensure(epoch, now);
    return true;
  }

  /** The stored snapshot of `epochId`, if taken. */
  async find(epochId: string): Promise<EpochSnapshot | undefined> {
    const cached = this.stored.get(epochId);
    if (cached) return cached;
    const found = await this.snapshots.find(epochId);
    if (found) this.remember(found);
    return found;
  }

  /**
   * The snapshot of an epoch whose grace period has ended: the stored one, or one taken now.
   * Concurrent callers in this process share one listing; a replica racing us may store its own
   * first, and then everyone gets that one.
   */
  async ensure(epoch: EpochRow, now = this.clock.now()): Promise<EpochSnapshot> {
    this.epochs.requireReadable(epoch, now);
    const found = await this.find(epoch.id);
    if (found) return found;
    let pending = this.taking.get(epoch.id);
    if (!pending) {
      pending = this.take(epoch).finally(() => this.taking.delete(epoch.id));
      this.taking.set(epoch.id, pending);
    }
    return pending;
  }

  /**
   * The scheduler's pass: a snapshot for every stored epoch past its grace end and still in its
   * validation window that has none (so also after a restart or an outage). A failure is logged
   * and retried on the next pass.
   */
  async takeDue(now = this.clock.now()): Promise<void> {
    for (const epochId of await this.snapshots.due(now)) {
      try {
        await this.ensure((await this.epochs.get(epochId)).epoch, now);
      } catch (error) {
        this.logger.warn(`snapshot of epoch ${epochId} not taken yet: ${(error as Error).message}`);
      }
    }
  }

  private async take(epoch: EpochRow): Promise<EpochSnapshot> {
    let miners: SnapshotMiner[];
    try {
      miners = await this.list(epoch);
    } catch (error) {
      if (error instanceof ResiError && error.code === 'SERVICE_UNAVAILABLE') {
        throw new ResiError(
          'SERVICE_UNAVAILABLE',
          `Epoch ${epoch.id}'s grace period ended at ${epoch.graceEndAt.toISOString()}; its audit seed, honeypot flags and ` +
            `miners' objects are served once the API has recorded what every miner stored, and the storage cannot be listed right now. ${error.message}`,
          error.details,
        );
      }
      throw error;
    }
    const snapshot: EpochSnapshot = { epochId: epoch.id, takenAt: this.clock.now(), miners };
    if (await this.snapshots.insertIfAbsent(snapshot)) {
      const objects = miners.reduce((sum, miner) => sum + miner.objects.length, 0);
      this.logger.log(`snapshot of epoch ${epoch.id}: ${miners.length} miners, ${objects} objects`);
    }
    // Read back what is stored: another replica may have stored its listing first.
    const stored = await this.snapshots.find(epoch.id);
    if (!stored) throw new Error(`snapshot of epoch ${epoch.id} vanished right after insert`);
    this.remember(stored);
    return stored;
  }

  /**
   * Every miner with a folder under `data/` or a submission row, and its capped objects of the
   * epoch; a miner with neither objects nor a row is left out.
   */
  private async list(epoch: EpochRow): Promise<SnapshotMiner[]> {
    const caps = minerEpochUploadCaps(epoch.targetListings);
    const reported = new Set((await this.submissions.forEpoch(epoch.id)).map((row) => row.hotkey));
    return this.storage.use(async (s3) => {
      // Miners that upload without ever reporting a status exist only as folders in the bucket.
      const folders = await s3.listFolders(MINER_STORAGE_HOTKEY_PREFIX);
      const uploaders = folders.map(hotkeyOfMinerStorageFolder).filter((hk): hk is string => hk !== undefined);
      const hotkeys = [...new Set([...reported, ...uploaders])].sort();
      const listed = await mapWithConcurrency(hotkeys, LISTING_CONCURRENCY, (hotkey) =>
        minerEpochObjects(s3, hotkey, epoch.id, caps),
      );
      return hotkeys
        .map((hotkey, index) => ({
          hotkey,
          objects: listed[index]!.kept,
          objectsIgnored: listed[index]!.ignored,
        }))
        .filter((miner) => reported.has(miner.hotkey) || miner.objects.length > 0 || miner.objectsIgnored !== null);
    });
  }

  private remember(snapshot: EpochSnapshot): void {
    this.stored.set(snapshot.epochId, snapshot);
    if (this.stored.size > CACHED_SNAPSHOTS) {
      const oldest = this.stored.keys().next().value;
      if (oldest !== undefined) this.stored.delete(oldest);
    }
  }
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

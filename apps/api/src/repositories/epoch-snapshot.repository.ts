import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, gt, isNull, lte } from 'drizzle-orm';
import { epochs, epochSnapshotMiners, epochSnapshots } from '../schema/index.js';
import { DATABASE } from '../tokens.js';
import type { DatabaseHandle } from './database.js';
import type { StorageObjectInfo } from './storage.repository.js';

/** Objects left out of a miner's listing by the caps (`withinUploadCaps`), as validators see it. */
export interface IgnoredObjects {
  objects: number;
  bytes: number;
  reason: string;
}

/** One miner's capped objects of the epoch as recorded. */
export interface SnapshotMiner {
  hotkey: string;
  objects: StorageObjectInfo[];
  objectsIgnored: IgnoredObjects | null;
}

/** What every miner's epoch folder held when the snapshot was taken. */
export interface EpochSnapshot {
  epochId: string;
  takenAt: Date;
  /** By hotkey, sorted. */
  miners: SnapshotMiner[];
}

/** Rows per insert statement: a few hundred miners in a handful of round trips. */
const INSERT_BATCH = 100;

interface StoredObjectJson {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
}

/** Epoch snapshots in the database. Insert-if-absent and read; nothing here ever updates one. */
@Injectable()
export class EpochSnapshotRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  async find(epochId: string): Promise<EpochSnapshot | undefined> {
    const [header] = await this.db.select().from(epochSnapshots).where(eq(epochSnapshots.epochId, epochId)).limit(1);
    if (!header) return undefined;
    const rows = await this.db
      .select()
      .from(epochSnapshotMiners)
      .where(eq(epochSnapshotMiners.epochId, epochId))
      .orderBy(asc(epochSnapshotMiners.hotkey));
    return {
      epochId,
      takenAt: header.takenAt,
      miners: rows.map((row) => ({
        hotkey: row.hotkey,
        objects: (row.objects as StoredObjectJson[]).map((o) => ({ ...o, lastModified: new Date(o.lastModified) })),
        objectsIgnored: (row.objectsIgnored as IgnoredObjects | null) ?? null,
      })),
    };
  }

  /**
   * Stores `snapshot` unless the epoch has one; returns whether this call stored it. Header and
   * miners commit together, so a reader sees a whole snapshot or none, and of replicas racing
   * exactly one wins (primary key + DO NOTHING).
   */
  async insertIfAbsent(snapshot: EpochSnapshot): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(epochSnapshots)
        .values({ epochId: snapshot.epochId, takenAt: snapshot.takenAt })
        .onConflictDoNothing()
        .returning({ epochId: epochSnapshots.epochId });
      if (inserted.length === 0) return false;
      for (let start = 0; start < snapshot.miners.length; start += INSERT_BATCH) {
        await tx.insert(epochSnapshotMiners).values(
          snapshot.miners.slice(start, start + INSERT_BATCH).map((miner) => ({
            epochId: snapshot.epochId,
            hotkey: miner.hotkey,
            objects: miner.objects.map((o): StoredObjectJson => ({
              key: o.key,
              size: o.size,
              etag: o.etag,
              lastModified: o.lastModified.toISOString(),
            })),
            objectsIgnored: miner.objectsIgnored,
          })),
        );
      }
      return true;
    });
  }

  /**
   * Stored epochs whose grace period ended by `at`, whose validation window is still open, and
   * that have no snapshot yet: the scheduler's work, oldest first.
   */
  async due(at: Date): Promise<string[]> {
    const rows = await this.db
      .select({ id: epochs.id })
      .from(epochs)
      .leftJoin(epochSnapshots, eq(epochSnapshots.epochId, epochs.id))
      .where(and(lte(epochs.graceEndAt, at), gt(epochs.validationEndAt, at), isNull(epochSnapshots.epochId)))
      .orderBy(asc(epochs.startAt));
    return rows.map((row) => row.id);
  }
}

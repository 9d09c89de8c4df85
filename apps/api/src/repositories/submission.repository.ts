import { Inject, Injectable } from '@nestjs/common';
import { type DeclaredFile, declaredFileSchema } from '@resi/core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { submissions, submissionZipcodes } from '../schema/index.js';
import { DATABASE } from '../tokens.js';
import type { DatabaseHandle } from './database.js';

export type SubmissionRow = typeof submissions.$inferSelect;
export type SubmissionZipcodeRow = typeof submissionZipcodes.$inferSelect;

export interface StatusUpdate {
  epochId: string;
  hotkey: string;
  status: string;
  listingsScraped?: number | undefined;
  s3UploadComplete: boolean;
  s3UploadTimestamp?: Date | undefined;
  zipcodes: { zipcode: string; listingsScraped: number; completedAt: Date }[];
  at: Date;
}

/** Miner progress per epoch. */
@Injectable()
export class SubmissionRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Records a status update. Idempotent: replaying an update leaves the same state. Progress is
   * never lost: zipcodes reported earlier stay, an upload once reported complete stays complete,
   * and an omitted listing count keeps the previous one.
   */
  async recordStatus(update: StatusUpdate): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .insert(submissions)
        .values({
          epochId: update.epochId,
          hotkey: update.hotkey,
          status: update.status,
          listingsScraped: update.listingsScraped ?? 0,
          s3UploadComplete: update.s3UploadComplete,
          s3UploadTimestamp: update.s3UploadTimestamp ?? null,
          firstSeenAt: update.at,
          lastUpdateAt: update.at,
          updates: 1,
        })
        .onConflictDoUpdate({
          target: [submissions.epochId, submissions.hotkey],
          set: {
            status: update.status,
            listingsScraped:
              update.listingsScraped === undefined ? sql`${submissions.listingsScraped}` : update.listingsScraped,
            s3UploadComplete: sql`${submissions.s3UploadComplete} or ${update.s3UploadComplete}`,
            s3UploadTimestamp: update.s3UploadTimestamp ?? sql`${submissions.s3UploadTimestamp}`,
            lastUpdateAt: update.at,
            updates: sql`${submissions.updates} + 1`,
          },
        });
      if (update.zipcodes.length > 0) {
        await tx
          .insert(submissionZipcodes)
          .values(
            update.zipcodes.map((z) => ({
              epochId: update.epochId,
              hotkey: update.hotkey,
              zipcode: z.zipcode,
              listingsScraped: z.listingsScraped,
              completedAt: z.completedAt,
              updatedAt: update.at,
            })),
          )
          .onConflictDoUpdate({
            target: [submissionZipcodes.epochId, submissionZipcodes.hotkey, submissionZipcodes.zipcode],
            set: {
              listingsScraped: sql`excluded.listings_scraped`,
              completedAt: sql`excluded.completed_at`,
              updatedAt: sql`excluded.updated_at`,
            },
          });
      }
    });
  }

  /**
   * Merges declared files into the miner's manifest for the epoch, by name: declaring a file again
   * replaces its size and digest, other files stay. A miner that has not reported a status yet
   * gets a row with `updates = 0` (no status reported) and status IN_PROGRESS, since it is
   * uploading. Returns the whole manifest.
   */
  async recordManifest(epochId: string, hotkey: string, files: DeclaredFile[], at: Date): Promise<DeclaredFile[]> {
    return this.db.transaction(async (tx) => {
      const where = and(eq(submissions.epochId, epochId), eq(submissions.hotkey, hotkey));
      await tx
        .insert(submissions)
        .values({ epochId, hotkey, status: 'IN_PROGRESS', firstSeenAt: at, lastUpdateAt: at, updates: 0 })
        .onConflictDoNothing();
      const [row] = await tx.select({ manifest: submissions.manifest }).from(submissions).where(where).for('update');
      const byName = new Map(manifestOf(row?.manifest ?? null)?.map((file) => [file.name, file]));
      for (const file of files) byName.set(file.name, { name: file.name, bytes: file.bytes, sha256: file.sha256 });
      const manifest = [...byName.values()];
      await tx.update(submissions).set({ manifest }).where(where);
      return manifest;
    });
  }

  async find(epochId: string, hotkey: string): Promise<SubmissionRow | undefined> {
    const rows = await this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.epochId, epochId), eq(submissions.hotkey, hotkey)))
      .limit(1);
    return rows[0];
  }

  async forEpoch(epochId: string): Promise<SubmissionRow[]> {
    return this.db.select().from(submissions).where(eq(submissions.epochId, epochId)).orderBy(asc(submissions.hotkey));
  }

  async zipcodesFor(epochId: string, hotkeys?: string[]): Promise<SubmissionZipcodeRow[]> {
    const where =
      hotkeys && hotkeys.length > 0
        ? and(eq(submissionZipcodes.epochId, epochId), inArray(submissionZipcodes.hotkey, hotkeys))
        : eq(submissionZipcodes.epochId, epochId);
    return this.db
      .select()
      .from(submissionZipcodes)
      .where(where)
      .orderBy(asc(submissionZipcodes.hotkey), asc(submissionZipcodes.zipcode));
  }

  /** Per epoch: miners by last status, uploads complete and listings claimed. */
  async participation(epochIds: string[]): Promise<Map<string, ParticipationRow>> {
    const out = new Map<string, ParticipationRow>();
    if (epochIds.length === 0) return out;
    const rows = await this.db
      .select({
        epochId: submissions.epochId,
        status: submissions.status,
        miners: sql<number>`count(*)::int`,
        uploads: sql<number>`count(*) filter (where ${submissions.s3UploadComplete})::int`,
        // Each claim fits an int32, their sum need not: as double precision it is exact far past any epoch's total.
        listings: sql<number>`coalesce(sum(${submissions.listingsScraped}), 0)::float8`,
      })
      .from(submissions)
      .where(inArray(submissions.epochId, epochIds))
      .groupBy(submissions.epochId, submissions.status);
    for (const row of rows) {
      const entry = out.get(row.epochId) ?? { byStatus: {}, uploadsComplete: 0, listingsClaimed: 0 };
      entry.byStatus[row.status] = row.miners;
      entry.uploadsComplete += row.uploads;
      entry.listingsClaimed += row.listings;
      out.set(row.epochId, entry);
    }
    return out;
  }
}

/** The declared files stored on a submission row; null when the miner never declared any. */
export function manifestOf(stored: unknown): DeclaredFile[] | null {
  if (stored === null || stored === undefined) return null;
  // Written only by recordManifest from validated input; parsing keeps a hand-edited row from leaking.
  const parsed = z.array(declaredFileSchema).safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** Whether the row carries a status the miner reported (manifest-only rows have none). */
export function hasReportedStatus(row: SubmissionRow): boolean {
  return row.updates > 0;
}

export interface ParticipationRow {
  byStatus: Record<string, number>;
  uploadsComplete: number;
  listingsClaimed: number;
}

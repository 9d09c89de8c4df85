import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, inArray, lt, lte, ne, sql } from 'drizzle-orm';
import { epochs, epochZipcodes, zipcodeHistory } from '../schema/index.js';
import { DATABASE } from '../tokens.js';
import type { DatabaseHandle } from './database.js';

export type EpochRow = typeof epochs.$inferSelect;
export type NewEpochRow = typeof epochs.$inferInsert;
export type EpochZipcodeRow = typeof epochZipcodes.$inferSelect;
export type NewEpochZipcodeRow = Omit<typeof epochZipcodes.$inferInsert, 'epochId'>;

/** Epochs and their zipcode assignments in Postgres. No rules here: those live in the services. */
@Injectable()
export class EpochRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  async findEpoch(id: string): Promise<EpochRow | undefined> {
    const rows = await this.db.select().from(epochs).where(eq(epochs.id, id)).limit(1);
    return rows[0];
  }

  async findZipcodes(epochId: string): Promise<EpochZipcodeRow[]> {
    return this.db
      .select()
      .from(epochZipcodes)
      .where(eq(epochZipcodes.epochId, epochId))
      .orderBy(asc(epochZipcodes.position));
  }

  /**
   * Inserts an epoch with its zipcodes unless the slot already has one; returns whether this
   * call created it. Exactly one row per slot however many replicas race (primary key + DO NOTHING).
   */
  async insertEpoch(epoch: NewEpochRow, zipcodes: NewEpochZipcodeRow[]): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.insert(epochs).values(epoch).onConflictDoNothing().returning({ id: epochs.id });
      if (inserted.length === 0) return false;
      if (zipcodes.length > 0) {
        await tx.insert(epochZipcodes).values(zipcodes.map((z) => ({ ...z, epochId: epoch.id })));
      }
      return true;
    });
  }

  /** The stored epoch whose [start, end) contains `at`, if any. */
  async activeAt(at: Date): Promise<EpochRow | undefined> {
    const rows = await this.db
      .select()
      .from(epochs)
      .where(and(lte(epochs.startAt, at), gt(epochs.endAt, at)))
      .orderBy(desc(epochs.startAt))
      .limit(1);
    return rows[0];
  }

  /** A stored epoch whose [start, end) overlaps [start, end) and that starts elsewhere, if any. */
  async overlapping(start: Date, end: Date): Promise<EpochRow | undefined> {
    const rows = await this.db
      .select()
      .from(epochs)
      .where(and(lt(epochs.startAt, end), gt(epochs.endAt, start), ne(epochs.startAt, start)))
      .limit(1);
    return rows[0];
  }

  /** Zipcodes assigned in the `count` epochs that started before `before` (the cooldown window). */
  async zipcodesAssignedBefore(before: Date, count: number): Promise<Set<string>> {
    if (count <= 0) return new Set();
    const recent = this.db
      .select({ id: epochs.id })
      .from(epochs)
      .where(lt(epochs.startAt, before))
      .orderBy(desc(epochs.startAt))
      .limit(count);
    const rows = await this.db
      .select({ zipcode: epochZipcodes.zipcode })
      .from(epochZipcodes)
      .where(inArray(epochZipcodes.epochId, recent));
    return new Set(rows.map((r) => r.zipcode));
  }

  /** Expected listing counts corrected by validator findings (the EMA), by zipcode. */
  async expectedListingOverrides(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ zipcode: zipcodeHistory.zipcode, expected: zipcodeHistory.expectedListings })
      .from(zipcodeHistory);
    return new Map(rows.map((r) => [r.zipcode, r.expected]));
  }

  async setStatus(id: string, status: string): Promise<void> {
    await this.db
      .update(epochs)
      .set({ status, updatedAt: sql`now()` })
      .where(and(eq(epochs.id, id), ne(epochs.status, status)));
  }

  /** Epochs whose stored status may still change (not yet ARCHIVED). */
  async unarchived(): Promise<EpochRow[]> {
    return this.db.select().from(epochs).where(ne(epochs.status, 'ARCHIVED')).orderBy(asc(epochs.startAt));
  }

  /** The `limit` latest epochs whose grace period ended by `at`, newest first. */
  async gracePeriodEndedBy(at: Date, limit: number): Promise<EpochRow[]> {
    return this.db.select().from(epochs).where(lte(epochs.graceEndAt, at)).orderBy(desc(epochs.startAt)).limit(limit);
  }

  async recent(limit: number): Promise<EpochRow[]> {
    return this.db.select().from(epochs).orderBy(desc(epochs.startAt)).limit(limit);
  }

  /** Number of assigned zipcodes per epoch. */
  async zipcodeCounts(epochIds: string[]): Promise<Map<string, number>> {
    if (epochIds.length === 0) return new Map();
    const rows = await this.db
      .select({ epochId: epochZipcodes.epochId, n: sql<number>`count(*)::int` })
      .from(epochZipcodes)
      .where(inArray(epochZipcodes.epochId, epochIds))
      .groupBy(epochZipcodes.epochId);
    return new Map(rows.map((r) => [r.epochId, r.n]));
  }

  async count(): Promise<number> {
    const rows = await this.db.select({ n: sql<number>`count(*)::int` }).from(epochs);
    return rows[0]?.n ?? 0;
  }
}

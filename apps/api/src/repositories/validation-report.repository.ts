import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { ValidatorObservation } from '../catalogue/history-consensus.js';
import { validationReports, zipcodeHistory, zipcodeObservations } from '../schema/index.js';
import { DATABASE } from '../tokens.js';
import type { DatabaseHandle } from './database.js';

export type ValidationReportRow = typeof validationReports.$inferSelect;
export type ZipcodeHistoryRow = typeof zipcodeHistory.$inferSelect;

/** A zipcode's history after folding in one epoch's consensus. */
export interface ZipcodeHistoryWrite {
  zipcode: string;
  expectedListings: number;
  /** The expected count before this epoch was folded in. */
  baseExpectedListings: number;
  /** Epochs folded in so far, this one included. */
  observations: number;
  at: Date;
}

/** Serialises history recomputations across replicas (`pg_advisory_xact_lock`). */
const HISTORY_LOCK_KEY = 4_612_008;

/** Validators' results reports and the expected-listings history they feed. I/O only. */
@Injectable()
export class ValidationReportRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /** Records a report; a validator reporting the same epoch again replaces its earlier report. */
  async saveReport(report: ValidationReportRow): Promise<void> {
    await this.db
      .insert(validationReports)
      .values(report)
      .onConflictDoUpdate({
        target: [validationReports.epochId, validationReports.validatorHotkey],
        set: {
          resultsSha256: report.resultsSha256,
          minersScored: report.minersScored,
          reportedAt: report.reportedAt,
        },
      });
  }

  /** The epoch's reports, oldest first. */
  async reportsFor(epochId: string): Promise<ValidationReportRow[]> {
    return this.db
      .select()
      .from(validationReports)
      .where(eq(validationReports.epochId, epochId))
      .orderBy(asc(validationReports.reportedAt), asc(validationReports.validatorHotkey));
  }

  async historyOf(zipcodes: readonly string[]): Promise<Map<string, ZipcodeHistoryRow>> {
    if (zipcodes.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(zipcodeHistory)
      .where(inArray(zipcodeHistory.zipcode, [...zipcodes]));
    return new Map(rows.map((row) => [row.zipcode, row]));
  }

  /** Replaces what a validator observed in an epoch's zipcodes (its newest report stands). */
  async replaceObservations(
    epochId: string,
    validatorHotkey: string,
    observations: readonly { zipcode: string; observedListings: number; stake: number }[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .delete(zipcodeObservations)
        .where(and(eq(zipcodeObservations.epochId, epochId), eq(zipcodeObservations.validatorHotkey, validatorHotkey)));
      if (observations.length === 0) return;
      await tx.insert(zipcodeObservations).values(observations.map((row) => ({ epochId, validatorHotkey, ...row })));
    });
  }

  /**
   * Recomputes the history of an epoch's zipcodes in one transaction, one recomputation at a time
   * across replicas (an advisory lock): reads every validator's observations of the epoch and the
   * zipcodes' history rows, and stores what `compute` makes of them.
   */
  async recomputeHistory(
    epochId: string,
    zipcodes: readonly string[],
    compute: (
      observations: ReadonlyMap<string, ValidatorObservation[]>,
      history: ReadonlyMap<string, ZipcodeHistoryRow>,
    ) => ZipcodeHistoryWrite[],
  ): Promise<void> {
    if (zipcodes.length === 0) return;
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${HISTORY_LOCK_KEY})`);
      const observed = await tx
        .select()
        .from(zipcodeObservations)
        .where(and(eq(zipcodeObservations.epochId, epochId), inArray(zipcodeObservations.zipcode, [...zipcodes])));
      const observations = new Map<string, ValidatorObservation[]>();
      for (const row of observed) {
        const list = observations.get(row.zipcode) ?? [];
        list.push({ validatorHotkey: row.validatorHotkey, stake: row.stake, observedListings: row.observedListings });
        observations.set(row.zipcode, list);
      }
      const rows = await tx
        .select()
        .from(zipcodeHistory)
        .where(inArray(zipcodeHistory.zipcode, [...zipcodes]));
      const history = new Map(rows.map((row) => [row.zipcode, row]));
      for (const write of compute(observations, history)) {
        const values = {
          zipcode: write.zipcode,
          expectedListings: write.expectedListings,
          baseExpectedListings: write.baseExpectedListings,
          observations: write.observations,
          lastObservedEpochId: epochId,
          updatedAt: write.at,
        };
        await tx
          .insert(zipcodeHistory)
          .values(values)
          .onConflictDoUpdate({ target: zipcodeHistory.zipcode, set: values });
      }
    });
  }
}

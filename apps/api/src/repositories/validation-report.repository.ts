import { Inject, Injectable } from '@nestjs/common';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { validationReports, zipcodeHistory } from '../schema/index.js';
import { DATABASE } from '../tokens.js';
import type { DatabaseHandle } from './database.js';

export type ValidationReportRow = typeof validationReports.$inferSelect;
export type ZipcodeHistoryRow = typeof zipcodeHistory.$inferSelect;

/** One zipcode's new expected count, observed in `epochId`. */
export interface ZipcodeObservation {
  zipcode: string;
  expectedListings: number;
  epochId: string;
  at: Date;
}

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

  /**
   * Stores new expected counts, each at most once per epoch: a row already updated from the same
   * epoch (by another validator's report, or another replica) is left as it is.
   */
  async recordObservations(observations: readonly ZipcodeObservation[]): Promise<void> {
    if (observations.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const observation of observations) {
        await tx
          .insert(zipcodeHistory)
          .values({
            zipcode: observation.zipcode,
            expectedListings: observation.expectedListings,
            observations: 1,
            lastObservedEpochId: observation.epochId,
            updatedAt: observation.at,
          })
          .onConflictDoUpdate({
            target: zipcodeHistory.zipcode,
            set: {
              expectedListings: observation.expectedListings,
              observations: sql`${zipcodeHistory.observations} + 1`,
              lastObservedEpochId: observation.epochId,
              updatedAt: observation.at,
            },
            setWhere: sql`${zipcodeHistory.lastObservedEpochId} is distinct from ${observation.epochId}`,
          });
      }
    });
  }
}

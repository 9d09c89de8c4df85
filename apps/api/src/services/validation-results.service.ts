import { Injectable } from '@nestjs/common';
import {
  type ConsensusResponse,
  ResiError,
  type ValidationResultsReportRequest,
  type ValidationResultsReportResponse,
} from '@resi/core';
import type { Caller } from '../auth/caller.js';
import { updateExpectedListings } from '../catalogue/catalogue.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { EpochRepository } from '../repositories/epoch.repository.js';
import { PublishedResultsRepository } from '../repositories/published-results.repository.js';
import { ValidationReportRepository } from '../repositories/validation-report.repository.js';
import { EpochService } from './epoch.service.js';
import { StorageService } from './storage.service.js';

const FINISHED: ReadonlySet<string> = new Set(['COMPLETED', 'ARCHIVED']);

/**
 * Validators' results reports (PROTOCOL.md §8): `POST /api/v1/validation-results` records the
 * digest of the results file a validator published, after checking that the file is there and
 * hashes to it; its per-zipcode validated counts feed the expected-listings history (real
 * zipcodes only, once per epoch). `GET /api/v1/epochs/{epochId}/consensus` groups the reports.
 */
@Injectable()
export class ValidationResultsService {
  constructor(
    private readonly reports: ValidationReportRepository,
    private readonly published: PublishedResultsRepository,
    private readonly epochRows: EpochRepository,
    private readonly epochs: EpochService,
    private readonly storage: StorageService,
    private readonly clock: ClockRepository,
  ) {}

  async report(caller: Caller, input: ValidationResultsReportRequest): Promise<ValidationResultsReportResponse> {
    const { epochId, resultsSha256 } = input;
    await this.epochs.get(epochId);
    const phase = this.epochs.phaseOf(epochId);
    if (!FINISHED.has(phase)) {
      throw new ResiError('EPOCH_NOT_OPEN', `epoch ${epochId} is ${phase}: results are reported once it is COMPLETED`);
    }
    const published = await this.storage.use(() => this.published.forValidator(caller.hotkey, epochId));
    if (!published) {
      throw new ResiError(
        'NOT_FOUND',
        `no validation_results.json is published for epoch ${epochId} under validators/hotkey=${caller.hotkey}/: ` +
          'upload it through /api/v1/s3-access/validator-upload first',
      );
    }
    if (!published.file) {
      throw new ResiError('VALIDATION_FAILED', `the published results file is not usable: ${published.problem}`);
    }
    if (published.file.results_sha256 !== resultsSha256) {
      throw new ResiError(
        'VALIDATION_FAILED',
        `the published results file's results_sha256 is ${published.file.results_sha256}, not ${resultsSha256}`,
      );
    }
    const now = this.clock.now();
    await this.reports.saveReport({
      epochId,
      validatorHotkey: caller.hotkey,
      resultsSha256,
      minersScored: input.minersScored ?? null,
      reportedAt: now,
    });
    await this.feedHistory(epochId, published.file.zipcode_rankings, now);
    const matchingReports = (await this.reports.reportsFor(epochId)).filter(
      (report) => report.resultsSha256 === resultsSha256,
    ).length;
    return {
      success: true,
      message: `results of epoch ${epochId} recorded; ${matchingReports} validator${matchingReports === 1 ? '' : 's'} reported this digest`,
      epochId,
      resultsSha256,
      receivedAt: now.toISOString(),
      matchingReports,
    };
  }

  /**
   * Folds each real zipcode's validated count (its winner's credited listings) into the zipcode's
   * expected count with `updateExpectedListings`. Honeypots are told by the API's own flags, not
   * the file's; a zipcode already updated from this epoch is not updated again.
   */
  private async feedHistory(
    epochId: string,
    rankings: readonly { zipcode: string; observed_listings: number | null }[],
    at: Date,
  ): Promise<void> {
    const assigned = new Map((await this.epochRows.findZipcodes(epochId)).map((row) => [row.zipcode, row]));
    const observed = rankings.filter(
      (ranking) => ranking.observed_listings !== null && assigned.get(ranking.zipcode)?.isHoneypot === false,
    );
    const history = await this.reports.historyOf(observed.map((ranking) => ranking.zipcode));
    await this.reports.recordObservations(
      observed
        .filter((ranking) => history.get(ranking.zipcode)?.lastObservedEpochId !== epochId)
        .map((ranking) => {
          const previous =
            history.get(ranking.zipcode)?.expectedListings ?? assigned.get(ranking.zipcode)!.expectedListings;
          return {
            zipcode: ranking.zipcode,
            expectedListings: updateExpectedListings(previous, ranking.observed_listings!),
            epochId,
            at,
          };
        }),
    );
  }

  /** The reports of an epoch grouped by digest, largest group first (ties by digest). */
  async consensus(epochId: string): Promise<ConsensusResponse> {
    await this.epochs.get(epochId);
    const reports = await this.reports.reportsFor(epochId);
    const byDigest = new Map<string, typeof reports>();
    for (const report of reports)
      byDigest.set(report.resultsSha256, [...(byDigest.get(report.resultsSha256) ?? []), report]);
    const groups = [...byDigest]
      .map(([resultsSha256, members]) => ({
        resultsSha256,
        validators: members.map((member) => ({
          hotkey: member.validatorHotkey,
          reportedAt: member.reportedAt.toISOString(),
          minersScored: member.minersScored,
        })),
      }))
      .sort((a, b) => b.validators.length - a.validators.length || (a.resultsSha256 < b.resultsSha256 ? -1 : 1));
    const [first, second] = groups;
    const tie = first !== undefined && second !== undefined && second.validators.length === first.validators.length;
    return {
      success: true,
      epochId,
      validatorsReported: reports.length,
      consensusSha256: first && !tie ? first.resultsSha256 : null,
      agreement: first ? first.validators.length / reports.length : 0,
      groups,
    };
  }
}

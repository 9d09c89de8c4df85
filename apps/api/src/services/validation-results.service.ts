import { Inject, Injectable } from '@nestjs/common';
import {
  type ConsensusResponse,
  ResiError,
  type ValidationResultsReportRequest,
  type ValidationResultsReportResponse,
  isValidatorNeuron,
} from '@resi/core';
import type { Caller } from '../auth/caller.js';
import { updateExpectedListings } from '../catalogue/catalogue.js';
import { consensusObservedListings } from '../catalogue/history-consensus.js';
import type { ApiEnv } from '../config/config.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { EpochRepository } from '../repositories/epoch.repository.js';
import type { MetagraphSource } from '../repositories/metagraph.repository.js';
import { PublishedResultsRepository } from '../repositories/published-results.repository.js';
import { ValidationReportRepository } from '../repositories/validation-report.repository.js';
import { API_CONFIG, METAGRAPH } from '../tokens.js';
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
    @Inject(API_CONFIG) private readonly config: ApiEnv,
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
  ) {}

  async report(caller: Caller, input: ValidationResultsReportRequest): Promise<ValidationResultsReportResponse> {
    const { epochId, resultsSha256 } = input;
    const { epoch } = await this.epochs.get(epochId);
    const phase = this.epochs.phaseOf(epoch);
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
    await this.feedHistory(caller, epochId, published.file.zipcode_rankings, now);
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
   * Records the validator's count for each real zipcode (its results file's `observed_listings`,
   * with the validator's stake), then recomputes the epoch's consensus per zipcode — the
   * stake-weighted median of every report so far (`consensusObservedListings`) — and folds it
   * into the zipcode's expected count with `updateExpectedListings`, from the count before this
   * epoch, so each report refines the epoch's contribution instead of adding another. Honeypots
   * are told by the API's own flags, not the file's; an epoch older than the one a zipcode last
   * learned from changes nothing.
   */
  private async feedHistory(
    caller: Caller,
    epochId: string,
    rankings: readonly { zipcode: string; observed_listings: number | null }[],
    at: Date,
  ): Promise<void> {
    const assigned = new Map((await this.epochRows.findZipcodes(epochId)).map((row) => [row.zipcode, row]));
    const real = [...assigned.values()].filter((zipcode) => !zipcode.isHoneypot);
    await this.reports.replaceObservations(
      epochId,
      caller.hotkey,
      rankings
        .filter((ranking) => ranking.observed_listings !== null && assigned.get(ranking.zipcode)?.isHoneypot === false)
        .map((ranking) => ({
          zipcode: ranking.zipcode,
          observedListings: ranking.observed_listings!,
          stake: caller.neuron.stake,
        })),
    );
    const quorumStake = this.metagraph
      .all()
      .filter((neuron) => isValidatorNeuron(neuron, this.config.VALIDATOR_MIN_STAKE))
      .reduce((sum, neuron) => sum + neuron.stake, 0);
    await this.reports.recomputeHistory(
      epochId,
      real.map((zipcode) => zipcode.zipcode),
      (observations, history) =>
        real.flatMap((zipcode) => {
          const consensus = consensusObservedListings(observations.get(zipcode.zipcode) ?? [], quorumStake);
          const row = history.get(zipcode.zipcode);
          if (consensus === null || (row?.lastObservedEpochId ?? '') > epochId) return [];
          const sameEpoch = row?.lastObservedEpochId === epochId;
          const base = sameEpoch
            ? (row.baseExpectedListings ?? row.expectedListings)
            : (row?.expectedListings ?? zipcode.expectedListings);
          return [
            {
              zipcode: zipcode.zipcode,
              expectedListings: updateExpectedListings(base, consensus),
              baseExpectedListings: base,
              observations: (row?.observations ?? 0) + (sameEpoch ? 0 : 1),
              at,
            },
          ];
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

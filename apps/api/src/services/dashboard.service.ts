import { Inject, Injectable } from '@nestjs/common';
import {
  type DashboardEpochResponse,
  type DashboardMinerScore,
  type DashboardMinersResponse,
  type DashboardOverviewResponse,
  type DashboardResultsResponse,
  type DashboardZipcodeLeaderboard,
  type MetagraphSource,
  type ValidationResultsFile,
} from '@resi/core';
import type { ZipcodeCatalogue } from '../catalogue/catalogue.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import type { MinerLabelSource } from '../repositories/miner-labels.repository.js';
import { PublishedResultsRepository } from '../repositories/published-results.repository.js';
import { SubmissionRepository } from '../repositories/submission.repository.js';
import { CATALOGUE, METAGRAPH, MINER_LABELS } from '../tokens.js';
import { AssignmentService } from './assignment.service.js';
import { EpochService } from './epoch.service.js';
import { StatsService } from './stats.service.js';
import { StorageService } from './storage.service.js';

/** Results files change only when a validator publishes; a dashboard polling every few seconds reads them this often. */
export const RESULTS_CACHE_MS = 15_000;

type Consensus = DashboardResultsResponse['consensus'];

/**
 * The public dashboard reads. Epochs come through `AssignmentService.forValidator` in `stored`
 * mode: the rule of the validator route (nothing revealed before the grace-end snapshot is
 * stored), but a public read never lists the storage and never fails for it. Results are what
 * validators published, so they exist only after the reveal that scoring needs. Nothing only
 * miners or validators may see (nonce, selection seed) is passed on.
 */
@Injectable()
export class DashboardService {
  private readonly resultsCache = new Map<string, { at: number; body: Promise<DashboardResultsResponse> }>();

  constructor(
    @Inject(CATALOGUE) private readonly catalogue: ZipcodeCatalogue,
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
    @Inject(MINER_LABELS) private readonly labels: MinerLabelSource,
    private readonly assignments: AssignmentService,
    private readonly epochs: EpochService,
    private readonly submissions: SubmissionRepository,
    private readonly published: PublishedResultsRepository,
    private readonly storage: StorageService,
    private readonly stats: StatsService,
    private readonly clock: ClockRepository,
  ) {}

  /**
   * What the dashboard polls: the current epoch with its miners, the newest finished epoch's
   * results and the recent epochs, in one request.
   */
  async overview(): Promise<DashboardOverviewResponse> {
    const current = await this.currentEpoch();
    const [miners, stats] = await Promise.all([this.miners(current.epoch.id), this.stats.stats()]);
    const results = await this.newestScoredResults(stats.recentEpochs);
    const hotkeys = new Set<string>(miners.miners.map((m) => m.hotkey));
    for (const m of results?.miners ?? []) hotkeys.add(m.hotkey);
    for (const z of results?.zipcodes ?? []) for (const r of z.ranking) hotkeys.add(r.hotkey);
    for (const g of results?.consensus.groups ?? []) for (const v of g.validators) hotkeys.add(v);
    return {
      success: true,
      serverTime: current.serverTime,
      current: { epoch: current.epoch, zipcodes: current.zipcodes },
      nextEpoch: { id: stats.epochStatus.nextEpoch.id, startTime: stats.epochStatus.nextEpoch.startTime },
      miners: miners.miners,
      results: results && {
        epochId: results.epochId,
        status: results.status,
        consensus: results.consensus,
        scoresFrom: results.scoresFrom,
        miners: results.miners,
        zipcodes: results.zipcodes,
      },
      recentEpochs: stats.recentEpochs,
      labels: this.labels.labelsOf(hotkeys),
    };
  }

  /**
   * The newest finished epoch that validators have scored: a just-finished epoch has no results
   * until its grace period is over, and the page should keep showing the last scores meanwhile.
   * Falls back to the newest finished epoch (its empty results say why) when none is scored.
   */
  private async newestScoredResults(
    recent: readonly { id: string; status: string }[],
  ): Promise<DashboardResultsResponse | null> {
    const finished = recent.filter((e) => e.status === 'COMPLETED' || e.status === 'ARCHIVED').slice(0, 3);
    let newest: DashboardResultsResponse | null = null;
    for (const epoch of finished) {
      const results = await this.results(epoch.id);
      newest ??= results;
      if (results.scoresFrom !== null) return results;
    }
    return newest;
  }

  /** The running epoch's ID, created on demand like the miners' current assignment. */
  async currentEpochId(): Promise<string> {
    return (await this.epochs.current()).epoch.id;
  }

  /** The epoch active now, created on demand like the miners' current assignment. */
  async currentEpoch(): Promise<DashboardEpochResponse> {
    const { epoch } = await this.epochs.current();
    return this.epoch(epoch.id);
  }

  /** An epoch's timing and zipcodes with coordinates; honeypots are never told apart, even after the epoch. */
  async epoch(epochId: string): Promise<DashboardEpochResponse> {
    const [assignment, view] = await Promise.all([
      this.epochs.get(epochId),
      this.assignments.forValidator(epochId, 'stored'),
    ]);
    const { epoch } = assignment;
    return {
      success: true,
      serverTime: this.clock.now().toISOString(),
      epoch: {
        id: epoch.id,
        status: view.status,
        startTime: view.epochStart,
        endTime: view.epochEnd,
        submissionDeadline: view.submissionDeadline,
        graceEnd: epoch.graceEndAt.toISOString(),
        validationEnd: epoch.validationEndAt.toISOString(),
        targetListings: view.targetListings,
        totalExpectedListings: view.metadata.totalExpectedListings,
        zipcodeCount: view.metadata.zipcodeCount,
      },
      zipcodes: view.zipcodes.map((z) => {
        const place = this.catalogue.get(z.zipcode);
        return {
          zipcode: z.zipcode,
          city: z.city,
          state: z.state,
          county: z.county,
          expectedListings: z.expectedListings,
          marketTier: z.marketTier,
          geographicRegion: z.geographicRegion,
          lat: place?.lat ?? null,
          lon: place?.lon ?? null,
        };
      }),
    };
  }

  /** Per-miner progress from status updates, most recently updated first. */
  async miners(epochId: string): Promise<DashboardMinersResponse> {
    await this.epochs.get(epochId);
    const [rows, zipcodes] = await Promise.all([
      this.submissions.forEpoch(epochId),
      this.submissions.zipcodesFor(epochId),
    ]);
    const completed = new Map<string, number>();
    for (const z of zipcodes) completed.set(z.hotkey, (completed.get(z.hotkey) ?? 0) + 1);
    const miners = rows
      .map((row) => ({
        hotkey: row.hotkey,
        uid: this.metagraph.byHotkey(row.hotkey)?.uid ?? null,
        status: row.status,
        zipcodesCompleted: completed.get(row.hotkey) ?? 0,
        listingsClaimed: row.listingsScraped,
        uploadComplete: row.s3UploadComplete,
        lastUpdate: row.lastUpdateAt.toISOString(),
      }))
      .sort((a, b) => b.lastUpdate.localeCompare(a.lastUpdate) || a.hotkey.localeCompare(b.hotkey));
    return { success: true, epochId, miners };
  }

  /**
   * Validator consensus and the agreed scores for an epoch. Before the epoch is COMPLETED the
   * lists are empty without touching storage: results carry honeypot flags.
   */
  async results(epochId: string): Promise<DashboardResultsResponse> {
    const { epoch } = await this.epochs.get(epochId);
    const status = this.epochs.phaseOf(epoch);
    if (status !== 'COMPLETED' && status !== 'ARCHIVED') return emptyResults(epochId, status);
    const now = this.clock.now().getTime();
    const cached = this.resultsCache.get(epochId);
    if (cached && now - cached.at < RESULTS_CACHE_MS) return cached.body;
    const body = this.readResults(epochId, status);
    this.resultsCache.set(epochId, { at: now, body });
    body.catch(() => this.resultsCache.delete(epochId));
    if (this.resultsCache.size > 16) this.resultsCache.delete(this.resultsCache.keys().next().value ?? epochId);
    return body;
  }

  private async readResults(epochId: string, status: DashboardResultsResponse['status']) {
    const published = await this.storage.use(() => this.published.forEpoch(epochId));
    const files = published.flatMap((entry) => (entry.file ? [{ validator: entry.validator, file: entry.file }] : []));
    const consensus = consensusOf(files);
    const agreed = files.find((entry) => entry.file.results_sha256 === consensus.consensusSha256);
    if (!agreed) return { ...emptyResults(epochId, status), consensus };
    return {
      success: true as const,
      epochId,
      status,
      consensus,
      scoresFrom: agreed.validator,
      miners: minerScoresOf(agreed.file),
      zipcodes: leaderboardsOf(agreed.file),
    };
  }
}

function emptyResults(epochId: string, status: DashboardResultsResponse['status']): DashboardResultsResponse {
  return {
    success: true,
    epochId,
    status,
    consensus: { validatorsReported: 0, consensusSha256: null, agreement: 0, groups: [] },
    scoresFrom: null,
    miners: [],
    zipcodes: [],
  };
}

/** Validators grouped by digest, largest group first; no consensus digest when the largest groups tie. */
export function consensusOf(files: readonly { validator: string; file: ValidationResultsFile }[]): Consensus {
  const byDigest = new Map<string, string[]>();
  for (const { validator, file } of files) {
    byDigest.set(file.results_sha256, [...(byDigest.get(file.results_sha256) ?? []), validator]);
  }
  const groups = [...byDigest]
    .map(([resultsSha256, validators]) => ({ resultsSha256, validators: validators.sort() }))
    .sort((a, b) => b.validators.length - a.validators.length || a.resultsSha256.localeCompare(b.resultsSha256));
  const [first, second] = groups;
  const tie = first !== undefined && second !== undefined && second.validators.length === first.validators.length;
  return {
    validatorsReported: files.length,
    consensusSha256: first && !tie ? first.resultsSha256 : null,
    agreement: first ? first.validators.length / files.length : 0,
    groups,
  };
}

/** Miners by total score, then weight, then hotkey. */
function minerScoresOf(file: ValidationResultsFile): DashboardMinerScore[] {
  return Object.entries(file.validation_results)
    .map(([hotkey, miner]) => ({
      hotkey,
      uid: miner.uid,
      outcome: miner.outcome,
      totalScore: miner.score.total_score,
      dataQuality: miner.score.data_quality,
      accuracy: miner.score.accuracy,
      completeness: miner.score.completeness,
      timeliness: miner.score.timeliness,
      weight: miner.weight,
      zipcodesWon: miner.placings.filter((p) => p.rank === 1).length,
      reasons: miner.reasons.map((r) => r.code),
    }))
    .sort((a, b) => b.totalScore - a.totalScore || b.weight - a.weight || a.hotkey.localeCompare(b.hotkey));
}

function leaderboardsOf(file: ValidationResultsFile): DashboardZipcodeLeaderboard[] {
  return file.zipcode_rankings
    .filter((z) => !z.is_honeypot)
    .map((z) => ({
      zipcode: z.zipcode,
      expectedListings: z.expected_listings,
      observedListings: z.observed_listings,
      ranking: z.ranking.map((r) => ({
        rank: r.rank,
        hotkey: r.hotkey,
        zipcodeScore: r.zipcode_score,
        creditedListings: r.credited_listings,
        reward: r.reward,
      })),
    }));
}

import { Inject, Injectable } from '@nestjs/common';
import { epochAt, type EpochSummary, epochTimes, nextEpochId, type StatsResponse } from '@resi/core';
import type { ZipcodeCatalogue } from '../catalogue/catalogue.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { EpochRepository, type EpochRow } from '../repositories/epoch.repository.js';
import type { KeyValueStore } from '../repositories/kv-store.js';
import { type ParticipationRow, SubmissionRepository } from '../repositories/submission.repository.js';
import { CATALOGUE, KV_STORE } from '../tokens.js';
import { EpochService } from './epoch.service.js';

const CACHE_KEY = 'cache:stats:v1';
const CACHE_SECONDS = 60;
const RECENT_EPOCHS = 12;

type CachedPart = Pick<StatsResponse, 'catalogue' | 'recentEpochs'>;

/**
 * GET /api/v1/zipcode-assignments/stats. The database-heavy part is cached for a minute in the
 * shared store, and refreshed at once when it does not yet hold the current epoch; the
 * clock-driven timing is computed on every call so countdowns stay exact.
 */
@Injectable()
export class StatsService {
  constructor(
    @Inject(CATALOGUE) private readonly catalogue: ZipcodeCatalogue,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
    private readonly epochs: EpochService,
    private readonly epochRows: EpochRepository,
    private readonly submissions: SubmissionRepository,
    private readonly clock: ClockRepository,
  ) {}

  async stats(): Promise<StatsResponse> {
    const now = this.clock.now();
    const config = this.epochs.epochConfig;
    const current = epochAt(now, config);
    let cached = await this.cachedPart();
    // Cached before this epoch's row existed: miners learn of a new epoch here, so never wait out the cache.
    if (!cached.recentEpochs.some((e) => e.id === current.id)) cached = await this.cachedPart({ refresh: true });
    const next = epochTimes(nextEpochId(current.id, config), config);
    const currentSummary = cached.recentEpochs.find((e) => e.id === current.id) ?? null;
    const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
    return {
      success: true,
      generatedAt: now.toISOString(),
      epochStatus: {
        currentEpoch: currentSummary ? { ...currentSummary, status: this.epochs.phaseOf(current.id, now) } : null,
        nextEpoch: {
          id: next.id,
          pendingAt: next.pendingAt.toISOString(),
          startTime: next.start.toISOString(),
          endTime: next.end.toISOString(),
        },
        timing: {
          serverTime: now.toISOString(),
          timeUntilEpochEnd: seconds(current.end.getTime() - now.getTime()),
          timeUntilNextEpoch: seconds(next.start.getTime() - now.getTime()),
          epochDurationMinutes: config.durationMinutes,
          pendingLeadMinutes: config.pendingLeadMinutes,
          gracePeriodMinutes: config.graceMinutes,
          validationWindowMinutes: config.validationWindowMinutes,
        },
      },
      catalogue: cached.catalogue,
      recentEpochs: cached.recentEpochs.map((e) => ({ ...e, status: this.epochs.phaseOf(e.id, now) })),
    };
  }

  private async cachedPart({ refresh = false } = {}): Promise<CachedPart> {
    const hit = refresh ? null : await this.store.get(CACHE_KEY);
    if (hit) return JSON.parse(hit) as CachedPart;
    // The current slot is created on demand so the figures never say "no epoch" on a fresh server.
    await this.epochs.current();
    const rows = await this.epochRows.recent(RECENT_EPOCHS);
    const ids = rows.map((r) => r.id);
    const [participation, counts] = await Promise.all([
      this.submissions.participation(ids),
      this.epochRows.zipcodeCounts(ids),
    ]);
    const stats = this.catalogue.statistics();
    const part: CachedPart = {
      catalogue: {
        zipcodes: stats.zipcodeCount,
        states: Object.keys(stats.byState).length,
        byMarketTier: { ...stats.byMarketTier },
        byRegion: { ...stats.byGeographicRegion },
      },
      recentEpochs: rows.map((row) => summarise(row, counts.get(row.id) ?? 0, participation.get(row.id))),
    };
    await this.store.set(CACHE_KEY, JSON.stringify(part), CACHE_SECONDS);
    return part;
  }
}

function summarise(row: EpochRow, zipcodeCount: number, p: ParticipationRow | undefined): EpochSummary {
  const by = p?.byStatus ?? {};
  return {
    id: row.id,
    status: row.status as EpochSummary['status'],
    startTime: row.startAt.toISOString(),
    endTime: row.endAt.toISOString(),
    submissionDeadline: row.submissionDeadline.toISOString(),
    graceEnd: row.graceEndAt.toISOString(),
    zipcodeCount,
    totalExpectedListings: row.totalExpectedListings,
    participation: {
      minersReporting: Object.values(by).reduce((a, b) => a + b, 0),
      inProgress: by.IN_PROGRESS ?? 0,
      completed: by.COMPLETED ?? 0,
      failed: by.FAILED ?? 0,
      timedOut: by.TIMEOUT ?? 0,
      uploadsComplete: p?.uploadsComplete ?? 0,
      listingsClaimed: p?.listingsClaimed ?? 0,
    },
  };
}

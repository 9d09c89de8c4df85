import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  acceptsSubmissionsAt,
  EPOCH_ID_PATTERN,
  epochAt,
  epochPhaseAt,
  epochTimes,
  type EpochConfig,
  type EpochPhase,
  type EpochTimes,
  nextEpochId,
  parseEpochId,
  ResiError,
} from '@resi/core';
import { selectEpochZipcodes } from '../assignments/selection.js';
import type { ZipcodeCatalogue } from '../catalogue/catalogue.js';
import { type ApiEnv, epochConfigOf, parseStatePriority } from '../config/config.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { EpochRepository, type EpochRow, type EpochZipcodeRow } from '../repositories/epoch.repository.js';
import { API_CONFIG, CATALOGUE, ZIPCODE_SECRET } from '../tokens.js';
import { MetricsService } from './metrics.service.js';

/** An epoch with its assignment, immutable once created. */
export interface EpochAssignment {
  epoch: EpochRow;
  zipcodes: EpochZipcodeRow[];
}

/**
 * Epoch slots and their assignments. Creating a slot is deterministic (HMAC of the secret and the
 * epoch ID over the same database state) and idempotent (one row per slot), so replicas racing,
 * restarts and scheduler re-runs all end with the same epoch.
 */
@Injectable()
export class EpochService {
  readonly epochConfig: EpochConfig;
  private readonly logger = new Logger('Epochs');
  private readonly cache = new Map<string, EpochAssignment>();
  private readonly creating = new Map<string, Promise<EpochAssignment>>();

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiEnv,
    @Inject(CATALOGUE) private readonly catalogue: ZipcodeCatalogue,
    @Inject(ZIPCODE_SECRET) private readonly secret: string,
    private readonly epochs: EpochRepository,
    private readonly clock: ClockRepository,
    private readonly metrics: MetricsService,
  ) {
    this.epochConfig = epochConfigOf(config);
  }

  /**
   * The phase of a stored epoch at `now`, from the times stored with it: a restart with other
   * EPOCH_* settings never moves an existing epoch. An ID is looked up among the epochs this
   * process has read, and only an epoch it has never seen is placed on the configured grid.
   */
  phaseOf(epoch: EpochRow | string, now = this.clock.now()): EpochPhase {
    return epochPhaseAt(this.timesOf(epoch), now, this.epochConfig);
  }

  /** The instants of `epoch`: the stored ones for a stored epoch (see `phaseOf`). */
  timesOf(epoch: EpochRow | string): EpochTimes {
    const row = typeof epoch === 'string' ? this.cache.get(epoch)?.epoch : epoch;
    if (!row) return epochTimes(epoch as string, this.epochConfig);
    return storedTimesOf(row);
  }

  /**
   * Throws unless `epoch` accepts submissions (status updates, uploads) at `now`: from its start
   * until the grace period after its deadline ends (PROTOCOL.md §3).
   */
  requireOpenForSubmissions(epoch: EpochRow, now = this.clock.now()): void {
    if (acceptsSubmissionsAt(storedTimesOf(epoch), now, this.epochConfig)) return;
    const phase = this.phaseOf(epoch, now);
    if (phase === 'SCHEDULED' || phase === 'PENDING') {
      throw new ResiError(
        'EPOCH_NOT_OPEN',
        `Epoch ${epoch.id} starts at ${epoch.startAt.toISOString()}; submit once it is active.`,
      );
    }
    throw new ResiError(
      'EPOCH_CLOSED',
      `Epoch ${epoch.id} closed for submissions at ${epoch.graceEndAt.toISOString()} (deadline plus grace); work on the current epoch instead.`,
    );
  }

  /**
   * Throws unless miners' objects of `epoch` may be read at `now`: from its stored grace end on,
   * so no one (a validator who also mines, say) reads others' data while uploads are still open.
   */
  requireReadable(epoch: EpochRow, now = this.clock.now()): void {
    const waitMs = epoch.graceEndAt.getTime() - now.getTime();
    if (waitMs <= 0) return;
    throw new ResiError(
      'EPOCH_NOT_OPEN',
      `Epoch ${epoch.id} accepts uploads until ${epoch.graceEndAt.toISOString()}; its miners' data can be read from then on.`,
      { retryAfterSeconds: Math.ceil(waitMs / 1000) },
    );
  }

  currentEpochId(now = this.clock.now()): string {
    return epochAt(now, this.epochConfig).id;
  }

  /** The assignment of an existing epoch, from memory once read (assignments never change). */
  async find(epochId: string): Promise<EpochAssignment | undefined> {
    const cached = this.cache.get(epochId);
    if (cached) return cached;
    // A stored epoch is found whatever today's grid; an unknown ID off this server's grid (e.g.
    // minutes on a 4-hour schedule) is a 400, not a 404.
    if (!EPOCH_ID_PATTERN.test(epochId)) parseEpochId(epochId, this.epochConfig);
    const epoch = await this.epochs.findEpoch(epochId);
    if (!epoch) {
      parseEpochId(epochId, this.epochConfig);
      return undefined;
    }
    const assignment = { epoch, zipcodes: await this.epochs.findZipcodes(epochId) };
    this.remember(assignment);
    return assignment;
  }

  /** Like `find`, but a missing epoch is EPOCH_NOT_FOUND. */
  async get(epochId: string): Promise<EpochAssignment> {
    const found = await this.find(epochId);
    if (!found) {
      throw new ResiError(
        'EPOCH_NOT_FOUND',
        `Epoch ${epochId} does not exist; GET /api/v1/zipcode-assignments/stats lists current and recent epochs.`,
      );
    }
    return found;
  }

  /**
   * The epoch whose ACTIVE window contains now, created on demand if the scheduler has not yet.
   * A stored epoch that still runs (e.g. a 4-hour epoch after a restart with 2-hour settings)
   * stays current until its stored end; a slot it overlaps is never created.
   */
  async current(now = this.clock.now()): Promise<EpochAssignment> {
    const id = this.currentEpochId(now);
    const found = await this.find(id);
    if (found && this.phaseOf(found.epoch, now) === 'ACTIVE') return found;
    const running = await this.epochs.activeAt(now);
    if (running) return (await this.find(running.id))!;
    return found ?? this.ensure(id);
  }

  /** Creates the epoch in slot `epochId` unless it exists; returns the stored assignment. */
  async ensure(epochId: string): Promise<EpochAssignment> {
    const existing = await this.find(epochId);
    if (existing) return existing;
    const times = epochTimes(epochId, this.epochConfig);
    const overlapped = await this.epochs.overlapping(times.start, times.end);
    if (overlapped) {
      throw new ResiError(
        'EPOCH_NOT_FOUND',
        `No epoch ${epochId}: epoch ${overlapped.id} (created under other EPOCH_* settings) runs until ${overlapped.endAt.toISOString()}; the next epoch starts on the first slot after it.`,
      );
    }
    let pending = this.creating.get(epochId);
    if (!pending) {
      pending = this.create(epochId).finally(() => this.creating.delete(epochId));
      this.creating.set(epochId, pending);
    }
    return pending;
  }

  private async create(epochId: string): Promise<EpochAssignment> {
    const times = epochTimes(epochId, this.epochConfig);
    const [cooldown, expectedOverrides] = await Promise.all([
      this.epochs.zipcodesAssignedBefore(times.start, this.config.EPOCH_COOLDOWN_EPOCHS),
      this.epochs.expectedListingOverrides(),
    ]);
    const selection = selectEpochZipcodes({
      catalogue: this.catalogue.zipcodes,
      secret: this.secret,
      epochId,
      targetListings: this.config.EPOCH_TARGET_LISTINGS,
      tolerancePercent: this.config.EPOCH_TOLERANCE_PERCENT,
      statePriority: parseStatePriority(this.config.STATE_PRIORITY),
      expectedOverrides,
      cooldown,
    });
    const honeypots = new Set(selection.honeypots);
    const created = await this.epochs.insertEpoch(
      {
        id: epochId,
        startAt: times.start,
        endAt: times.end,
        pendingAt: times.pendingAt,
        submissionDeadline: times.submissionDeadline,
        graceEndAt: times.graceEnd,
        validationEndAt: times.validationEnd,
        status: epochPhaseAt(times, this.clock.now(), this.epochConfig),
        nonce: selection.nonce,
        selectionSeed: selection.selectionSeed,
        targetListings: this.config.EPOCH_TARGET_LISTINGS,
        tolerancePercent: this.config.EPOCH_TOLERANCE_PERCENT,
        totalExpectedListings: selection.totalExpectedListings,
        algorithmVersion: selection.algorithmVersion,
      },
      selection.zipcodes.map((z, position) => ({
        zipcode: z.zipcode,
        position,
        expectedListings: z.expectedListings,
        state: z.state,
        city: z.city,
        county: z.county,
        marketTier: z.marketTier,
        geographicRegion: z.geographicRegion,
        isHoneypot: honeypots.has(z.zipcode),
      })),
    );
    if (created) {
      this.logger.log(
        `created epoch ${epochId}: ${selection.zipcodes.length} zipcodes, ${selection.totalExpectedListings} expected listings`,
      );
    }
    // Read back what is stored: another replica may have won the race with the same slot.
    const stored = await this.find(epochId);
    if (!stored) throw new Error(`epoch ${epochId} vanished right after insert`);
    return stored;
  }

  /**
   * One scheduler pass at `now`: the current slot exists, the next exists once it is PENDING, and
   * stored statuses follow the clock. Safe to run any number of times, on any replica.
   */
  async tick(now = this.clock.now()): Promise<void> {
    const current = await this.current(now).catch(notFoundAsUndefined);
    // The slot after the current epoch's stored end (or after now, between schedules).
    let nextId = nextEpochId(epochAt(now, this.epochConfig).id, this.epochConfig);
    if (current) {
      const after = epochAt(current.epoch.endAt, this.epochConfig);
      nextId = after.start < current.epoch.endAt ? nextEpochId(after.id, this.epochConfig) : after.id;
    }
    if (epochPhaseAt(epochTimes(nextId, this.epochConfig), now, this.epochConfig) !== 'SCHEDULED') {
      await this.ensure(nextId).catch(notFoundAsUndefined);
    }
    for (const epoch of await this.epochs.unarchived()) {
      const phase = this.phaseOf(epoch, now);
      if (phase !== epoch.status) await this.epochs.setStatus(epoch.id, phase);
    }
    this.metrics.epochInfo.reset();
    if (current) {
      this.metrics.epochInfo.set({ epoch_id: current.epoch.id, phase: this.phaseOf(current.epoch, now) }, 1);
    }
  }

  private remember(assignment: EpochAssignment): void {
    this.cache.set(assignment.epoch.id, assignment);
    // Keep the cache to the epochs anyone still asks about.
    if (this.cache.size > 64) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

/** The instants an epoch was created with, as stored in its row. */
export function storedTimesOf(row: EpochRow): EpochTimes {
  return {
    id: row.id,
    pendingAt: row.pendingAt,
    start: row.startAt,
    end: row.endAt,
    submissionDeadline: row.submissionDeadline,
    graceEnd: row.graceEndAt,
    validationEnd: row.validationEndAt,
  };
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof ResiError && error.code === 'EPOCH_NOT_FOUND') return undefined;
  throw error;
}

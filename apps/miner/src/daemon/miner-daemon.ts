import type { AssignedZipcode, EpochSummary, StatsResponse } from '@resi/core';
import { ApiRequestError, CircuitOpenError, type Logger, type ShutdownPlan, sleep } from '@resi/client';
import type { MinerApiClient } from '../api/miner-api-client.js';
import type { MinerMetrics } from '../observability/metrics.js';
import { type ProgressDisplay, noProgressDisplay } from '../observability/progress.js';
import { type ListingSource, SourceError, collectZipcode } from '@resi/sources';
import type { EpochState, EpochWork, WorkStore } from '../store/work-store.js';
import { packageEpoch } from '../upload/package-epoch.js';
import { UploadError, type Uploader } from '../upload/uploader.js';
import { StatusReporter, collectionSnapshot } from './status-reporter.js';

export interface MinerDaemonOptions {
  readonly api: MinerApiClient;
  readonly source: ListingSource;
  readonly store: WorkStore;
  readonly uploader: Uploader;
  readonly log: Logger;
  readonly progress?: ProgressDisplay;
  readonly metrics?: MinerMetrics;
  /** How often `/stats` is polled for a new epoch. */
  readonly pollIntervalMs?: number;
  /**
   * Collection stops this long before the submission deadline, leaving time to write and upload.
   * Default: 10% of the epoch, at most 5 minutes.
   */
  readonly uploadReserveMs?: number;
  /** Zipcodes collected at once. */
  readonly zipcodeConcurrency?: number;
  /** A progress report after this many more finished zipcodes (seed: at least every 5). */
  readonly progressEveryZipcodes?: number;
  /** Spacing of status updates; the API allows 5 a minute. */
  readonly minStatusIntervalMs?: number;
  /** Exit after one epoch has ended (for scripts and tests). */
  readonly once?: boolean;
  /** First wait between start-up health checks; grows per attempt up to a minute. */
  readonly healthRetryMs?: number;
  /** Rows per listings file; more are uploaded in parts (default `MAX_ROWS_PER_LISTINGS_FILE`). */
  readonly maxRowsPerFile?: number;
}

/** When an epoch's work must be done by, epoch milliseconds. */
interface EpochTiming {
  readonly collectUntilMs: number;
  readonly deadlineMs: number;
  /** Uploads and status updates are refused after this (PROTOCOL.md §3). */
  readonly graceEndMs: number;
}

const DEFAULT_GRACE_MS = 15 * 60_000;
/** Finished epochs whose work stays on disk, for an operator to inspect. */
const EPOCHS_KEPT = 12;

function isTransient(error: unknown, beforeMs: number): boolean {
  if (error instanceof CircuitOpenError) return error.retryAtMs < beforeMs;
  // Storage down or restarting: the packaged files wait for it, with a fresh grant each poll.
  if (error instanceof UploadError) return error.retryable && Date.now() < beforeMs;
  if (error instanceof ApiRequestError) {
    return error.retryable && (error.retryAtMs === undefined || error.retryAtMs < beforeMs);
  }
  return false;
}

/** The API refused or could not be reached: worth logging and carrying on, not crashing. */
function isApiFailure(error: unknown): boolean {
  return error instanceof ApiRequestError || error instanceof CircuitOpenError;
}

/** What the daemon is doing, for the shutdown's message. */
type Activity =
  | { readonly kind: 'idle' }
  | { readonly kind: 'collecting'; readonly work: EpochWork; readonly inFlight: Set<string>; finished: number }
  | { readonly kind: 'packaging' | 'uploading' | 'reporting'; readonly work: EpochWork };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The miner's loop (seed "Miner Integration Requirements"): waits for the API, watches `/stats`
 * for a new epoch, fetches the assignment, reports IN_PROGRESS, collects every assigned zipcode
 * through the source (reporting progress every few zipcodes), stops collecting in time to write
 * `listings.parquet` and `metadata.json`, uploads them and reports COMPLETED, or FAILED/TIMEOUT
 * with the reason in the log. All progress lives in the work store, so a restart resumes.
 */
export class MinerDaemon {
  private readonly log: Logger;
  private readonly progress: ProgressDisplay;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly progressEvery: number;
  private readonly minStatusIntervalMs: number;
  private readonly stopRequest = new AbortController();
  private activity: Activity = { kind: 'idle' };

  constructor(private readonly options: MinerDaemonOptions) {
    this.log = options.log;
    this.progress = options.progress ?? noProgressDisplay;
    this.pollIntervalMs = options.pollIntervalMs ?? 30_000;
    this.concurrency = Math.max(1, options.zipcodeConcurrency ?? 2);
    this.progressEvery = options.progressEveryZipcodes ?? 5;
    this.minStatusIntervalMs = options.minStatusIntervalMs ?? 12_000;
  }

  /**
   * Asks the daemon to stop at the next safe point: collection stops at once (finished zipcodes
   * are saved, those in flight are collected again on restart), Parquet being written is finished,
   * an upload in flight is finished (aborting `run`'s signal abandons it), nothing new starts.
   */
  stop(): void {
    this.stopRequest.abort(new Error('the miner is stopping'));
  }

  /** What a stop finishes now, and what a forced stop abandons (for the shutdown's log line). */
  shutdownPlan(): ShutdownPlan {
    const activity = this.activity;
    if (activity.kind === 'idle')
      return { finishing: 'nothing is in flight', abandoning: 'nothing (no epoch work was in flight)' };
    const epoch = `epoch ${activity.work.epochId}`;
    if (activity.kind === 'collecting') {
      const inFlight = [...activity.inFlight];
      const dropped =
        inFlight.length === 0
          ? 'none is in flight'
          : `the ${inFlight.length} in flight (${inFlight.join(', ')}) are collected again on restart`;
      const text = `the collection of ${epoch}: ${activity.finished} finished zipcodes are saved, ${dropped}`;
      return { finishing: `stopping ${text}`, abandoning: text };
    }
    if (activity.kind === 'packaging')
      return {
        finishing: `finishing writing the upload files of ${epoch} (Parquet and metadata.json); the upload starts on restart`,
        abandoning: `the upload files of ${epoch} being written; a restart writes them again`,
      };
    if (activity.kind === 'uploading') {
      const files = activity.work.state.package?.files.map((file) => file.name) ?? [];
      const stored = activity.work.state.uploadedFiles.length;
      const progress = `${stored} of ${files.length} files stored`;
      return {
        finishing: `finishing the upload of ${epoch} (${files.join(', ')}; ${progress}); COMPLETED is reported on restart`,
        abandoning: `the upload of ${epoch} (${progress}); a restart sends the files not yet stored, byte-identical`,
      };
    }
    return {
      finishing: `finishing the status report of ${epoch}`,
      abandoning: `the status report of ${epoch}; a restart reports again`,
    };
  }

  /**
   * Runs until `signal` aborts or {@link stop} is called (or, with `once`, until one epoch has
   * ended). Aborting `signal` abandons an upload in flight too; the work store stays consistent.
   */
  async run(abort: AbortSignal): Promise<void> {
    this.abortSignal = abort;
    const signal = AbortSignal.any([abort, this.stopRequest.signal]);
    try {
      await this.waitForApi(signal);
      await this.resumeEarlierEpochs(signal);
      /** The epoch whose wait was last logged, so a restarted miner says once why it is idle. */
      let waitLogged: string | undefined;
      for (;;) {
        const stats = await this.readStats(signal);
        const current = stats?.epochStatus.currentEpoch ?? null;
        if (current?.status === 'ACTIVE') {
          const stored = await this.options.store.loadEpoch(current.id);
          if (!stored?.state.finalStatus) await this.runCurrentEpoch(current, signal);
          else if (waitLogged !== current.id) {
            waitLogged = current.id;
            this.log.info('epoch already finished by this miner; waiting for the next one', {
              epochId: current.id,
              status: stored.state.finalStatus.status,
              nextEpochInSeconds: stats?.epochStatus.timing.timeUntilNextEpoch,
            });
          }
          if (this.options.once && (await this.options.store.loadEpoch(current.id))?.state.finalStatus) return;
        }
        const untilNextMs = stats ? stats.epochStatus.timing.timeUntilNextEpoch * 1000 + 1_000 : this.pollIntervalMs;
        await sleep(Math.max(1_000, Math.min(this.pollIntervalMs, untilNextMs)), signal);
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      this.activity = { kind: 'idle' };
      this.progress.stop();
    }
  }

  private abortSignal: AbortSignal = new AbortController().signal;

  /** Start-up health check: retries, saying clearly what is wrong, until the API answers ok. */
  private async waitForApi(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const health = await this.options.api.health(signal);
        if (health.status === 'ok') {
          this.log.info('connected to the API', { service: health.service, version: health.version });
          return;
        }
        this.log.warn('the API reports degraded health; waiting for it to recover', {
          database: health.database.status,
          storage: health.storage.status,
          metagraph: health.metagraph.status,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        this.log.warn('the API is not reachable; retrying', { attempt, error: describe(error) });
      }
      await sleep(Math.min(60_000, (this.options.healthRetryMs ?? 2_000) * attempt), signal);
    }
  }

  private async readStats(signal: AbortSignal): Promise<StatsResponse | undefined> {
    try {
      return await this.options.api.stats(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.log.warn('cannot read the epoch status from the API; retrying', { error: describe(error) });
      return undefined;
    }
  }

  /** Finishes epochs a previous run left behind, while the API still accepts their uploads. */
  private async resumeEarlierEpochs(signal: AbortSignal): Promise<void> {
    const stats = await this.readStats(signal);
    const known = new Map((stats?.recentEpochs ?? []).map((epoch) => [epoch.id, epoch]));
    const currentId = stats?.epochStatus.currentEpoch?.id;
    for (const epochId of await this.options.store.epochIds()) {
      if (epochId === currentId) continue;
      const work = await this.options.store.loadEpoch(epochId);
      if (!work || work.state.finalStatus) continue;
      const summary = known.get(epochId);
      const timing = this.timingOf(work, summary);
      this.log.info('resuming an unfinished epoch', { epochId });
      await this.runEpoch(work, timing, signal);
    }
  }

  private async runCurrentEpoch(summary: EpochSummary, signal: AbortSignal): Promise<void> {
    let assignment;
    try {
      assignment = await this.options.api.currentAssignments(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.log.warn('cannot fetch the zipcode assignment; retrying at the next poll', { error: describe(error) });
      return;
    }
    const work = await this.options.store.openEpoch(assignment);
    await this.runEpoch(work, this.timingOf(work, summary.id === assignment.epochId ? summary : undefined), signal);
  }

  private timingOf(work: EpochWork, summary: EpochSummary | undefined): EpochTiming {
    const { assignment } = work.state;
    const deadlineMs = Date.parse(assignment.submissionDeadline);
    const epochMs = Date.parse(assignment.epochEnd) - Date.parse(assignment.epochStart);
    const reserveMs = this.options.uploadReserveMs ?? Math.min(5 * 60_000, Math.round(epochMs * 0.1));
    return {
      deadlineMs,
      collectUntilMs: deadlineMs - reserveMs,
      graceEndMs: summary ? Date.parse(summary.graceEnd) : deadlineMs + DEFAULT_GRACE_MS,
    };
  }

  private async runEpoch(work: EpochWork, timing: EpochTiming, signal: AbortSignal): Promise<void> {
    const { epochId } = work;
    if (Date.now() >= timing.graceEndMs) {
      await this.finish(work, 'TIMEOUT', 'the epoch closed before the miner could finish it');
      return;
    }
    const reporter = new StatusReporter(this.options.api, work, this.log, this.minStatusIntervalMs, signal);
    try {
      const { assignment } = work.state;
      this.log.info('epoch assigned', {
        epochId,
        zipcodes: assignment.zipcodes.length,
        targetListings: assignment.targetListings,
        deadline: assignment.submissionDeadline,
      });
      try {
        await reporter.reportStart();
      } catch (error) {
        if (signal.aborted || !isApiFailure(error)) throw error;
        this.log.warn('IN_PROGRESS report failed; collecting anyway', { epochId, error: describe(error) });
      }
      if (!work.state.package) {
        if (Date.now() < timing.collectUntilMs) await this.collect(work, timing, reporter, signal);
        await reporter.settle();
        if (signal.aborted) throw signal.reason as Error;
        this.progress.phase('writing parquet');
        this.activity = { kind: 'packaging', work };
        await packageEpoch(work, this.options.api.hotkey, new Date(), { maxRowsPerFile: this.options.maxRowsPerFile });
        const packaged = work.state.package as EpochState['package'];
        this.log.info('upload prepared', { epochId, files: packaged?.files, listings: packaged?.totalListings });
      }
      if (!work.state.uploadCompletedAt) {
        // A stop asked for while the files were written leaves the upload to the restart.
        if (signal.aborted) throw signal.reason as Error;
        this.progress.phase('uploading');
        this.activity = { kind: 'uploading', work };
        try {
          // Only an abort interrupts an upload in flight; a stop lets it finish.
          await this.options.uploader.upload(work, this.abortSignal);
        } catch (error) {
          if (signal.aborted) throw error;
          if (isTransient(error, timing.graceEndMs)) {
            this.log.warn('upload failed; retrying at the next poll', { epochId, error: describe(error) });
            return;
          }
          const refusedAsClosed = error instanceof ApiRequestError && error.code === 'EPOCH_CLOSED';
          await this.reportAndFinish(
            work,
            reporter,
            refusedAsClosed ? 'TIMEOUT' : 'FAILED',
            `upload failed: ${describe(error)}`,
          );
          return;
        }
        await work.markUploadComplete(new Date());
        this.log.info('upload complete', { epochId });
        if (signal.aborted) throw signal.reason as Error;
      }
      this.progress.phase('reporting');
      this.activity = { kind: 'reporting', work };
      const uploadedAt = new Date(work.state.uploadCompletedAt ?? Date.now());
      try {
        await reporter.reportFinal('COMPLETED', uploadedAt);
      } catch (error) {
        if (signal.aborted) throw error;
        if (isTransient(error, timing.graceEndMs)) {
          this.log.warn('COMPLETED report failed; retrying at the next poll', { epochId, error: describe(error) });
          return;
        }
        await this.finish(work, 'FAILED', `the API refused the COMPLETED report: ${describe(error)}`);
        return;
      }
      await this.finish(work, 'COMPLETED', null);
    } finally {
      this.activity = { kind: 'idle' };
      await reporter.settle().catch(() => undefined);
      this.progress.stop();
    }
  }

  private async reportAndFinish(
    work: EpochWork,
    reporter: StatusReporter,
    status: 'FAILED' | 'TIMEOUT',
    reason: string,
  ): Promise<void> {
    try {
      await reporter.reportFinal(status, null);
    } catch (error) {
      this.log.warn(`could not report ${status}`, { epochId: work.epochId, error: describe(error) });
    }
    await this.finish(work, status, reason);
  }

  private async finish(
    work: EpochWork,
    status: 'COMPLETED' | 'FAILED' | 'TIMEOUT',
    reason: string | null,
  ): Promise<void> {
    await work.markFinal(status, new Date(), reason);
    await this.options.store.prune(EPOCHS_KEPT);
    this.options.metrics?.epochsFinished.inc({ status });
    const snapshot = await collectionSnapshot(work);
    const fields = {
      epochId: work.epochId,
      status,
      listings: snapshot.listingsScraped,
      zipcodes: snapshot.zipcodesCompleted.length,
    };
    if (status === 'COMPLETED') this.log.info('epoch completed', fields);
    else this.log.error('epoch ended without a complete upload', { ...fields, reason });
  }

  private async collect(
    work: EpochWork,
    timing: EpochTiming,
    reporter: StatusReporter,
    signal: AbortSignal,
  ): Promise<void> {
    const { source, metrics } = this.options;
    const finished = await work.finishedZipcodes();
    const pending = work.state.assignment.zipcodes.filter(({ zipcode }) => !finished.has(zipcode));
    const alreadyCollected = [...finished.values()].reduce((sum, record) => sum + record.listings.length, 0);
    this.progress.epochStarted(work.epochId, work.state.assignment.zipcodes.length, finished.size, alreadyCollected);
    metrics?.zipcodesCompleted.set(finished.size);
    if (finished.size > 0)
      this.log.info('resuming collection', { epochId: work.epochId, finished: finished.size, pending: pending.length });
    const deadline = AbortSignal.timeout(Math.max(0, timing.collectUntilMs - Date.now()));
    const zipcodeSignal = AbortSignal.any([deadline, signal]);
    const activity: Activity = { kind: 'collecting', work, inFlight: new Set(), finished: finished.size };
    this.activity = activity;

    const collectOne = async (assigned: AssignedZipcode): Promise<boolean> => {
      if (zipcodeSignal.aborted) return true;
      activity.inFlight.add(assigned.zipcode);
      try {
        const result = await collectZipcode(
          source,
          { zipcode: assigned.zipcode, expectedListings: assigned.expectedListings, signal: zipcodeSignal },
          (update) => this.progress.zipcodeProgress(update.zipcode, update.pages, update.listings),
        );
        // Cut short by shutdown (not the deadline): keep nothing, the restart collects it whole.
        if (result.cutShort && signal.aborted) return true;
        await work.saveZipcode({
          zipcode: result.zipcode,
          completedAt: new Date().toISOString(),
          cutShort: result.cutShort,
          rejects: result.rejects,
          duplicates: result.duplicates,
          listings: result.listings,
        });
        metrics?.listingsCollected.inc({ source: source.name }, result.listings.length);
        for (const [reason, count] of Object.entries(result.rejects)) {
          metrics?.listingsRejected.inc({ source: source.name, reason }, count);
        }
        if (result.duplicates > 0)
          metrics?.listingsRejected.inc({ source: source.name, reason: 'duplicate' }, result.duplicates);
        activity.finished += 1;
        metrics?.zipcodesCompleted.set((await work.finishedZipcodes()).size);
        this.progress.zipcodeFinished(result.zipcode, result.listings.length);
        this.log.info('zipcode finished', {
          epochId: work.epochId,
          zipcode: result.zipcode,
          listings: result.listings.length,
          expected: assigned.expectedListings,
          pages: result.pages,
          rejects: result.rejects,
          duplicates: result.duplicates,
          ...(result.cutShort ? { cutShort: true } : {}),
        });
        await reporter.zipcodeFinished(this.progressEvery);
        return true;
      } catch (error) {
        if (signal.aborted) return true;
        const kind = error instanceof SourceError ? error.kind : 'error';
        metrics?.sourceErrors.inc({ source: source.name, kind });
        this.log.warn('zipcode failed', {
          epochId: work.epochId,
          zipcode: assigned.zipcode,
          kind,
          error: describe(error),
        });
        return false;
      } finally {
        activity.inFlight.delete(assigned.zipcode);
      }
    };

    const failed = await runPool(pending, this.concurrency, collectOne);
    // One more pass for the zipcodes that failed (a block or rate limit may have lifted).
    if (failed.length > 0 && !zipcodeSignal.aborted) {
      this.log.info('retrying failed zipcodes', {
        epochId: work.epochId,
        zipcodes: failed.map((zipcode) => zipcode.zipcode),
      });
      await runPool(failed, this.concurrency, collectOne);
    }
    if (signal.aborted) throw signal.reason as Error;
    if (deadline.aborted)
      this.log.warn('collection stopped at the upload reserve before the deadline', { epochId: work.epochId });
  }
}

/** Runs `task` over `items`, `concurrency` at a time; returns the items whose task returned false. */
async function runPool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<boolean>): Promise<T[]> {
  const failed: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      if (!(await task(item))) failed.push(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return failed;
}

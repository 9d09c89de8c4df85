import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type EpochAssignmentsResponse,
  type EpochSubmissionsResponse,
  type EpochConfig,
  type StatsResponse,
  createEpochConfig,
  epochRevealed,
  nextEpochId,
  parseValidationResultsFile,
} from '@resi/core';
import { ApiRequestError, type Logger, type ShutdownPlan } from '@resi/client';
import type { ValidatorApiClient } from '../api/validator-api-client.js';
import type { EpochScoringInput, EpochScoringOutcome } from '../pipeline/score-epoch.js';
import type { EpochRecord, ProcessedEpochStore } from '../state/processed-epochs.js';
import type { WeightPublisher } from '../weights/weight-publisher.js';

/** Scores one epoch (`scoreEpochSubmissions` with the operator's options). */
export type EpochScorer = (input: EpochScoringInput) => Promise<EpochScoringOutcome>;

export interface ValidatorDaemonOptions {
  readonly api: ValidatorApiClient;
  readonly store: ProcessedEpochStore;
  readonly weights: WeightPublisher;
  readonly score: EpochScorer;
  /** Results files are kept under `<resultsDirectory>/epoch=<id>/validation_results.json`. */
  readonly resultsDirectory: string;
  readonly pollIntervalMs: number;
  readonly log: Logger;
  /** At most this many missed epochs are caught up after a long outage. */
  readonly maxCatchUpEpochs?: number;
}

/** The step in flight, for the shutdown's message. */
type Step = 'idle' | 'reveal' | 'reading' | 'scoring' | 'uploading' | 'reporting' | 'weights';

/** Thrown inside a poll when a stop was asked for: the epoch is left where its record says. */
class StopRequested extends Error {
  override readonly name = 'StopRequested';
}

/** Start-up failed for a reason the operator must fix (no validator permit, unregistered hotkey). */
export class ValidatorStartupError extends Error {
  override readonly name = 'ValidatorStartupError';
}

const FINISHED_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'ARCHIVED']);
/** API refusals that retrying cannot change. */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'VALIDATION_FAILED',
  'EPOCH_CLOSED',
  'EPOCH_NOT_FOUND',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'NOT_A_VALIDATOR',
  'HOTKEY_NOT_REGISTERED',
]);

/** The API cannot answer now (503: storage or database down, or the grace-end record not taken yet). */
function isUnavailable(error: unknown): error is ApiRequestError {
  return error instanceof ApiRequestError && (error.status === 503 || error.code === 'SERVICE_UNAVAILABLE');
}

function isPermanent(error: unknown): error is ApiRequestError {
  return (
    error instanceof ApiRequestError && !error.retryable && (PERMANENT_CODES.has(error.code) || error.status === 403)
  );
}

/** Waits `ms`, or less when `signal` aborts; the abort listener goes with the wait (the signal lives on). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** `work`'s result, or {@link StopRequested} as soon as `stop` aborts (the work is left to the exit). */
function untilStopped<T>(work: Promise<T>, stop: AbortSignal): Promise<T> {
  if (stop.aborted) return Promise.reject(stop.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(stop.reason as Error);
    stop.addEventListener('abort', onStop, { once: true });
    work.then(resolve, reject).finally(() => stop.removeEventListener('abort', onStop));
  });
}

async function writeFileAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/**
 * The validator's loop (seed, "Validator Integration Requirements" §1–5; PROTOCOL.md §8): checks
 * the API and its validator permit at start-up, then every poll reads `/stats`, and for each
 * epoch that has COMPLETED since it started (missed ones included) scores it once (after the grace
 * end, once the API has revealed its audit seed and honeypots: until then it waits), uploads the
 * results file, reports its digest and publishes weights for the newest one. Each step is
 * recorded, so a restart neither repeats a finished step nor skips an epoch.
 */
export class ValidatorDaemon {
  private readonly stopRequest = new AbortController();
  private step: { readonly kind: Step; readonly epochId?: string } = { kind: 'idle' };

  constructor(private readonly options: ValidatorDaemonOptions) {}

  /**
   * Asks the daemon to stop at the next safe point: a results upload, a report or a weight
   * submission in flight is finished (each is recorded once done, so a restart never repeats it),
   * scoring in flight is abandoned (nothing of it is recorded; a restart scores the epoch again,
   * to the same bytes), and nothing new starts.
   */
  stop(): void {
    this.stopRequest.abort(new StopRequested('the validator is stopping'));
  }

  /** What a stop finishes now, and what a forced stop abandons (for the shutdown's log line). */
  shutdownPlan(): ShutdownPlan {
    const epoch = `epoch ${this.step.epochId ?? '?'}`;
    switch (this.step.kind) {
      case 'idle':
        return { finishing: 'nothing is in flight', abandoning: 'nothing (no step was in flight)' };
      case 'reveal':
        return {
          finishing: 'finishing the pending weight reveals',
          abandoning: 'the pending weight reveals; a restart reveals what is still due',
        };
      case 'reading':
        return {
          finishing: `stopping before scoring ${epoch} (nothing is recorded; a restart scores it)`,
          abandoning: `the reading of ${epoch}; a restart reads it again`,
        };
      case 'scoring':
        return {
          finishing: `abandoning the scoring of ${epoch} (nothing of it is recorded; a restart scores it again, to the same results)`,
          abandoning: `the scoring of ${epoch}; a restart scores it again`,
        };
      case 'uploading':
        return {
          finishing: `finishing the results upload of ${epoch}; its report and weights follow on restart`,
          abandoning: `the results upload of ${epoch}; a restart uploads the same file again`,
        };
      case 'reporting':
        return {
          finishing: `finishing the results report of ${epoch}; its weights follow on restart`,
          abandoning: `the results report of ${epoch}; a restart reports the same digest again`,
        };
      case 'weights':
        return {
          finishing: `finishing the weights of ${epoch}`,
          abandoning: `the weights of ${epoch}; a restart publishes them again`,
        };
    }
  }

  /** Whether a stop was asked for (a poll cut short by it throws; see {@link pollUnlessStopped}). */
  get stopping(): boolean {
    return this.stopRequest.signal.aborted;
  }

  /** One poll, as `--once` runs it: a stop asked for mid-way ends it quietly. */
  async pollUnlessStopped(): Promise<void> {
    try {
      await this.poll();
    } catch (error) {
      if (!(error instanceof StopRequested)) throw error;
    }
  }

  /** Throws {@link StopRequested} when a stop was asked for: called between steps, never inside one. */
  private checkpoint(): void {
    if (this.stopRequest.signal.aborted) throw this.stopRequest.signal.reason as Error;
  }

  private enter(kind: Step, epochId?: string): void {
    this.step = epochId === undefined ? { kind } : { kind, epochId };
  }

  /** API health and permission to validate; throws `ValidatorStartupError` with what to fix. */
  async start(): Promise<void> {
    const { api, log, store } = this.options;
    await store.load();
    const health = await api.health();
    if (health.status !== 'ok')
      log.warn('the API reports a degraded state; validating anyway', { health: health.status });
    await this.options.weights.preflight().catch((error: Error) => {
      throw new ValidatorStartupError(error.message);
    });
    const stats = await api.stats();
    const probe = stats.epochStatus.currentEpoch?.id ?? stats.recentEpochs[0]?.id;
    if (probe !== undefined) {
      try {
        await api.epoch(probe);
      } catch (error) {
        if (
          error instanceof ApiRequestError &&
          (error.code === 'NOT_A_VALIDATOR' || error.code === 'HOTKEY_NOT_REGISTERED')
        ) {
          throw new ValidatorStartupError(
            `the API refuses hotkey ${api.hotkey} as a validator (${error.code}): it must be registered on the ` +
              'subnet with a validator permit and enough stake',
          );
        }
        if (!(error instanceof ApiRequestError && error.code === 'EPOCH_NOT_FOUND')) throw error;
      }
    }
    log.info('validator ready', { hotkey: api.hotkey, weights: this.options.weights.mode });
  }

  /**
   * Runs polls until `signal` aborts or {@link stop} is called; a failed poll is logged and
   * retried at the next one.
   */
  async run(signal: AbortSignal): Promise<void> {
    const stopping = AbortSignal.any([signal, this.stopRequest.signal]);
    while (!stopping.aborted) {
      try {
        await this.poll();
      } catch (error) {
        if (error instanceof StopRequested) break;
        this.options.log.error('poll failed; retrying at the next one', { error: (error as Error).message });
      }
      await sleep(this.options.pollIntervalMs, stopping);
    }
  }

  /** One poll: every epoch due is advanced as far as it can go. Returns the epochs touched. */
  async poll(): Promise<string[]> {
    try {
      return await this.pollSteps();
    } finally {
      this.enter('idle');
    }
  }

  private async pollSteps(): Promise<string[]> {
    const { api, store, log } = this.options;
    this.checkpoint();
    this.enter('reveal');
    for (const line of await this.options.weights
      .tick()
      .catch((error: Error) => [`reveal pass failed: ${error.message}`])) {
      log.info(line);
    }
    this.checkpoint();
    this.enter('idle');
    const stats = await api.stats();
    const due = this.epochsDue(stats);
    // Recorded before any work, so an epoch that completes during a crash-restart is not taken as the first.
    if (store.current.firstEpochId === null && due.length > 0) await store.setFirstEpoch(due[0]!);
    const touched: string[] = [];
    for (const epochId of due) {
      try {
        const serverNowMs = Date.parse(stats.epochStatus.timing.serverTime);
        if (await this.advance(epochId, epochId === due.at(-1), serverNowMs)) touched.push(epochId);
      } catch (error) {
        if (error instanceof StopRequested) throw error;
        log.error('epoch not finished; retrying at the next poll', { epoch: epochId, error: (error as Error).message });
      }
      // Credibility applies epochs in order: a later epoch waits until this one is scored.
      if (!store.record(epochId) && !store.current.absentEpochs.includes(epochId)) break;
    }
    return touched;
  }

  /**
   * Epochs to work on, oldest first: from the first epoch this validator handled up to the newest
   * COMPLETED or ARCHIVED one, walking the epoch grid so an epoch missed while down is not skipped.
   * On a first start only the newest finished epoch counts (older ones are history).
   */
  epochsDue(stats: StatsResponse): string[] {
    const { store } = this.options;
    const summaries = [stats.epochStatus.currentEpoch, ...stats.recentEpochs].filter((epoch) => epoch !== null);
    const finished = summaries.filter((epoch) => FINISHED_STATUSES.has(epoch.status)).map((epoch) => epoch.id);
    const newest = finished.sort().at(-1);
    if (newest === undefined) return [];
    const first = store.current.firstEpochId ?? newest;
    const state = store.current;
    const open = (epochId: string) => state.epochs[epochId]?.stage !== 'done' && !state.absentEpochs.includes(epochId);
    const timing = stats.epochStatus.timing;
    let config: EpochConfig;
    try {
      config = createEpochConfig({
        durationMinutes: timing.epochDurationMinutes,
        pendingLeadMinutes: timing.pendingLeadMinutes,
        validationWindowMinutes: timing.validationWindowMinutes,
        graceMinutes: timing.gracePeriodMinutes,
      });
    } catch {
      return [...new Set(finished)].filter((epochId) => epochId >= first && open(epochId)).sort();
    }
    const ids: string[] = [];
    const limit = this.options.maxCatchUpEpochs ?? 48;
    for (let id = first; id <= newest;) {
      ids.push(id);
      try {
        id = nextEpochId(id, config);
      } catch {
        break; // the first epoch is not on this grid (the API's epoch length changed)
      }
    }
    if (!ids.includes(newest)) ids.push(newest);
    return ids.filter(open).slice(-limit);
  }

  /** Advances one epoch through score → upload → report → weights; true when something was done. */
  private async advance(epochId: string, isNewest: boolean, serverNowMs: number): Promise<boolean> {
    const { api, store, log } = this.options;
    let record = store.record(epochId);
    this.checkpoint();
    if (!record) {
      this.enter('reading', epochId);
      let epoch: EpochAssignmentsResponse;
      try {
        epoch = await api.epoch(epochId);
      } catch (error) {
        if (error instanceof ApiRequestError && error.code === 'EPOCH_NOT_FOUND') {
          log.warn('the API has no such epoch; nothing to validate', { epoch: epochId });
          await store.markAbsent(epochId);
          return true;
        }
        if (isUnavailable(error)) return this.waitForReveal(epochId, error.message);
        throw error;
      }
      if (!FINISHED_STATUSES.has(epoch.status)) return false;
      let submissions: EpochSubmissionsResponse;
      try {
        submissions = await api.submissions(epochId);
      } catch (error) {
        // Miners' data is readable from the grace end on; until then there is nothing to score.
        if (error instanceof ApiRequestError && error.code === 'EPOCH_NOT_OPEN') return false;
        if (isUnavailable(error)) return this.waitForReveal(epochId, error.message);
        throw error;
      }
      // Uploads are accepted until the grace end: scoring earlier would miss the late ones.
      if (Date.parse(submissions.graceEnd) > serverNowMs) return false;
      // The API reveals the seed and honeypots once it recorded what the miners' folders hold at the
      // grace end. Scoring, or abstaining, without them would publish a verdict the others cannot share.
      if (!epochRevealed(epoch)) {
        return this.waitForReveal(epochId, 'the grace period has ended but the audit seed is not revealed yet');
      }
      this.checkpoint();
      this.enter('scoring', epochId);
      log.info('scoring epoch', { epoch: epochId, submissions: submissions.submissions.length });
      // A stop abandons scoring: nothing of it is recorded before the results file and the record.
      const outcome = await untilStopped(
        this.options.score({ epoch, submissions, validatorHotkey: api.hotkey, credibility: store.credibility }),
        this.stopRequest.signal,
      );
      const path = join(this.options.resultsDirectory, `epoch=${epochId}`, 'validation_results.json');
      await writeFileAtomically(path, outcome.text);
      record = await store.update(
        epochId,
        {
          stage: 'scored',
          resultsSha256: outcome.file.results_sha256,
          resultsPath: path,
          minersScored: outcome.file.summary.total_miners,
          weights: null,
          notes: [],
        },
        outcome.credibility.state,
      );
      log.info('epoch scored', {
        epoch: epochId,
        resultsSha256: record.resultsSha256,
        miners: record.minersScored,
        averageScore: outcome.file.summary.average_score,
        ms: Math.round(
          outcome.timings.download + outcome.timings.scan + outcome.timings.verification + outcome.timings.scoring,
        ),
      });
    }
    if (record.stage === 'scored') {
      this.checkpoint();
      this.enter('uploading', epochId);
      record = await this.upload(epochId, record);
    }
    if (record.stage === 'uploaded') {
      this.checkpoint();
      this.enter('reporting', epochId);
      record = await this.report(epochId, record);
    }
    if (record.stage === 'reported') {
      this.checkpoint();
      this.enter('weights', epochId);
      if (!isNewest) {
        record = await store.update(epochId, { ...record, stage: 'done', weights: 'superseded' });
      } else {
        const file = parseValidationResultsFile(await readFile(record.resultsPath, 'utf8'));
        const publication = await this.options.weights.publish(file);
        if (publication.outcome === 'retry') {
          log.warn('weights not set yet; retrying at the next poll', { epoch: epochId, reason: publication.detail });
          return true;
        }
        record = await store.update(epochId, {
          ...record,
          stage: 'done',
          weights: publication.outcome,
          notes:
            publication.outcome === 'refused'
              ? [...record.notes, `weights refused: ${publication.detail}`]
              : record.notes,
        });
        log.info('weights handled', { epoch: epochId, outcome: publication.outcome, detail: publication.detail });
      }
    }
    return true;
  }

  /** An epoch whose seed the API has not revealed yet is left for the next poll, scored by nobody. */
  private waitForReveal(epochId: string, reason: string): false {
    this.options.log.warn('waiting for the API to reveal the epoch; retrying at the next poll', {
      epoch: epochId,
      reason,
    });
    return false;
  }

  private async upload(epochId: string, record: EpochRecord): Promise<EpochRecord> {
    const { api, store, log } = this.options;
    const text = await readFile(record.resultsPath, 'utf8');
    try {
      const grant = await api.validatorUpload(epochId, Buffer.byteLength(text));
      await api.uploadToGrant(grant, text);
      log.info('results uploaded', { epoch: epochId, key: grant.key });
      return await store.update(epochId, { ...record, stage: 'uploaded' });
    } catch (error) {
      if (!isPermanent(error)) throw error;
      log.warn('results not published: the API refuses the upload', { epoch: epochId, error: error.message });
      // Without a published file the report cannot be checked, so it is skipped too.
      return store.update(epochId, {
        ...record,
        stage: 'reported',
        notes: [...record.notes, `upload refused: ${error.message}`],
      });
    }
  }

  private async report(epochId: string, record: EpochRecord): Promise<EpochRecord> {
    const { api, store, log } = this.options;
    try {
      const reply = await api.reportResults(epochId, record.resultsSha256, record.minersScored);
      log.info('results reported', { epoch: epochId, matchingReports: reply.matchingReports });
      return await store.update(epochId, { ...record, stage: 'reported' });
    } catch (error) {
      if (!isPermanent(error)) throw error;
      log.warn('the API refuses the results report', { epoch: epochId, error: error.message });
      return store.update(epochId, {
        ...record,
        stage: 'reported',
        notes: [...record.notes, `report refused: ${error.message}`],
      });
    }
  }
}

import { MAX_ZIPCODES_PER_STATUS_UPDATE, type MinerStatus, type ZipcodeProgressInput } from '@resi/core';
import { type Logger, sleep } from '@resi/client';
import type { MinerApiClient } from '../api/miner-api-client.js';
import type { EpochWork } from '../store/work-store.js';

/** What the API is told about an epoch's collection so far. */
export interface CollectionSnapshot {
  readonly listingsScraped: number;
  readonly zipcodesCompleted: ZipcodeProgressInput[];
}

/** Finished zipcodes and their listing counts, in assignment order. */
export async function collectionSnapshot(work: EpochWork): Promise<CollectionSnapshot> {
  const finished = await work.finishedZipcodes();
  const zipcodesCompleted = work.state.assignment.zipcodes
    .map(({ zipcode }) => finished.get(zipcode))
    .filter((record) => record !== undefined)
    .map((record) => ({
      zipcode: record.zipcode,
      listingsScraped: record.listings.length,
      completedAt: record.completedAt,
    }));
  return {
    listingsScraped: zipcodesCompleted.reduce((sum, zipcode) => sum + zipcode.listingsScraped, 0),
    zipcodesCompleted: zipcodesCompleted.slice(0, MAX_ZIPCODES_PER_STATUS_UPDATE),
  };
}

/**
 * Status updates of one epoch (PROTOCOL.md §5). Progress reports run in the background so
 * collection never waits on the API: requests coalesce (the latest state wins) and are spaced by
 * `minIntervalMs`, because the API allows few status updates a minute and a fast source can
 * finish five zipcodes in a second. Each update carries every zipcode finished so far, so a lost
 * one loses nothing.
 */
export class StatusReporter {
  private wanted = false;
  private running: Promise<void> | undefined;
  private lastSentMs = 0;
  private stopped = false;
  /** Cuts a progress report's wait short when the epoch moves on to its final report. */
  private readonly stopWaiting = new AbortController();

  constructor(
    private readonly api: MinerApiClient,
    private readonly work: EpochWork,
    private readonly log: Logger,
    private readonly minIntervalMs: number,
    private readonly signal: AbortSignal,
  ) {}

  /** Reports IN_PROGRESS with `listingsScraped` 0 once per epoch, as the first update. */
  async reportStart(): Promise<void> {
    if (this.work.state.startReported) return;
    await this.send('IN_PROGRESS', false);
    await this.work.markStartReported();
  }

  /** Asks for a progress report once `every` more zipcodes have finished since the last one. */
  async zipcodeFinished(every: number): Promise<void> {
    const finished = (await this.work.finishedZipcodes()).size;
    if (finished - this.work.state.zipcodesAtLastReport < every) return;
    this.wanted = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops background reports and waits for one in flight. */
  async settle(): Promise<void> {
    this.stopped = true;
    this.stopWaiting.abort();
    await this.running;
  }

  /**
   * Sends a final status (COMPLETED, FAILED or TIMEOUT); throws when the API refuses it, so the
   * caller can decide whether to try again.
   */
  async reportFinal(status: Exclude<MinerStatus, 'IN_PROGRESS'>, uploadedAt: Date | null): Promise<void> {
    await this.settle();
    // No spacing here: the API client waits out an exhausted rate-limit window by itself.
    await this.send(status, uploadedAt !== null, uploadedAt);
  }

  private async drain(): Promise<void> {
    while (this.wanted && !this.stopped && !this.signal.aborted) {
      this.wanted = false;
      try {
        await this.waitForInterval();
        if (this.stopped) return;
        const finished = (await this.work.finishedZipcodes()).size;
        await this.send('IN_PROGRESS', false);
        await this.work.markProgressReported(finished);
      } catch (error) {
        if (this.signal.aborted || this.stopped) return;
        this.log.warn('progress report failed; the next one carries the same zipcodes', { error });
      }
    }
  }

  private async waitForInterval(): Promise<void> {
    const waitMs = this.lastSentMs + this.minIntervalMs - Date.now();
    if (waitMs > 0) await sleep(waitMs, AbortSignal.any([this.signal, this.stopWaiting.signal]));
  }

  private async send(status: MinerStatus, uploadComplete: boolean, uploadedAt: Date | null = null): Promise<void> {
    const snapshot = await collectionSnapshot(this.work);
    this.lastSentMs = Date.now();
    await this.api.updateStatus(
      {
        epochId: this.work.epochId,
        nonce: this.work.state.assignment.nonce,
        status,
        listingsScraped: snapshot.listingsScraped,
        ...(snapshot.zipcodesCompleted.length > 0 ? { zipcodesCompleted: snapshot.zipcodesCompleted } : {}),
        s3UploadComplete: uploadComplete,
        ...(uploadedAt ? { s3UploadTimestamp: uploadedAt.toISOString() } : {}),
      },
      this.signal,
    );
    this.lastSentMs = Date.now();
    this.log.info('status reported', {
      epochId: this.work.epochId,
      status,
      listings: snapshot.listingsScraped,
      zipcodes: snapshot.zipcodesCompleted.length,
      s3UploadComplete: uploadComplete,
    });
  }
}

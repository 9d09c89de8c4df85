import type { ApiPromise } from '@polkadot/api';
import type { MetagraphHealth, MetagraphSource, Neuron } from '@resi/core';
import { connectSubtensor, type ConnectSubtensorOptions, type SubtensorConnection } from './connect.js';
import { describeSubtensorMetadata, inspectSubtensorMetadata, type SubtensorMetadataReport } from './metadata-check.js';
import { readMetagraphSnapshot, type ChainNeuron, type MetagraphSnapshot } from './metagraph-reader.js';

/** Where log lines go; `console` fits, and so does a Nest `Logger`. */
export interface ChainLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface ChainMetagraphOptions extends ConnectSubtensorOptions {
  connection: SubtensorConnection;
  netuid: number;
  /** Time between syncs; 5 minutes by default. */
  syncIntervalMs?: number;
  /** A copy older than this reports `stale`; three sync intervals by default. */
  staleAfterMs?: number;
  /** A sync that takes longer than this counts as failed; one minute by default. */
  syncTimeoutMs?: number;
  logger?: ChainLogger;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
}

const DEFAULT_SYNC_INTERVAL_MS = 5 * 60_000;

/**
 * The API's metagraph read from subtensor (`METAGRAPH_SOURCE=chain`): synced every few minutes,
 * and when a sync fails the last good copy keeps answering while `health()` says how old it is.
 */
export class ChainMetagraph implements MetagraphSource {
  private snapshotValue: MetagraphSnapshot | undefined;
  private byKey = new Map<string, ChainNeuron>();
  private syncedAt: number | null = null;
  private lastError: string | undefined;
  private running: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly staleAfterMs: number;
  private readonly syncTimeoutMs: number;
  private readonly source: string;

  private constructor(
    readonly api: ApiPromise,
    readonly report: SubtensorMetadataReport,
    private readonly options: ChainMetagraphOptions,
  ) {
    this.now = options.now ?? Date.now;
    const interval = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    this.staleAfterMs = options.staleAfterMs ?? 3 * interval;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 60_000;
    this.source = `chain:${typeof options.connection === 'string' ? options.connection : 'provider'}#${options.netuid}`;
  }

  /**
   * Connects, checks the runtime's metadata (throwing with the list of missing names when the
   * metagraph cannot be read), runs the first sync and starts the periodic one. A failed first
   * sync does not throw: the source reports `unavailable` and keeps trying.
   */
  static async open(options: ChainMetagraphOptions): Promise<ChainMetagraph> {
    const api = await connectSubtensor(options.connection, options);
    const report = inspectSubtensorMetadata(api);
    options.logger?.log(describeSubtensorMetadata(report));
    if (report.metagraphPath === null || report.missingForMetagraph.length > 0) {
      await api.disconnect();
      throw new Error(`subtensor cannot serve the metagraph:\n${describeSubtensorMetadata(report)}`);
    }
    const metagraph = new ChainMetagraph(api, report, options);
    await metagraph.sync();
    metagraph.timer = setInterval(() => void metagraph.sync(), options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS);
    metagraph.timer.unref();
    return metagraph;
  }

  /**
   * Reads the subnet once; on success replaces the copy, on failure keeps the old one and records
   * the error. Concurrent calls share one read. Resolves to whether this sync succeeded.
   */
  sync(): Promise<boolean> {
    this.running ??= this.syncOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async syncOnce(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const snapshot = await Promise.race([
        readMetagraphSnapshot(this.api, this.options.netuid, this.report),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`sync took longer than ${this.syncTimeoutMs / 1000} s`)),
            this.syncTimeoutMs,
          );
        }),
      ]);
      this.snapshotValue = snapshot;
      this.byKey = new Map(snapshot.neurons.map((neuron) => [neuron.hotkey, neuron]));
      this.syncedAt = this.now();
      if (this.lastError !== undefined) this.options.logger?.log(`metagraph sync recovered at block ${snapshot.block}`);
      this.lastError = undefined;
      return true;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.options.logger?.warn(
        `metagraph sync of subnet ${this.options.netuid} failed (${this.lastError}); ` +
          (this.snapshotValue ? `keeping the copy of block ${this.snapshotValue.block}` : 'no copy yet'),
      );
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last good read, with block number and hyperparameters; undefined before the first success. */
  snapshot(): MetagraphSnapshot | undefined {
    return this.snapshotValue;
  }

  byHotkey(hotkey: string): Neuron | undefined {
    return this.byKey.get(hotkey);
  }

  all(): readonly ChainNeuron[] {
    return this.snapshotValue?.neurons ?? [];
  }

  health(): MetagraphHealth {
    const ageSeconds = this.syncedAt === null ? null : Math.round((this.now() - this.syncedAt) / 1000);
    const fresh = this.syncedAt !== null && this.now() - this.syncedAt <= this.staleAfterMs;
    const status = this.syncedAt === null ? 'unavailable' : fresh && this.lastError === undefined ? 'ok' : 'stale';
    return {
      status,
      source: this.source,
      neurons: this.byKey.size,
      ageSeconds,
      ...(this.lastError !== undefined ? { error: this.lastError } : {}),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.api.disconnect();
  }
}

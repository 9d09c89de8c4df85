import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type WalletLocation, loadWallet } from '@resi/core';
import { MinerApiClient } from './api/miner-api-client.js';
import { MinerConfigError, type MinerConfig } from './config/miner-config.js';
import { MinerDaemon } from './daemon/miner-daemon.js';
import { type LogSink, type Logger, type StoppableRun, createLogger } from '@resi/client';
import { MinerMetrics } from './observability/metrics.js';
import { type ProgressDisplay, TerminalProgress, noProgressDisplay } from './observability/progress.js';
import { createListingSource } from '@resi/sources';
import { acquireStateLock } from './store/state-lock.js';
import { WorkStore } from './store/work-store.js';
import { Uploader } from './upload/uploader.js';

/** A running miner. */
export interface MinerRun extends StoppableRun {
  /** Settles when the miner has stopped (after `stop()`, or after one epoch with `once`). */
  readonly done: Promise<void>;
  /**
   * Asks the miner to stop at the next safe point: files being written and an upload in flight
   * are finished, collection in flight is dropped (the restart collects those zipcodes again).
   */
  stop(): void;
  /** Stops now: an upload in flight is abandoned too; the next start resumes from the work store. */
  abort(): void;
  readonly stateDir: string;
  readonly metricsUrl: string | undefined;
  /** The miner's log, for the shutdown's lines. */
  readonly log: Logger;
}

interface OutputStream {
  write(text: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Starts `resi miner`: loads the btcli wallet (hotkey and coldkeypub), locks the work store,
 * builds the API client, the source and the uploader from `config`, chooses the output (progress
 * bar and readable lines on a terminal, JSON lines otherwise), optionally serves `/metrics`, and
 * runs the daemon.
 */
export async function startMiner(
  config: MinerConfig,
  walletLocation: WalletLocation,
  output: { stdout: OutputStream; stderr: OutputStream } = { stdout: process.stdout, stderr: process.stderr },
): Promise<MinerRun> {
  // A feed path that is not there would make every zipcode fail and every epoch upload nothing.
  if (config.source === 'file' && config.filePath !== undefined && !existsSync(config.filePath))
    throw new MinerConfigError(
      `Invalid miner configuration:\n  --file.path (RESI_FILE_PATH): ${resolve(config.filePath)} does not exist ` +
        '(a CSV, JSON, JSON lines or Parquet feed, or a directory of <zipcode>.<ext> files)',
    );
  const wallet = await loadWallet(walletLocation);
  const stateDir = resolve(
    config.stateDir ?? join(homedir(), '.resi', 'miner', `${walletLocation.name}-${walletLocation.hotkey}`),
  );
  const releaseLock = await acquireStateLock(stateDir);

  const interactive = config.logFormat === 'pretty' || (config.logFormat === 'auto' && output.stderr.isTTY === true);
  const terminal = interactive && output.stderr.isTTY === true ? new TerminalProgress(output.stderr) : undefined;
  const progress: ProgressDisplay = terminal ?? noProgressDisplay;
  const sink: LogSink = interactive
    ? {
        beforeWrite: () => terminal?.clearLine(),
        write: (line) => {
          output.stderr.write(line);
          terminal?.redraw();
        },
      }
    : { write: (line) => output.stdout.write(line) };
  const log = createLogger({ level: config.logLevel, json: !interactive, sink });

  const metrics = new MinerMetrics();
  const served = config.metrics ? await metrics.serve(config.metrics.host, config.metrics.port) : undefined;
  const api = new MinerApiClient({
    baseUrl: config.apiUrl,
    signer: wallet.signer,
    coldkey: wallet.coldkeyAddress,
    userAgent: 'resi-miner/0.1.0',
    onCall: ({ route, status, durationMs }) =>
      metrics.apiLatency.observe({ route, status: String(status) }, durationMs / 1000),
  });
  const source = createListingSource(config, ({ source: name, status }) =>
    metrics.sourceRequests.inc({ source: name, status: String(status) }),
  );
  const uploader = new Uploader(api, {
    method: config.uploadMethod,
    onFileStored: ({ name, bytes }) => {
      metrics.uploadBytes.inc(bytes);
      log.info('file stored', { file: name, bytes });
    },
  });
  const daemon = new MinerDaemon({
    api,
    source,
    store: new WorkStore(stateDir),
    uploader,
    log,
    progress,
    metrics,
    pollIntervalMs: config.pollIntervalMs,
    uploadReserveMs: config.uploadReserveMs,
    maxRowsPerFile: config.uploadMaxRows,
    zipcodeConcurrency: config.politeness.concurrency,
    once: config.once,
  });
  log.info('miner starting', {
    hotkey: wallet.hotkey.address,
    coldkey: wallet.coldkeyAddress,
    netuid: config.netuid,
    network: config.network,
    api: config.apiUrl,
    source: config.source,
    upload: config.uploadMethod,
    stateDir,
    ...(served ? { metrics: served.url } : {}),
  });

  const controller = new AbortController();
  const done = daemon.run(controller.signal).finally(async () => {
    await source.close?.();
    await served?.close();
    await releaseLock();
    log.info('miner stopped');
  });
  return {
    done,
    stop: () => daemon.stop(),
    abort: () => controller.abort(new Error('the miner is stopping now')),
    plan: () => daemon.shutdownPlan(),
    stateDir,
    metricsUrl: served?.url,
    log,
  };
}

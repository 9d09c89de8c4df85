import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type WalletLocation, loadHotkey, signerFromKeypair } from '@resi/core';
import { resolveSubtensorTarget } from '@resi/chain';
import { type Logger, type StoppableRun, createLogger } from '@resi/client';
import { SourceFeeds, describeFeedProgress } from '@resi/sources';
import { ValidatorApiClient } from './api/validator-api-client.js';
import type { ValidatorConfig } from './config/validator-config.js';
import { ValidatorDaemon } from './daemon/validator-daemon.js';
import { HttpObjectFetcher } from './download/object-fetcher.js';
import { DEFAULT_DOWNLOAD_LIMITS } from './download/verified-download.js';
import { scoreEpochSubmissions } from './pipeline/score-epoch.js';
import { ProcessedEpochStore } from './state/processed-epochs.js';
import { ChainWeightPublisher, PrintWeightPublisher, type WeightPublisher } from './weights/weight-publisher.js';

/** A running validator. */
export interface ValidatorRun extends StoppableRun {
  /** Settles when the validator has stopped (after `stop()`, or after one poll with `once`). */
  readonly done: Promise<void>;
  /** Stops at the next safe point: an upload, report or weights in flight finish; scoring is abandoned. */
  stop(): void;
  readonly stateDir: string;
  /** The validator's log, for the shutdown's lines. */
  readonly log: Logger;
}

interface OutputStream {
  write(text: string): boolean;
  readonly isTTY?: boolean;
}

/**
 * Starts `resi validator`: loads the btcli hotkey, opens the state directory, connects to
 * subtensor for weights (unless `--no-set-weights`), builds the verification sources from
 * @resi/sources (rows routed by their site), checks the API and the validator permit, and polls
 * until stopped.
 */
export async function startValidator(
  config: ValidatorConfig,
  walletLocation: WalletLocation,
  output: { stdout: OutputStream; stderr: OutputStream } = { stdout: process.stdout, stderr: process.stderr },
): Promise<ValidatorRun> {
  const hotkey = await loadHotkey(walletLocation);
  const stateDir = resolve(
    config.stateDir ?? join(homedir(), '.resi', 'validator', `${walletLocation.name}-${walletLocation.hotkey}`),
  );
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && output.stderr.isTTY === true);
  const log: Logger = createLogger({
    level: config.logLevel,
    json: !pretty,
    sink: { write: (line) => (pretty ? output.stderr : output.stdout).write(line) },
  });

  const weights: WeightPublisher = config.setWeights
    ? await ChainWeightPublisher.connect({
        ...resolveSubtensorTarget({ network: config.network, endpoint: config.chainEndpoint, netuid: config.netuid }),
        keypair: hotkey.keypair,
        versionKey: config.versionKey,
        burnShare: config.burnShare,
        burnUid: config.burnUid,
        stateDir,
        mechanism: config.mechanism,
        commitReveal: config.commitReveal,
        log: (message) => log.info(message),
        warn: (message) => log.warn(message),
      })
    : new PrintWeightPublisher({ burnShare: config.burnShare, burnUid: config.burnUid }, (text) =>
        output.stdout.write(`${text}\n`),
      );
  // One fetch per (source, zipcode) per epoch, shared by every miner's checks, within the budget;
  // progress every 15 s and when the last feed settles.
  let lastProgressMs = 0;
  const feeds = SourceFeeds.fromConfigs(config.verification.sources, {
    budget: config.verification.budget,
    onProgress: (progress) => {
      const nowMs = Date.now();
      if (progress.feedsPending > 0 && nowMs - lastProgressMs < 15_000) return;
      lastProgressMs = nowMs;
      log.info(`verification ${describeFeedProgress(progress)}`, { requests: progress.totalRequests });
    },
  });
  const verification = feeds;
  const daemon = new ValidatorDaemon({
    api: new ValidatorApiClient({ baseUrl: config.apiUrl, signer: signerFromKeypair(hotkey.keypair), log }),
    store: new ProcessedEpochStore(join(stateDir, 'state.json'), hotkey.address),
    weights,
    resultsDirectory: join(stateDir, 'results'),
    pollIntervalMs: config.pollIntervalMs,
    log,
    score: (input) => {
      feeds.startEpoch();
      return scoreEpochSubmissions(input, {
        workDirectory: join(stateDir, 'work'),
        fetcher: new HttpObjectFetcher(),
        verification,
        downloadConcurrency: config.downloadConcurrency,
        verificationConcurrency: config.verifyConcurrency,
        credibility: config.credibility,
        downloadLimits: { ...DEFAULT_DOWNLOAD_LIMITS, maxFileBytes: config.maxFileBytes },
        ...(config.minerTimeLimitMs === undefined ? {} : { minerTimeLimitMs: config.minerTimeLimitMs }),
        duckdb: {
          memoryLimit: config.duckdbMemory,
          ...(config.duckdbThreads === undefined ? {} : { threads: config.duckdbThreads }),
        },
        log: (message) => log.info(message),
      });
    },
  });
  const release = async () => {
    await Promise.allSettled([weights.close(), verification.close()]);
  };
  try {
    await daemon.start();
  } catch (error) {
    await release();
    throw error;
  }
  const controller = new AbortController();
  const done = (async () => {
    try {
      if (config.once) await daemon.pollUnlessStopped();
      else await daemon.run(controller.signal);
    } finally {
      await release();
    }
  })();
  return {
    done,
    stop: () => daemon.stop(),
    // Nothing in a step listens for an abort: the exit that follows a forced stop ends it.
    abort: () => {
      daemon.stop();
      controller.abort();
    },
    plan: () => daemon.shutdownPlan(),
    stateDir,
    log,
  };
}

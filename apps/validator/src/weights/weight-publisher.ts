import { join } from 'node:path';
import { type Sr25519Keypair, type ValidationResultsFile } from '@resi/core';
import {
  SubtensorWeightSetter,
  WeightsRefusedError,
  connectSubtensor,
  describeSubtensorMetadata,
  inspectSubtensorMetadata,
  keyringPairOf,
  type SubtensorConnection,
} from '@resi/chain';
import { WeightMetricsFile } from './weight-metrics.js';
import {
  type WeightTableRow,
  credibilityByUid,
  formatWeightTable,
  resultsFileUidOf,
  weightTableOf,
} from './weight-table.js';

/** What happened to an epoch's weights. */
export type WeightPublication =
  | { readonly outcome: 'set' | 'committed' | 'printed'; readonly table: WeightTableRow[]; readonly detail: string }
  /** Not now (rate limit, chain unreachable): try again on the next poll. */
  | { readonly outcome: 'retry'; readonly detail: string }
  /** Never for this epoch (no permit, nothing to emit, ...). */
  | { readonly outcome: 'refused'; readonly detail: string };

/** Where weights go: the chain, or a printed table (`--no-set-weights`). */
export interface WeightPublisher {
  readonly mode: 'chain' | 'print';
  /** Start-up check; throws a sentence saying what is wrong (not registered, no validator permit). */
  preflight(): Promise<void>;
  publish(file: ValidationResultsFile): Promise<WeightPublication>;
  /** Periodic duty (commit-reveal reveals); called every poll. */
  tick(): Promise<string[]>;
  close(): Promise<void>;
}

export interface WeightShareOptions {
  readonly burnShare: number;
  readonly burnUid?: number | undefined;
}

/**
 * `--no-set-weights`: prints the table the chain would receive. Uids are the API's (from the
 * submissions); validators cannot be told apart without the chain, so none is excluded here.
 */
export class PrintWeightPublisher implements WeightPublisher {
  readonly mode = 'print';

  constructor(
    private readonly options: WeightShareOptions,
    private readonly print: (text: string) => void,
  ) {}

  preflight(): Promise<void> {
    return Promise.resolve();
  }

  publish(file: ValidationResultsFile): Promise<WeightPublication> {
    const table = weightTableOf(file, {
      uidOf: (hotkey) => resultsFileUidOf(file, hotkey),
      excludeUids: [],
      ...this.options,
    });
    this.print(`weights for epoch ${file.epoch_id} (not submitted: --no-set-weights)\n${formatWeightTable(table)}`);
    return Promise.resolve({ outcome: 'printed', table, detail: `${table.length} uids printed` });
  }

  tick(): Promise<string[]> {
    return Promise.resolve([]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface ChainWeightOptions extends WeightShareOptions {
  /** A websocket URL, or a ready provider (tests). */
  readonly endpoint: SubtensorConnection;
  readonly netuid: number;
  readonly keypair: Sr25519Keypair;
  readonly versionKey: bigint;
  /** The validator's state directory: pending commits, timelocked commits and the metrics file live there. */
  readonly stateDir: string;
  /** Subnet mechanism (0 by default). */
  readonly mechanism?: number | undefined;
  /** With commit-reveal on: timelocked commits (default) or hash commit/reveal. */
  readonly commitReveal?: 'timelocked' | 'hash' | undefined;
  readonly log: (message: string) => void;
  readonly warn?: ((message: string) => void) | undefined;
}

/** What the chain publisher uses of `SubtensorWeightSetter` (a seam for tests). */
export type MinerWeightSetter = Pick<SubtensorWeightSetter, 'preflight' | 'setMinerWeights' | 'revealDue'>;

/** Files the chain publisher keeps in the state directory. */
export const WEIGHT_STATE_FILES = {
  pendingHashCommits: 'pending-weight-commits.json',
  timelockedCommits: 'timelocked-weight-commits.json',
  metrics: 'weights.prom',
} as const;

/**
 * Sets weights on subtensor through `@resi/chain`: `set_weights` when the subnet has commit-reveal
 * off, a timelocked (CR v4) commit when it is on (hash commit/reveal on request). Miners are
 * mapped to uids by the chain's own metagraph, validators and this validator excluded, the rate
 * limit honoured (a refused `rate-limited` set is retried). Every poll reports what the chain did
 * with earlier timelocked commits, and exports it as metrics.
 */
export class ChainWeightPublisher implements WeightPublisher {
  readonly mode = 'chain';

  constructor(
    private readonly setter: MinerWeightSetter,
    private readonly options: WeightShareOptions & {
      readonly log: (message: string) => void;
      readonly warn?: ((message: string) => void) | undefined;
    },
    private readonly disconnect: () => Promise<void> = () => Promise.resolve(),
    private readonly metrics?: WeightMetricsFile,
  ) {}

  static async connect(options: ChainWeightOptions): Promise<ChainWeightPublisher> {
    const api = await connectSubtensor(options.endpoint);
    try {
      const report = inspectSubtensorMetadata(api);
      options.log(describeSubtensorMetadata(report));
      const setter = new SubtensorWeightSetter(api, report, {
        netuid: options.netuid,
        signer: keyringPairOf(options.keypair),
        versionKey: options.versionKey,
        burnShare: options.burnShare,
        ...(options.burnUid === undefined ? {} : { burnUid: options.burnUid }),
        pendingCommitPath: join(options.stateDir, WEIGHT_STATE_FILES.pendingHashCommits),
        timelockedCommitPath: join(options.stateDir, WEIGHT_STATE_FILES.timelockedCommits),
        mechanism: options.mechanism ?? 0,
        commitReveal: options.commitReveal ?? 'timelocked',
        logger: { log: options.log, warn: options.warn ?? options.log },
      });
      return new ChainWeightPublisher(
        setter,
        options,
        () => api.disconnect(),
        new WeightMetricsFile(join(options.stateDir, WEIGHT_STATE_FILES.metrics)),
      );
    } catch (error) {
      await api.disconnect();
      throw error;
    }
  }

  async preflight(): Promise<void> {
    try {
      await this.setter.preflight();
    } catch (error) {
      // Rate limiting is not a start-up problem: weights were set recently, that is all.
      if (error instanceof WeightsRefusedError && error.reason === 'rate-limited') return;
      throw error;
    }
  }

  async publish(file: ValidationResultsFile): Promise<WeightPublication> {
    try {
      const { snapshot, self } = await this.setter.preflight();
      const uidByHotkey = new Map(snapshot.neurons.map((neuron) => [neuron.hotkey, neuron.uid]));
      const table = weightTableOf(file, {
        uidOf: (hotkey) => uidByHotkey.get(hotkey),
        excludeUids: [
          self.uid,
          ...snapshot.neurons.filter((neuron) => neuron.validatorPermit).map((neuron) => neuron.uid),
        ],
        burnShare: this.options.burnShare,
        burnUid: this.options.burnUid,
      });
      this.options.log(`weights for epoch ${file.epoch_id}\n${formatWeightTable(table)}`);
      const scores = credibilityByUid(file, (hotkey) => uidByHotkey.get(hotkey));
      const submission = await this.setter.setMinerWeights(scores);
      return {
        outcome: submission.kind === 'set' ? 'set' : 'committed',
        table,
        detail:
          submission.kind === 'set'
            ? `set_weights in tx ${submission.txHash}`
            : submission.kind === 'timelocked'
              ? `timelocked commit ${submission.commitHash} for drand round ${submission.revealRound} ` +
                `(reveal expected near block ${submission.revealBlock}) in tx ${submission.txHash}`
              : `commit_weights in tx ${submission.txHash}`,
      };
    } catch (error) {
      if (error instanceof WeightsRefusedError) {
        return error.reason === 'rate-limited'
          ? { outcome: 'retry', detail: error.message }
          : { outcome: 'refused', detail: error.message };
      }
      return { outcome: 'retry', detail: (error as Error).message };
    }
  }

  async tick(): Promise<string[]> {
    const outcomes = await this.setter.revealDue();
    this.metrics?.record(outcomes);
    const lines: string[] = [];
    for (const outcome of outcomes) {
      const line = `reveal ${outcome.commitHash}: ${outcome.kind}${'detail' in outcome ? ` (${outcome.detail})` : ''}`;
      // Weights that did not take effect leave the miners unpaid by this validator: a warning, not news.
      if (outcome.kind === 'not-revealed') (this.options.warn ?? this.options.log)(`WEIGHTS NOT APPLIED: ${line}`);
      else lines.push(line);
    }
    return lines;
  }

  async close(): Promise<void> {
    await this.disconnect();
  }
}

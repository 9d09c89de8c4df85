import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { convertWeightsAndUidsForEmit, planWeights, type EmittedWeights } from '@resi/core';
import { z } from 'zod';
import { PendingCommitFile, randomWeightSalt, weightCommitHash, type PendingWeightCommit } from './commit-reveal.js';
import type { ChainLogger } from './chain-metagraph.js';
import type { SubtensorMetadataReport } from './metadata-check.js';
import { readMetagraphSnapshot, type ChainNeuron, type MetagraphSnapshot } from './metagraph-reader.js';
import { ExtrinsicFailedError, signAndSubmit, type ExtrinsicReceipt } from './submit.js';

/** Why weights were not submitted; the message says what to do. */
export type WeightRefusal =
  | 'not-registered'
  | 'no-validator-permit'
  | 'version-key-too-low'
  | 'rate-limited'
  | 'too-few-weights'
  | 'nothing-to-emit'
  | 'commit-reveal-unsupported';

export class WeightsRefusedError extends Error {
  constructor(
    readonly reason: WeightRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'WeightsRefusedError';
  }
}

export interface WeightSetterOptions {
  netuid: number;
  /** The validator's hotkey as a signing pair (see `keyringPairOf`). */
  signer: KeyringPair;
  /** The validator software's weights version key; must be ≥ the subnet's `WeightsVersionKey`. */
  versionKey: bigint;
  /** Share of the weight burnt to `burnUid` (PROTOCOL.md §8); 0 by default. */
  burnShare?: number;
  burnUid?: number;
  /** Where pending commits live between commit and reveal. */
  pendingCommitPath: string;
  logger?: ChainLogger;
}

/** What was submitted. */
export type WeightSubmission =
  | ({ kind: 'set' } & EmittedWeights & ExtrinsicReceipt & { block: number })
  | ({ kind: 'committed'; commitHash: string } & EmittedWeights & ExtrinsicReceipt & { block: number });

/** What happened to one pending commit on a reveal pass. */
export type RevealOutcome =
  | { commitHash: string; kind: 'revealed'; receipt: ExtrinsicReceipt }
  | { commitHash: string; kind: 'waiting'; detail: string }
  | { commitHash: string; kind: 'dropped'; detail: string };

const commitTuple = z.tuple([z.string(), z.number(), z.number(), z.number()]);

/**
 * Whether a commit can be revealed now. Current runtimes store `(hash, commit_epoch, commit_block, 0)`
 * and open the reveal in epoch `commit_epoch + reveal_period` of the `SubnetEpochIndex` counter
 * (pass `epoch`); older ones stored `(hash, commit_block, first_reveal_block, last_reveal_block)`
 * (leave `epoch` undefined). `stored` is the tuple without the hash.
 */
export function weightRevealWindow(
  [a, b, c]: readonly [number, number, number],
  block: number,
  epoch: number | undefined,
  revealPeriod: number,
): 'open' | 'expired' | { waiting: string } {
  if (epoch !== undefined) {
    const revealEpoch = a + revealPeriod;
    if (epoch > revealEpoch) return 'expired';
    return epoch === revealEpoch ? 'open' : { waiting: `reveal opens in subnet epoch ${revealEpoch} (now ${epoch})` };
  }
  if (block > c) return 'expired';
  return block >= b ? 'open' : { waiting: `reveal opens at block ${b} (now ${block})` };
}

/**
 * Sets a validator's weights on subtensor: plans them from miner scores (own uid and validators
 * excluded, burn share applied), converts them like the Python SDK, checks what the chain would
 * refuse, and submits `set_weights`, or `commit_weights` then later `reveal_weights` when the
 * subnet has commit-reveal enabled.
 *
 * Timelocked commits (CR v4, `commit_timelocked_weights` with drand ciphertexts) are not produced;
 * see the package README. When a runtime offers only those, submission is refused.
 */
export class SubtensorWeightSetter {
  private readonly pending: PendingCommitFile;
  readonly hotkey: string;

  constructor(
    private readonly api: ApiPromise,
    private readonly report: SubtensorMetadataReport,
    private readonly options: WeightSetterOptions,
  ) {
    const blocking = report.missingForWeights.filter((name) => !/commit_weights|reveal_weights/.test(name));
    if (report.metagraphPath === null || report.missingForMetagraph.length > 0 || blocking.length > 0) {
      throw new Error(
        `this subtensor runtime lacks what weight setting needs: ${[...report.missingForMetagraph, ...blocking].join('; ')}`,
      );
    }
    if (options.versionKey < 0n || options.versionKey >= 2n ** 64n)
      throw new RangeError('the version key must be a u64');
    this.pending = new PendingCommitFile(options.pendingCommitPath);
    this.hotkey = options.signer.address;
  }

  /** The subnet at the finalized head, and our own neuron in it; refuses when we are not a registered validator. */
  async preflight(): Promise<{ snapshot: MetagraphSnapshot; self: ChainNeuron }> {
    const snapshot = await readMetagraphSnapshot(this.api, this.options.netuid, this.report);
    const self = snapshot.neurons.find((neuron) => neuron.hotkey === this.hotkey);
    if (!self) {
      throw new WeightsRefusedError(
        'not-registered',
        `hotkey ${this.hotkey} is not registered on subnet ${this.options.netuid}: register it before setting weights`,
      );
    }
    if (!self.validatorPermit) {
      throw new WeightsRefusedError(
        'no-validator-permit',
        `uid ${self.uid} has no validator permit on subnet ${this.options.netuid}: it needs more stake than the top-K validators`,
      );
    }
    const { weightsVersionKey, weightsRateLimit } = snapshot.hyperparameters;
    if (this.options.versionKey < weightsVersionKey) {
      throw new WeightsRefusedError(
        'version-key-too-low',
        `version key ${this.options.versionKey} is below the subnet's WeightsVersionKey ${weightsVersionKey}: update the validator`,
      );
    }
    const blocksSince = snapshot.block - self.lastUpdate;
    if (self.lastUpdate !== 0 && blocksSince < weightsRateLimit) {
      throw new WeightsRefusedError(
        'rate-limited',
        `weights were set ${blocksSince} blocks ago; the subnet allows one set every ${weightsRateLimit} blocks ` +
          `(next from block ${self.lastUpdate + weightsRateLimit})`,
      );
    }
    return { snapshot, self };
  }

  /**
   * Plans, converts, checks and submits weights for `scores` (miner uid → non-negative score).
   * Validators (neurons with a permit) and our own uid are excluded; the burn share goes to the
   * configured uid.
   */
  async setMinerWeights(scores: ReadonlyMap<number, number>): Promise<WeightSubmission> {
    const { snapshot, self } = await this.preflight();
    const validators = snapshot.neurons.filter((neuron) => neuron.validatorPermit).map((neuron) => neuron.uid);
    const plan = planWeights({
      scores,
      excludeUids: [self.uid, ...validators],
      burnShare: this.options.burnShare ?? 0,
      burnUid: this.options.burnUid,
    });
    if (plan.uids.length === 0)
      throw new WeightsRefusedError('nothing-to-emit', 'no miner has a positive score and no burn uid is set');
    const weights = convertWeightsAndUidsForEmit(plan.uids, plan.weights);
    const known = new Set(snapshot.neurons.map((neuron) => neuron.uid));
    const unknown = weights.uids.filter((uid) => !known.has(uid));
    if (unknown.length > 0) throw new RangeError(`uids ${unknown.join(', ')} are not on subnet ${this.options.netuid}`);
    const { minAllowedWeights, commitRevealEnabled } = snapshot.hyperparameters;
    if (weights.uids.length < minAllowedWeights) {
      throw new WeightsRefusedError(
        'too-few-weights',
        `${weights.uids.length} non-zero weights, the subnet requires at least ${minAllowedWeights}`,
      );
    }
    const module = this.api.tx.subtensorModule!;
    const netuid = this.options.netuid;
    if (!commitRevealEnabled) {
      const receipt = await signAndSubmit(
        this.api,
        module.setWeights!(netuid, weights.uids, weights.values, this.options.versionKey),
        this.options.signer,
        'set_weights',
      );
      this.options.logger?.log(`set_weights: ${weights.uids.length} uids on subnet ${netuid} (tx ${receipt.txHash})`);
      return { kind: 'set', ...weights, ...receipt, block: snapshot.block };
    }
    if (!module.commitWeights || !module.revealWeights) {
      throw new WeightsRefusedError(
        'commit-reveal-unsupported',
        `subnet ${netuid} has commit-reveal enabled but this runtime has no commit_weights/reveal_weights: ` +
          'it only takes timelocked (CR v4) commits, which resi does not produce; weights were not submitted',
      );
    }
    return this.commit(weights, snapshot.block);
  }

  private async commit(weights: EmittedWeights, block: number): Promise<WeightSubmission> {
    const salt = randomWeightSalt();
    const versionKey = this.options.versionKey;
    const netuid = this.options.netuid;
    const commitHash = weightCommitHash({ hotkey: this.hotkey, netuid, ...weights, salt, versionKey });
    const entry: PendingWeightCommit = {
      netuid,
      hotkey: this.hotkey,
      hash: commitHash,
      ...weights,
      salt,
      versionKey: versionKey.toString(),
      commitBlock: block,
      committedAt: new Date().toISOString(),
    };
    // Persist before submitting: a crash after the chain took the commit must not lose the salt.
    this.pending.save([...this.pending.load(), entry]);
    try {
      const receipt = await signAndSubmit(
        this.api,
        this.api.tx.subtensorModule!.commitWeights!(netuid, commitHash),
        this.options.signer,
        'commit_weights',
      );
      this.options.logger?.log(`commit_weights ${commitHash} on subnet ${netuid} (tx ${receipt.txHash})`);
      return { kind: 'committed', commitHash, ...weights, ...receipt, block };
    } catch (error) {
      this.pending.save(this.pending.load().filter((commit) => commit.hash !== commitHash));
      throw error;
    }
  }

  /** Our commits the chain still holds: hash → the tuple stored with it. */
  private async commitsOnChain(): Promise<Map<string, [number, number, number]>> {
    const value = await this.api.query.subtensorModule!.weightCommits!(this.options.netuid, this.hotkey);
    const list = z.array(commitTuple).safeParse(value.toPrimitive() ?? []);
    if (!list.success) throw new Error('unexpected SubtensorModule.WeightCommits layout on this runtime');
    return new Map(list.data.map(([hash, a, b, c]) => [hash, [a, b, c]]));
  }

  /**
   * Reveals every pending commit whose reveal window is open, oldest first, and forgets the ones
   * the chain no longer holds (expired or already revealed). Call it every few minutes; a restart
   * picks the pending commits up from the file.
   */
  async revealDue(): Promise<RevealOutcome[]> {
    const mine = this.pending.load().filter((c) => c.netuid === this.options.netuid && c.hotkey === this.hotkey);
    if (mine.length === 0) return [];
    const onChain = await this.commitsOnChain();
    const module = this.api.query.subtensorModule!;
    const blockHash = await this.api.rpc.chain.getFinalizedHead();
    const header = await this.api.rpc.chain.getHeader(blockHash);
    const block = header.number.toNumber();
    const revealPeriod = Number((await module.revealPeriodEpochs!(this.options.netuid)).toPrimitive());
    const epoch =
      this.report.revealTiming === 'SubnetEpochIndex'
        ? Number((await module.subnetEpochIndex!(this.options.netuid)).toPrimitive())
        : undefined;
    const outcomes: RevealOutcome[] = [];
    for (const commit of mine) {
      const stored = onChain.get(commit.hash);
      const window = stored ? weightRevealWindow(stored, block, epoch, revealPeriod) : 'gone';
      if (window === 'gone' || window === 'expired') {
        outcomes.push({
          commitHash: commit.hash,
          kind: 'dropped',
          detail: window === 'gone' ? 'no longer on chain (revealed or expired)' : 'reveal window passed',
        });
        this.forget(commit.hash);
        continue;
      }
      if (window !== 'open') {
        outcomes.push({ commitHash: commit.hash, kind: 'waiting', detail: window.waiting });
        break; // later commits open later still
      }
      outcomes.push(await this.reveal(commit));
    }
    return outcomes;
  }

  private async reveal(commit: PendingWeightCommit): Promise<RevealOutcome> {
    try {
      const receipt = await signAndSubmit(
        this.api,
        this.api.tx.subtensorModule!.revealWeights!(
          commit.netuid,
          commit.uids,
          commit.values,
          commit.salt,
          BigInt(commit.versionKey),
        ),
        this.options.signer,
        'reveal_weights',
      );
      this.forget(commit.hash);
      this.options.logger?.log(`reveal_weights ${commit.hash} on subnet ${commit.netuid} (tx ${receipt.txHash})`);
      return { commitHash: commit.hash, kind: 'revealed', receipt };
    } catch (error) {
      if (error instanceof ExtrinsicFailedError && /RevealTooEarly/.test(error.errorName)) {
        return { commitHash: commit.hash, kind: 'waiting', detail: error.errorName };
      }
      if (error instanceof ExtrinsicFailedError) {
        this.forget(commit.hash);
        return { commitHash: commit.hash, kind: 'dropped', detail: error.errorName };
      }
      throw error;
    }
  }

  private forget(hash: string): void {
    this.pending.save(this.pending.load().filter((commit) => commit.hash !== hash));
  }
}

import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { convertWeightsAndUidsForEmit, planWeights, type EmittedWeights } from '@resi/core';
import { z } from 'zod';
import { blake2AsHex } from '@polkadot/util-crypto';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { PendingCommitFile, randomWeightSalt, weightCommitHash, type PendingWeightCommit } from './commit-reveal.js';
import {
  MAX_TIMELOCKED_COMMIT_BYTES,
  TIMELOCK_COMMIT_REVEAL_VERSION,
  encodeWeightsTlockPayload,
  tlockEncrypt,
} from './timelock.js';
import {
  TimelockedCommitFile,
  chooseRevealRound,
  mechanismStorageIndex,
  type TimelockedCommit,
} from './timelocked-commits.js';
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
  | 'commit-reveal-unsupported'
  | 'commit-reveal-version'
  | 'no-such-mechanism';

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
  /** Where pending hash commits live between commit and reveal. */
  pendingCommitPath: string;
  /** Where timelocked commits are remembered until the chain has revealed them. */
  timelockedCommitPath: string;
  /** The subnet mechanism whose weights are set; 0 (the main one) by default. */
  mechanism?: number;
  /**
   * With commit-reveal on: `timelocked` (CR v4, the chain reveals by itself; the default) or
   * `hash` (commit a hash, reveal it later; for runtimes that still take it).
   */
  commitReveal?: 'timelocked' | 'hash';
  logger?: ChainLogger;
}

/** Chain-wide and per-subnet settings read at start and before every submission. */
export interface WeightChainSettings {
  /** `CommitRevealWeightsVersion`: the `commit_reveal_version` timelocked commits must carry. */
  commitRevealVersion: number | null;
  /** `MechanismCountCurrent` of the subnet (1 on runtimes without mechanisms). */
  mechanismCount: number;
}

/** What was submitted. */
export type WeightSubmission =
  | ({ kind: 'set' } & EmittedWeights & ExtrinsicReceipt & { block: number })
  | ({ kind: 'committed'; commitHash: string } & EmittedWeights & ExtrinsicReceipt & { block: number })
  | ({ kind: 'timelocked'; commitHash: string; revealRound: number; revealBlock: number } & EmittedWeights &
      ExtrinsicReceipt & { block: number });

/** What happened to one pending commit on a reveal pass. */
export type RevealOutcome =
  | { commitHash: string; kind: 'revealed'; receipt: ExtrinsicReceipt }
  | { commitHash: string; kind: 'waiting'; detail: string }
  | { commitHash: string; kind: 'dropped'; detail: string }
  /** A timelocked commit the chain revealed: our weights are its row now. */
  | { commitHash: string; kind: 'chain-revealed'; detail: string; revealRound: number }
  /** A timelocked commit the chain did not apply; `cause` is the likely reason. */
  | { commitHash: string; kind: 'not-revealed'; detail: string; cause: NotRevealedCause; revealRound: number };

/** Why the chain most likely did not apply a timelocked commit (a metric label). */
export type NotRevealedCause =
  | 'deregistered'
  | 'stale-version-key'
  | 'permit-lost'
  | 'commit-reveal-off'
  | 'drand-round-missing'
  | 'commit-failed'
  | 'unknown';

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
 * refuse, and submits them the way the subnet takes them now:
 *
 * - commit-reveal off: `set_mechanism_weights` (`set_weights` on runtimes without mechanisms);
 * - commit-reveal on (the default on finney since 2025): a timelocked commit (CR v4,
 *   `commit_timelocked_mechanism_weights`) that the chain opens itself at a drand round; the
 *   setter remembers it and {@link revealDue} later reports whether the chain applied it;
 * - commit-reveal on with `commitReveal: 'hash'`: `commit_weights`, then `reveal_weights` when
 *   the reveal epoch comes (the mechanism variants where they exist).
 */
export class SubtensorWeightSetter {
  private readonly pending: PendingCommitFile;
  private readonly timelocked: TimelockedCommitFile;
  private readonly mechanism: number;
  private settings: WeightChainSettings | undefined;
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
    this.mechanism = options.mechanism ?? 0;
    if (!Number.isInteger(this.mechanism) || this.mechanism < 0 || this.mechanism > 255)
      throw new RangeError('the mechanism id is a u8');
    if (this.mechanism !== 0 && !report.mechanisms) {
      throw new WeightsRefusedError(
        'no-such-mechanism',
        `mechanism ${this.mechanism} was asked for, but this runtime has no subnet mechanisms: use mechanism 0`,
      );
    }
    this.pending = new PendingCommitFile(options.pendingCommitPath);
    this.timelocked = new TimelockedCommitFile(options.timelockedCommitPath);
    this.hotkey = options.signer.address;
  }

  /** `mecid · 4096 + netuid`: the key of this validator's weights, commits and `LastUpdate`. */
  get storageIndex(): number {
    return mechanismStorageIndex(this.options.netuid, this.mechanism);
  }

  /** Reads `CommitRevealWeightsVersion` and `MechanismCountCurrent`; logs when they change. */
  async readChainSettings(): Promise<WeightChainSettings> {
    const module = this.api.query.subtensorModule!;
    const version = module.commitRevealWeightsVersion
      ? Number((await module.commitRevealWeightsVersion()).toPrimitive())
      : null;
    const mechanismCount = module.mechanismCountCurrent
      ? Number((await module.mechanismCountCurrent(this.options.netuid)).toPrimitive())
      : 1;
    const settings = { commitRevealVersion: version, mechanismCount };
    if (JSON.stringify(settings) !== JSON.stringify(this.settings)) {
      this.options.logger?.log(
        `subnet ${this.options.netuid}: ${mechanismCount} mechanism(s), commit-reveal version ${version ?? 'none'}`,
      );
    }
    this.settings = settings;
    if (this.mechanism >= mechanismCount) {
      throw new WeightsRefusedError(
        'no-such-mechanism',
        `subnet ${this.options.netuid} has ${mechanismCount} mechanism(s); mechanism ${this.mechanism} does not exist`,
      );
    }
    return settings;
  }

  /** The subnet at the finalized head, and our own neuron in it; refuses when we are not a registered validator. */
  async preflight(): Promise<{ snapshot: MetagraphSnapshot; self: ChainNeuron; settings: WeightChainSettings }> {
    const [snapshot, settings] = await Promise.all([
      readMetagraphSnapshot(this.api, this.options.netuid, this.report),
      this.readChainSettings(),
    ]);
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
    return { snapshot, self, settings };
  }

  /**
   * Plans, converts, checks and submits weights for `scores` (miner uid → non-negative score).
   * Validators (neurons with a permit) and our own uid are excluded; the burn share goes to the
   * configured uid.
   */
  async setMinerWeights(scores: ReadonlyMap<number, number>): Promise<WeightSubmission> {
    const { snapshot, self, settings } = await this.preflight();
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
    const mechanism = this.mechanism;
    if (!commitRevealEnabled) {
      const extrinsic = this.report.mechanisms
        ? module.setMechanismWeights!(netuid, mechanism, weights.uids, weights.values, this.options.versionKey)
        : module.setWeights!(netuid, weights.uids, weights.values, this.options.versionKey);
      const what = this.report.mechanisms ? 'set_mechanism_weights' : 'set_weights';
      const receipt = await signAndSubmit(this.api, extrinsic, this.options.signer, what);
      this.options.logger?.log(
        `${what}: ${weights.uids.length} uids on subnet ${netuid} mechanism ${mechanism} (tx ${receipt.txHash})`,
      );
      return { kind: 'set', ...weights, ...receipt, block: snapshot.block };
    }
    const hashCalls = this.report.mechanisms
      ? module.commitMechanismWeights && module.revealMechanismWeights
      : module.commitWeights && module.revealWeights;
    if (this.options.commitReveal !== 'hash' && this.report.timelockedCommit !== null) {
      return this.commitTimelocked(weights, snapshot, settings);
    }
    if (!hashCalls) {
      throw new WeightsRefusedError(
        'commit-reveal-unsupported',
        this.options.commitReveal === 'hash'
          ? `subnet ${netuid} has commit-reveal enabled and hash commits were asked for, but this runtime has no ` +
              'commit_weights/reveal_weights: use timelocked commits; weights were not submitted'
          : `subnet ${netuid} has commit-reveal enabled but this runtime takes neither timelocked nor hash commits; ` +
              'weights were not submitted',
      );
    }
    return this.commit(weights, snapshot.block);
  }

  private async commitTimelocked(
    weights: EmittedWeights,
    snapshot: MetagraphSnapshot,
    settings: WeightChainSettings,
  ): Promise<WeightSubmission> {
    const netuid = this.options.netuid;
    if (settings.commitRevealVersion !== TIMELOCK_COMMIT_REVEAL_VERSION) {
      throw new WeightsRefusedError(
        'commit-reveal-version',
        `subnet ${netuid} expects commit-reveal version ${settings.commitRevealVersion ?? 'none'}; resi makes ` +
          `version ${TIMELOCK_COMMIT_REVEAL_VERSION} timelocked commits, so the chain would refuse them: weights were not submitted`,
      );
    }
    const { tempo, revealPeriodEpochs } = snapshot.hyperparameters;
    const choice = await chooseRevealRound(this.api, {
      netuid,
      tempo,
      revealPeriodEpochs,
      block: snapshot.block,
      ...(this.options.logger ? { logger: this.options.logger } : {}),
    });
    const payload = encodeWeightsTlockPayload({
      hotkey: this.options.signer.publicKey,
      uids: weights.uids,
      values: weights.values,
      versionKey: this.options.versionKey,
    });
    const ciphertext = tlockEncrypt(payload, choice.round);
    if (ciphertext.length > MAX_TIMELOCKED_COMMIT_BYTES) {
      throw new RangeError(
        `the timelocked commit is ${ciphertext.length} bytes; subtensor takes at most ${MAX_TIMELOCKED_COMMIT_BYTES}`,
      );
    }
    const commitHash = blake2AsHex(ciphertext, 256);
    const entry: TimelockedCommit = {
      netuid,
      mechanism: this.mechanism,
      hotkey: this.hotkey,
      commitHash,
      revealRound: choice.round,
      revealBlock: choice.revealBlock,
      commitBlock: snapshot.block,
      ...weights,
      versionKey: this.options.versionKey.toString(),
      committedAt: new Date().toISOString(),
      status: 'committed',
    };
    // Remembered before submitting: a crash after the chain took the commit must still report on it.
    this.timelocked.add(entry);
    const module = this.api.tx.subtensorModule!;
    const extrinsic =
      this.report.timelockedCommit === 'commit_timelocked_mechanism_weights'
        ? module.commitTimelockedMechanismWeights!(
            netuid,
            this.mechanism,
            // As hex: polkadot-js reads a Uint8Array given for `Bytes` as already length-prefixed.
            u8aToHex(ciphertext),
            choice.round,
            TIMELOCK_COMMIT_REVEAL_VERSION,
          )
        : module.commitTimelockedWeights!(netuid, u8aToHex(ciphertext), choice.round, TIMELOCK_COMMIT_REVEAL_VERSION);
    try {
      const receipt = await signAndSubmit(this.api, extrinsic, this.options.signer, this.report.timelockedCommit!);
      this.options.logger?.log(
        `${this.report.timelockedCommit} ${commitHash} on subnet ${netuid} mechanism ${this.mechanism}: ` +
          `${weights.uids.length} uids, ${ciphertext.length} bytes, drand round ${choice.round}, reveal expected at ` +
          `block ${choice.revealBlock} (epoch schedule from ${choice.source}) (tx ${receipt.txHash})`,
      );
      return {
        kind: 'timelocked',
        commitHash,
        revealRound: choice.round,
        revealBlock: choice.revealBlock,
        ...weights,
        ...receipt,
        block: snapshot.block,
      };
    } catch (error) {
      this.timelocked.remove(commitHash);
      throw error;
    }
  }

  private async commit(weights: EmittedWeights, block: number): Promise<WeightSubmission> {
    const salt = randomWeightSalt();
    const versionKey = this.options.versionKey;
    const netuid = this.options.netuid;
    // The hash covers the storage index (mecid · 4096 + netuid), which is the netuid for mechanism 0.
    const commitHash = weightCommitHash({
      hotkey: this.hotkey,
      netuid: this.storageIndex,
      ...weights,
      salt,
      versionKey,
    });
    const entry: PendingWeightCommit = {
      netuid,
      mechanism: this.mechanism,
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
        this.report.mechanisms
          ? this.api.tx.subtensorModule!.commitMechanismWeights!(netuid, this.mechanism, commitHash)
          : this.api.tx.subtensorModule!.commitWeights!(netuid, commitHash),
        this.options.signer,
        this.report.mechanisms ? 'commit_mechanism_weights' : 'commit_weights',
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
    const value = await this.api.query.subtensorModule!.weightCommits!(this.storageIndex, this.hotkey);
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
    const timelocked = await this.confirmTimelocked();
    const mine = this.pending
      .load()
      .filter((c) => c.netuid === this.options.netuid && c.mechanism === this.mechanism && c.hotkey === this.hotkey);
    if (mine.length === 0) return timelocked;
    const onChain = await this.commitsOnChain();
    const module = this.api.query.subtensorModule!;
    const blockHash = await this.api.rpc.chain.getFinalizedHead();
    const header = await this.api.rpc.chain.getHeader(blockHash);
    const block = header.number.toNumber();
    const revealPeriod = Number((await module.revealPeriodEpochs!(this.options.netuid)).toPrimitive());
    // Stateful epochs: the counter is per subnet, shared by its mechanisms.
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
    return [...timelocked, ...outcomes];
  }

  /** blake2-256 of each of our ciphertexts the chain still holds for this subnet mechanism. */
  private async queuedTimelocked(): Promise<Set<string>> {
    const entries = await this.api.query.subtensorModule!.timelockedWeightCommits!.entries(this.storageIndex);
    const queued = new Set<string>();
    for (const [, value] of entries) {
      const list = z.array(z.tuple([z.string(), z.unknown(), z.string(), z.unknown()])).safeParse(value.toPrimitive());
      if (!list.success) throw new Error('unexpected SubtensorModule.TimelockedWeightCommits layout on this runtime');
      for (const [who, , commit] of list.data) {
        if (who === this.hotkey) queued.add(blake2AsHex(hexToU8a(commit), 256));
      }
    }
    return queued;
  }

  /**
   * What the chain made of our timelocked commits: still queued (waiting), applied (our weights
   * are the row, written after the commit), or not applied, with the likely cause read from the
   * chain (a stale version key, a lost permit, deregistration, commit-reveal turned off, drand's
   * round missing). Settled commits stay in the file for the record.
   */
  async confirmTimelocked(): Promise<RevealOutcome[]> {
    const mine = this.timelocked
      .load()
      .filter(
        (c) =>
          c.status === 'committed' &&
          c.netuid === this.options.netuid &&
          c.mechanism === this.mechanism &&
          c.hotkey === this.hotkey,
      );
    if (mine.length === 0) return [];
    const module = this.api.query.subtensorModule!;
    const netuid = this.options.netuid;
    const [queued, lastStoredCodec, header, uidCodec] = await Promise.all([
      this.queuedTimelocked(),
      this.api.query.drand?.lastStoredRound?.(),
      this.api.rpc.chain.getHeader(await this.api.rpc.chain.getFinalizedHead()),
      module.uids!(netuid, this.hotkey),
    ]);
    const lastStored = Number(lastStoredCodec?.toPrimitive() ?? 0);
    const block = header.number.toNumber();
    const uid = uidCodec.toPrimitive() as number | null;
    const outcomes: RevealOutcome[] = [];
    for (const commit of mine) {
      const base = { commitHash: commit.commitHash, revealRound: commit.revealRound };
      if (queued.has(commit.commitHash)) {
        outcomes.push({
          commitHash: commit.commitHash,
          kind: 'waiting',
          detail:
            lastStored < commit.revealRound
              ? `drand round ${commit.revealRound} is not on chain yet (last stored ${lastStored}); reveal expected ` +
                `near block ${commit.revealBlock} (now ${block})`
              : `drand round ${commit.revealRound} is on chain; the chain reveals at the start of the reveal epoch ` +
                `(near block ${commit.revealBlock}, now ${block})`,
        });
        continue;
      }
      const applied = uid !== null && (await this.weightsRowIs(uid, commit));
      if (applied) {
        const detail = `the chain revealed it: uid ${uid}'s weights row is the committed one`;
        this.timelocked.update(commit.commitHash, { status: 'revealed', detail });
        outcomes.push({ ...base, kind: 'chain-revealed', detail });
        continue;
      }
      const [cause, reason] = await this.likelyCause(commit, uid, lastStored, block);
      const detail = `the chain did not apply it: ${reason}`;
      this.timelocked.update(commit.commitHash, { status: 'not-revealed', detail });
      outcomes.push({ ...base, kind: 'not-revealed', detail, cause });
    }
    return outcomes;
  }

  /** Whether uid's `Weights` row is exactly the commit's, written after the commit (`LastUpdate`). */
  private async weightsRowIs(uid: number, commit: TimelockedCommit): Promise<boolean> {
    const module = this.api.query.subtensorModule!;
    const [row, lastUpdate] = await Promise.all([
      module.weights!(this.storageIndex, uid),
      module.lastUpdate!(this.storageIndex),
    ]);
    const pairs = z.array(z.tuple([z.number(), z.number()])).parse(row.toPrimitive() ?? []);
    const updated = Number(z.array(z.union([z.number(), z.string()])).parse(lastUpdate.toPrimitive() ?? [])[uid] ?? 0);
    const sameRow =
      pairs.length === commit.uids.length &&
      pairs.every(([u, v], index) => u === commit.uids[index] && v === commit.values[index]);
    return sameRow && updated > commit.commitBlock;
  }

  private async likelyCause(
    commit: TimelockedCommit,
    uid: number | null,
    lastStored: number,
    block: number,
  ): Promise<[NotRevealedCause, string]> {
    if (uid === null)
      return ['deregistered', `hotkey ${this.hotkey} is no longer registered on subnet ${commit.netuid}`];
    const module = this.api.query.subtensorModule!;
    const [versionKey, permits, enabled] = await Promise.all([
      module.weightsVersionKey!(commit.netuid),
      module.validatorPermit!(commit.netuid),
      module.commitRevealWeightsEnabled!(commit.netuid),
    ]);
    const required = BigInt(versionKey.toPrimitive() as number | string);
    if (BigInt(commit.versionKey) < required)
      return [
        'stale-version-key',
        `stale version key: committed ${commit.versionKey}, the subnet requires ${required} (update the validator)`,
      ];
    if ((permits.toPrimitive() as boolean[] | null)?.[uid] !== true)
      return ['permit-lost', `uid ${uid} lost its validator permit`];
    if (enabled.toPrimitive() !== true)
      return ['commit-reveal-off', 'commit-reveal was turned off on the subnet before the reveal'];
    if (lastStored < commit.revealRound)
      return [
        'drand-round-missing',
        `drand round ${commit.revealRound} never reached the chain (last stored ${lastStored})`,
      ];
    if (block < commit.revealBlock)
      return [
        'commit-failed',
        `the commit is not on chain before its reveal (block ${block} < ${commit.revealBlock}): the commit extrinsic failed`,
      ];
    return [
      'unknown',
      'the chain dropped it at reveal without a reason it records (a weights check failed, or a newer set replaced it)',
    ];
  }

  private async reveal(commit: PendingWeightCommit): Promise<RevealOutcome> {
    try {
      const receipt = await signAndSubmit(
        this.api,
        this.report.mechanisms
          ? this.api.tx.subtensorModule!.revealMechanismWeights!(
              commit.netuid,
              commit.mechanism,
              commit.uids,
              commit.values,
              commit.salt,
              BigInt(commit.versionKey),
            )
          : this.api.tx.subtensorModule!.revealWeights!(
              commit.netuid,
              commit.uids,
              commit.values,
              commit.salt,
              BigInt(commit.versionKey),
            ),
        this.options.signer,
        this.report.mechanisms ? 'reveal_mechanism_weights' : 'reveal_weights',
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

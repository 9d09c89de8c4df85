import { resolve } from 'node:path';
import type { ApiPromise } from '@polkadot/api';
import { isSs58Address } from '@resi/core';
import { z } from 'zod';
import type { ChainLogger } from './chain-metagraph.js';
import { quicknetRoundAt } from './timelock.js';
import { readJsonListFile, writeJsonListFile } from './json-list-file.js';

/**
 * Timelocked commits (CR v4) as the validator keeps them between commit and reveal: the chain
 * reveals them by itself once drand's round is on chain, and drops a failed reveal silently, so
 * the validator remembers what it committed and later checks what the chain made of it.
 */

/** subtensor's storage index of a (subnet, mechanism): `mecid · 4096 + netuid`. */
export function mechanismStorageIndex(netuid: number, mechanism: number): number {
  return mechanism * 4096 + netuid;
}

/** Block time subtensor targets; used only to place the reveal in drand's clock. */
export const SUBTENSOR_BLOCK_SECONDS = 12;

const u16 = z.number().int().min(0).max(65_535);
const timelockedCommitSchema = z.object({
  netuid: u16,
  mechanism: z.number().int().min(0).max(255),
  hotkey: z.string().refine(isSs58Address, 'must be an SS58 address'),
  /** blake2-256 of the ciphertext, as in the `TimelockedWeightsCommitted` event. */
  commitHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  revealRound: z.number().int().positive(),
  /** The block the chain is expected to reveal at (start of the reveal epoch). */
  revealBlock: z.number().int().min(0),
  commitBlock: z.number().int().min(0),
  uids: z.array(u16),
  values: z.array(u16),
  versionKey: z.string().regex(/^\d+$/),
  committedAt: z.iso.datetime(),
  status: z.enum(['committed', 'revealed', 'not-revealed']),
  /** For a settled commit: what the chain did, or the likely reason it did not. */
  detail: z.string().optional(),
});

/** One timelocked commit, as persisted. */
export type TimelockedCommit = z.infer<typeof timelockedCommitSchema>;

/** How many settled commits are kept for the record, beyond the pending ones. */
const SETTLED_KEPT = 20;

/** The timelocked commits of one validator, oldest first, in a JSON file written atomically. */
export class TimelockedCommitFile {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  load(): TimelockedCommit[] {
    return readJsonListFile(this.path, timelockedCommitSchema, 'timelocked weight commit');
  }

  save(commits: readonly TimelockedCommit[]): void {
    const settled = commits.filter((commit) => commit.status !== 'committed');
    const dropped = new Set(settled.slice(0, Math.max(0, settled.length - SETTLED_KEPT)));
    writeJsonListFile(
      this.path,
      commits.filter((commit) => !dropped.has(commit)),
    );
  }

  add(commit: TimelockedCommit): void {
    this.save([...this.load(), commit]);
  }

  update(commitHash: string, change: Partial<TimelockedCommit>): void {
    this.save(this.load().map((commit) => (commit.commitHash === commitHash ? { ...commit, ...change } : commit)));
  }

  remove(commitHash: string): void {
    this.save(this.load().filter((commit) => commit.commitHash !== commitHash));
  }
}

/** Where the reveal block came from: the runtime's own schedule, or the pre-2026 formula. */
export type EpochScheduleSource = 'SubnetInfoRuntimeApi_get_next_epoch_start_block' | 'legacy-formula';

/** The block at which the next epoch of `netuid` starts, from the runtime when it can say. */
export async function nextEpochStartBlock(
  api: ApiPromise,
  netuid: number,
  tempo: number,
  block: number,
): Promise<{ block: number; source: EpochScheduleSource }> {
  try {
    const result = await api.rpc.state.call(
      'SubnetInfoRuntimeApi_get_next_epoch_start_block',
      api.createType('u16', netuid).toHex(),
    );
    const next = api.createType('Option<u64>', result);
    if (next.isSome)
      return { block: next.unwrap().toNumber(), source: 'SubnetInfoRuntimeApi_get_next_epoch_start_block' };
    throw new Error(`subnet ${netuid} has tempo 0: it runs no epochs, so nothing would ever be revealed`);
  } catch (error) {
    if (!/not found|does not exist|unknown|Exported method/i.test((error as Error).message)) throw error;
  }
  // Runtimes before stateful epochs: an epoch starts where (block + netuid + 1) is a multiple of tempo + 1.
  const period = tempo + 1;
  const epoch = Math.floor((block + netuid + 1) / period);
  return { block: (epoch + 1) * period - (netuid + 1), source: 'legacy-formula' };
}

/** The drand round a commit made now should open at, and why. */
export interface RevealRoundChoice {
  round: number;
  revealBlock: number;
  source: EpochScheduleSource;
  /** Set when the round was raised to `Drand.LastStoredRound`. */
  raisedToLastStored?: number;
}

/**
 * Picks `reveal_round` for a commit made at `block`: the chain reveals a commit of epoch e at the
 * start of epoch e + `RevealPeriodEpochs`, so the round is the one drand publishes by then (chain
 * time `Timestamp.Now` plus the blocks to go), never below `Drand.LastStoredRound`. A later round
 * would leave the commit unopened when the chain tries; an earlier one would let anyone read it
 * before the reveal.
 */
export async function chooseRevealRound(
  api: ApiPromise,
  options: { netuid: number; tempo: number; revealPeriodEpochs: number; block: number; logger?: ChainLogger },
): Promise<RevealRoundChoice> {
  const { netuid, tempo, revealPeriodEpochs, block } = options;
  const next = await nextEpochStartBlock(api, netuid, tempo, block);
  if (next.source === 'legacy-formula') {
    options.logger?.warn(
      'this runtime has no SubnetInfoRuntimeApi_get_next_epoch_start_block: the reveal round comes from the legacy ' +
        'epoch formula (block + netuid + 1) / (tempo + 1)',
    );
  }
  const period = next.source === 'legacy-formula' ? tempo + 1 : tempo;
  const revealBlock = next.block + Math.max(0, revealPeriodEpochs - 1) * period;
  const nowMs = Number((await api.query.timestamp?.now?.())?.toPrimitive() ?? 0) || Date.now();
  const revealSeconds = nowMs / 1000 + Math.max(0, revealBlock - block) * SUBTENSOR_BLOCK_SECONDS;
  const round = quicknetRoundAt(revealSeconds);
  const lastStored = Number((await api.query.drand?.lastStoredRound?.())?.toPrimitive() ?? 0);
  if (round < lastStored) {
    options.logger?.warn(`reveal round ${round} is below Drand.LastStoredRound ${lastStored}: using ${lastStored}`);
    return { round: lastStored, revealBlock, source: next.source, raisedToLastStored: lastStored };
  }
  return { round, revealBlock, source: next.source };
}

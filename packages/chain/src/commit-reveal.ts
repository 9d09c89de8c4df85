import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { isSs58Address, publicKeyOf } from '@resi/core';
import { z } from 'zod';
import { readJsonListFile, writeJsonListFile } from './json-list-file.js';

/**
 * Commit-reveal (subtensor's "CR v2"): the validator first commits the hash of its weights, then
 * reveals the weights themselves inside the reveal epoch. The pending commit is kept on disk so a
 * validator restarted in between still reveals (an unrevealed commit costs the validator that
 * epoch's weights).
 */

/** What the chain hashes to check a reveal. */
export interface WeightCommitContent {
  /** The committing hotkey (SS58). */
  hotkey: string;
  /** The subnet's storage index: the netuid itself for the main mechanism. */
  netuid: number;
  uids: readonly number[];
  values: readonly number[];
  salt: readonly number[];
  versionKey: bigint;
}

const registry = new TypeRegistry();
/** subtensor's `get_commit_hash`: `BlakeTwo256::hash_of(&(who, netuid_index, uids, values, salt, version_key))`. */
const COMMIT_TUPLE = '(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)';

/** BlakeTwo256 of SCALE(account, netuid, uids, values, salt, version_key), as `0x` hex. */
export function weightCommitHash(content: WeightCommitContent): `0x${string}` {
  const encoded = registry
    .createType(COMMIT_TUPLE, [
      publicKeyOf(content.hotkey),
      content.netuid,
      content.uids,
      content.values,
      content.salt,
      content.versionKey,
    ])
    .toU8a();
  return u8aToHex(blake2AsU8a(encoded, 256));
}

/** Eight random u16 values, the salt length the Python SDK uses; from the OS CSPRNG. */
export function randomWeightSalt(length = 8): number[] {
  const bytes = randomBytes(length * 2);
  return Array.from({ length }, (_, index) => bytes.readUInt16LE(index * 2));
}

const u16 = z.number().int().min(0).max(65_535);
const pendingCommitSchema = z.object({
  netuid: u16,
  /** The subnet mechanism (absent in files written before mechanisms: 0). */
  mechanism: z.number().int().min(0).max(255).default(0),
  hotkey: z.string().refine(isSs58Address, 'must be an SS58 address'),
  hash: z.string().regex(/^0x[0-9a-f]{64}$/),
  uids: z.array(u16),
  values: z.array(u16),
  salt: z.array(u16),
  /** Decimal string: u64 does not fit a JSON number. */
  versionKey: z.string().regex(/^\d+$/),
  commitBlock: z.number().int().min(0),
  committedAt: z.iso.datetime(),
});

/** A commit waiting for its reveal, as persisted. */
export type PendingWeightCommit = z.infer<typeof pendingCommitSchema>;

/**
 * The pending commits of one validator, oldest first, in a JSON file. Writes go to a temporary
 * file renamed over the old one, so a crash never leaves half a file.
 */
export class PendingCommitFile {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** The pending commits; none when the file does not exist. A damaged file is an error, not an empty list. */
  load(): PendingWeightCommit[] {
    return readJsonListFile(this.path, pendingCommitSchema, 'pending weight commit');
  }

  save(commits: readonly PendingWeightCommit[]): void {
    writeJsonListFile(this.path, commits);
  }
}

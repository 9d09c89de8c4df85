import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bnToU8a, compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { cryptoReady, publicKeyOf, sr25519KeypairFromMnemonic, ss58Of } from '@resi/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PendingCommitFile, randomWeightSalt, weightCommitHash, type PendingWeightCommit } from './commit-reveal.js';

/**
 * The documented layout, assembled by hand: the 32-byte account, netuid as u16 LE, uids, values
 * and salt as Vec<u16> (compact length, then u16 LE each), version_key as u64 LE; BlakeTwo256
 * (blake2b with a 32-byte digest) over the concatenation. This is what subtensor's
 * `get_commit_hash` and the Python SDK's `generate_weight_hash` compute.
 */
function commitHashByHand(
  hotkey: string,
  netuid: number,
  uids: number[],
  values: number[],
  salt: number[],
  versionKey: bigint,
) {
  const vec = (items: number[]) =>
    u8aConcat(compactToU8a(items.length), ...items.map((item) => bnToU8a(item, { bitLength: 16 })));
  const data = u8aConcat(
    publicKeyOf(hotkey),
    bnToU8a(netuid, { bitLength: 16 }),
    vec(uids),
    vec(values),
    vec(salt),
    bnToU8a(versionKey, { bitLength: 64 }),
  );
  return u8aToHex(blake2AsU8a(data, 256));
}

let hotkey: string;
beforeAll(async () => {
  await cryptoReady();
  hotkey = ss58Of(
    sr25519KeypairFromMnemonic('bottom drive obey lake curtain smoke basket hold race lonely fit walk').publicKey,
  );
});

describe('weightCommitHash (known answers from the SCALE layout)', () => {
  it.each([
    { netuid: 46, uids: [0, 3, 17], values: [65535, 32768, 10922], salt: [1, 2, 3, 4, 5, 6, 7, 8], versionKey: 0n },
    { netuid: 428, uids: [], values: [], salt: [65535], versionKey: 2n ** 64n - 1n },
    // 64+ uids: the compact length takes two bytes.
    {
      netuid: 1,
      uids: Array.from({ length: 70 }, (_, i) => i),
      values: Array.from({ length: 70 }, (_, i) => 1000 + i),
      salt: [9, 9, 9, 9, 9, 9, 9, 9],
      versionKey: 1_002_003n,
    },
  ])('netuid $netuid, $uids.length uids, version $versionKey', ({ netuid, uids, values, salt, versionKey }) => {
    expect(weightCommitHash({ hotkey, netuid, uids, values, salt, versionKey })).toBe(
      commitHashByHand(hotkey, netuid, uids, values, salt, versionKey),
    );
  });

  it('changes with every field, so a reveal with different data cannot match', () => {
    const base = { hotkey, netuid: 46, uids: [1], values: [65535], salt: [1, 2], versionKey: 3n };
    const hashes = new Set([
      weightCommitHash(base),
      weightCommitHash({ ...base, netuid: 47 }),
      weightCommitHash({ ...base, uids: [2] }),
      weightCommitHash({ ...base, values: [65534] }),
      weightCommitHash({ ...base, salt: [2, 1] }),
      weightCommitHash({ ...base, versionKey: 4n }),
      weightCommitHash({ ...base, hotkey: ss58Of(new Uint8Array(32).fill(7)) }),
    ]);
    expect(hashes.size).toBe(7);
  });
});

describe('randomWeightSalt', () => {
  it('gives eight u16 values by default, different each time', () => {
    const salts = [randomWeightSalt(), randomWeightSalt()];
    for (const salt of salts) {
      expect(salt).toHaveLength(8);
      for (const value of salt) expect(Number.isInteger(value) && value >= 0 && value <= 65535).toBe(true);
    }
    expect(salts[0]).not.toEqual(salts[1]);
  });
});

describe('PendingCommitFile', () => {
  let directory: string;
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const commit = (hash: string): PendingWeightCommit => ({
    netuid: 46,
    mechanism: 0,
    hotkey,
    hash,
    uids: [1, 2],
    values: [65535, 100],
    salt: [1, 2, 3, 4, 5, 6, 7, 8],
    versionKey: '18446744073709551615',
    commitBlock: 1234,
    committedAt: '2026-01-01T00:00:00.000Z',
  });

  it('round-trips commits oldest first, u64 version keys intact, private to the owner', () => {
    directory = mkdtempSync(join(tmpdir(), 'resi-pending-'));
    const file = new PendingCommitFile(join(directory, 'nested', 'pending.json'));
    expect(file.load()).toEqual([]);
    const commits = [commit(`0x${'a'.repeat(64)}`), commit(`0x${'b'.repeat(64)}`)];
    file.save(commits);
    expect(new PendingCommitFile(file.path).load()).toEqual(commits);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    file.save([]);
    expect(() => readFileSync(file.path)).toThrow();
  });

  it('refuses a damaged file rather than forgetting the salts in it', () => {
    directory = mkdtempSync(join(tmpdir(), 'resi-pending-'));
    const path = join(directory, 'pending.json');
    writeFileSync(path, JSON.stringify([{ ...commit('0x1234'), salt: 'lost' }]));
    expect(() => new PendingCommitFile(path).load()).toThrow(/damaged/);
  });
});

/**
 * Storage keys and extrinsics built by @polkadot/api from real subtensor metadata (testnet spec
 * 224), checked against byte layouts assembled here by hand from subtensor's declarations.
 */
import type { ApiPromise } from '@polkadot/api';
import { bnToU8a, compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';
import { cryptoReady, publicKeyOf, sr25519KeypairFromMnemonic } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSubtensor } from './connect.js';
import { keyringPairOf } from './keyring-pair.js';
import { describeSubtensorMetadata, inspectSubtensorMetadata } from './metadata-check.js';
import { FIXTURE_GENESIS_HASH, StubSubtensorProvider } from './stub-subtensor.test-utils.js';

const MNEMONIC = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

const u16 = (value: number) => bnToU8a(value, { bitLength: 16 });
const u64 = (value: bigint) => bnToU8a(value, { bitLength: 64 });
const vecU16 = (values: number[]) => u8aConcat(compactToU8a(values.length), ...values.map(u16));
const prefix = (pallet: string, item: string) => u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(item, 128));
const blake2_128Concat = (data: Uint8Array) => u8aConcat(blake2AsU8a(data, 128), data);
const twox64Concat = (data: Uint8Array) => u8aConcat(xxhashAsU8a(data, 64), data);

let api: ApiPromise;
let provider: StubSubtensorProvider;
let hotkey: string;

beforeAll(async () => {
  await cryptoReady();
  provider = new StubSubtensorProvider();
  api = await connectSubtensor(provider);
  hotkey = keyringPairOf(sr25519KeypairFromMnemonic(MNEMONIC)).address;
});
afterAll(() => api.disconnect());

describe('start-up against real subtensor metadata', () => {
  it('decorates the runtime from the RPC calls a node answers at connection', () => {
    expect(provider.received).toEqual(
      expect.arrayContaining([
        'chain_getBlockHash',
        'state_getRuntimeVersion',
        'system_properties',
        'rpc_methods',
        'state_getMetadata',
      ]),
    );
    expect(api.genesisHash.toHex()).toBe(FIXTURE_GENESIS_HASH);
    expect(api.runtimeVersion.specVersion.toNumber()).toBe(224);
  });

  it('finds every storage item and call resi needs, and reports the storage path on a V14-only runtime', () => {
    const report = inspectSubtensorMetadata(api);
    expect(report).toMatchObject({
      specName: 'node-subtensor',
      specVersion: 224,
      metagraphPath: 'storage',
      stakeStorage: 'TotalHotkeyAlpha',
      revealTiming: 'reveal-blocks',
      missingForMetagraph: [],
      missingForWeights: [],
    });
    expect(describeSubtensorMetadata(report)).toContain('neurons via storage');
  });

  it('names what is missing when a runtime drops an item or a call', () => {
    const { keys: _keys, ...storage } = api.query.subtensorModule!;
    const { revealWeights: _reveal, ...calls } = api.tx.subtensorModule!;
    // An extension polkadot-js does not know and that carries data (here CheckNonce's Compact<u32>).
    const extensions = api.registry.metadata.extrinsic.transactionExtensions;
    const nonce = extensions.find((extension) => extension.identifier.toString() === 'CheckNonce')!;
    const degraded = {
      registry: {
        lookup: api.registry.lookup,
        signedExtensions: [...api.registry.signedExtensions, 'MysteryExtension'],
        metadata: {
          extrinsic: { transactionExtensions: [...extensions, { identifier: 'MysteryExtension', type: nonce.type }] },
        },
      },
      runtimeVersion: api.runtimeVersion,
      call: api.call,
      query: { subtensorModule: storage },
      tx: { subtensorModule: calls },
    } as unknown as ApiPromise;
    const report = inspectSubtensorMetadata(degraded);
    expect(report.metagraphPath).toBeNull();
    expect(report.missingForMetagraph).toEqual(['storage SubtensorModule.Keys']);
    expect(report.missingForWeights).toEqual([
      'signed extension MysteryExtension (carries data unknown to @polkadot/api)',
      'call SubtensorModule.reveal_weights',
    ]);
    expect(describeSubtensorMetadata(report)).toMatch(/MISSING for the metagraph: storage SubtensorModule\.Keys/);
  });
});

describe('storage keys', () => {
  const module = () => api.query.subtensorModule!;

  it('Keys(netuid, uid): Identity, Identity', () => {
    const expected = u8aConcat(prefix('SubtensorModule', 'Keys'), u16(46), u16(3));
    expect(module().keys!.key(46, 3)).toBe(u8aToHex(expected));
  });

  it('Owner(hotkey): Blake2_128Concat', () => {
    const expected = u8aConcat(prefix('SubtensorModule', 'Owner'), blake2_128Concat(publicKeyOf(hotkey)));
    expect(module().owner!.key(hotkey)).toBe(u8aToHex(expected));
  });

  it('Uids(netuid, hotkey): Identity, Blake2_128Concat', () => {
    const expected = u8aConcat(prefix('SubtensorModule', 'Uids'), u16(428), blake2_128Concat(publicKeyOf(hotkey)));
    expect(module().uids!.key(428, hotkey)).toBe(u8aToHex(expected));
  });

  it('TotalHotkeyAlpha(hotkey, netuid): Blake2_128Concat, Identity', () => {
    const expected = u8aConcat(
      prefix('SubtensorModule', 'TotalHotkeyAlpha'),
      blake2_128Concat(publicKeyOf(hotkey)),
      u16(46),
    );
    expect(module().totalHotkeyAlpha!.key(hotkey, 46)).toBe(u8aToHex(expected));
  });

  it('ValidatorPermit, LastUpdate, WeightsVersionKey(netuid): Identity; RevealPeriodEpochs: Twox64Concat', () => {
    for (const item of [
      'ValidatorPermit',
      'LastUpdate',
      'WeightsVersionKey',
      'WeightsSetRateLimit',
      'CommitRevealWeightsEnabled',
    ]) {
      const name = item.charAt(0).toLowerCase() + item.slice(1);
      expect(module()[name]!.key(46)).toBe(u8aToHex(u8aConcat(prefix('SubtensorModule', item), u16(46))));
    }
    expect(module().revealPeriodEpochs!.key(46)).toBe(
      u8aToHex(u8aConcat(prefix('SubtensorModule', 'RevealPeriodEpochs'), twox64Concat(u16(46)))),
    );
  });

  it('WeightCommits(netuid, hotkey): Twox64Concat, Twox64Concat', () => {
    const expected = u8aConcat(
      prefix('SubtensorModule', 'WeightCommits'),
      twox64Concat(u16(46)),
      twox64Concat(publicKeyOf(hotkey)),
    );
    expect(module().weightCommits!.key(46, hotkey)).toBe(u8aToHex(expected));
  });
});

describe('extrinsics', () => {
  // SubtensorModule is pallet 7; set_weights is call 0, commit_weights 96, reveal_weights 97.
  const call = (index: number, ...args: Uint8Array[]) => u8aToHex(u8aConcat(new Uint8Array([7, index]), ...args));

  it('set_weights(netuid, dests, weights, version_key)', () => {
    const tx = api.tx.subtensorModule!.setWeights!(46, [0, 5, 9], [65535, 32768, 10922], 1_002_003n);
    expect(tx.method.toHex()).toBe(call(0, u16(46), vecU16([0, 5, 9]), vecU16([65535, 32768, 10922]), u64(1_002_003n)));
  });

  it('commit_weights(netuid, commit_hash)', () => {
    const hash = blake2AsU8a('anything', 256);
    expect(api.tx.subtensorModule!.commitWeights!(428, hash).method.toHex()).toBe(call(96, u16(428), hash));
  });

  it('reveal_weights(netuid, uids, values, salt, version_key)', () => {
    const tx = api.tx.subtensorModule!.revealWeights!(46, [1, 2], [65535, 7], [11, 22, 33], 5n);
    expect(tx.method.toHex()).toBe(
      call(97, u16(46), vecU16([1, 2]), vecU16([65535, 7]), vecU16([11, 22, 33]), u64(5n)),
    );
  });

  it('signs with the hotkey pair into an extrinsic that decodes back and verifies', async () => {
    const pair = keyringPairOf(sr25519KeypairFromMnemonic(MNEMONIC));
    const tx = api.tx.subtensorModule!.setWeights!(46, [1], [65535], 0n);
    await tx.signAsync(pair, { nonce: 7, era: 0, blockHash: FIXTURE_GENESIS_HASH });
    const decoded = api.createType('Extrinsic', tx.toHex());
    expect(decoded.isSigned).toBe(true);
    expect(decoded.signer.toString()).toBe(pair.address);
    expect(decoded.nonce.toNumber()).toBe(7);
    expect(decoded.method.toHex()).toBe(tx.method.toHex());
    const payload = api.createType(
      'ExtrinsicPayload',
      {
        method: decoded.method.toHex(),
        era: decoded.era,
        nonce: 7,
        tip: 0,
        specVersion: api.runtimeVersion.specVersion,
        transactionVersion: api.runtimeVersion.transactionVersion,
        genesisHash: FIXTURE_GENESIS_HASH,
        blockHash: FIXTURE_GENESIS_HASH,
      },
      { version: decoded.version & 0x7f },
    );
    // Payloads up to 256 bytes are signed as they are (longer ones are hashed first).
    expect(pair.verify(payload.toU8a({ method: true }), decoded.signature, pair.publicKey)).toBe(true);
    expect(
      pair.verify(
        payload.toU8a({ method: true }),
        decoded.signature.map((byte) => byte ^ 1),
        pair.publicKey,
      ),
    ).toBe(false);
  });
});

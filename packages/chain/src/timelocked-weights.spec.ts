/**
 * Timelocked (CR v4) weight commits against finney's 2026 metadata (spec 393) served by the stub
 * node: the runtime check, the extrinsic byte by byte, the reveal round, the commit's record in the
 * state directory across a restart, and what the chain made of it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { bnToU8a, compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoReady, sr25519KeypairFromMnemonic, ss58Of } from '@resi/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectSubtensor } from './connect.js';
import { keyringPairOf } from './keyring-pair.js';
import { describeSubtensorMetadata, inspectSubtensorMetadata } from './metadata-check.js';
import {
  FINNEY_SPEC_393,
  StubSubtensorProvider,
  deleteStorage,
  putStorage,
  recordSubnet,
  type RecordedNeuron,
} from './stub-subtensor.test-utils.js';
import { decodeWeightsTlockPayload, quicknetRoundAt, quicknetRoundTime, tlockEncrypt } from './timelock.js';
import { referenceDecrypt } from './timelock-wasm.test-utils.js';
import { TimelockedCommitFile, chooseRevealRound, mechanismStorageIndex } from './timelocked-commits.js';
import { SubtensorWeightSetter, WeightsRefusedError, type WeightSetterOptions } from './weight-setter.js';

const NETUID = 46;
const VERSION_KEY = 2_000n;
const SIGNATURE_1000 = hexToU8a(
  '0xb44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
);
const account = (seed: number) => ss58Of(new Uint8Array(32).fill(seed));

let ours: KeyringPair;
let provider: StubSubtensorProvider;
let api: ApiPromise;
let directory: string;

beforeAll(async () => {
  await cryptoReady();
  ours = keyringPairOf(
    sr25519KeypairFromMnemonic('bottom drive obey lake curtain smoke basket hold race lonely fit walk'),
  );
});

beforeEach(async () => {
  provider = new StubSubtensorProvider(FINNEY_SPEC_393);
  api = await connectSubtensor(provider);
  directory = mkdtempSync(join(tmpdir(), 'resi-timelocked-'));
});

afterEach(async () => {
  await api.disconnect();
  rmSync(directory, { recursive: true, force: true });
});

const module = () => api.query.subtensorModule!;
const TEMPO = 360;

/** uid 0: owner (burn uid, permit); 1: us; 2, 3: miners; commit-reveal on. */
function subnet(self: Partial<RecordedNeuron> = {}) {
  const neuron = (hotkey: string, validatorPermit: boolean): RecordedNeuron => ({
    hotkey,
    coldkey: account(200),
    validatorPermit,
    stakeRao: 0n,
    lastUpdate: 0,
  });
  recordSubnet(
    api,
    provider,
    NETUID,
    [
      neuron(account(10), true),
      { ...neuron(ours.address, true), lastUpdate: provider.headNumber - 500, ...self },
      neuron(account(12), false),
      neuron(account(13), false),
    ],
    { weightsVersionKey: 1_999n, commitRevealEnabled: true, revealPeriodEpochs: 1, tempo: TEMPO },
  );
}

/**
 * Chain time such that a commit now reveals exactly when quicknet publishes `round`, given the
 * next epoch starts at `nextEpoch` (the runtime's answer) and the reveal period is one epoch.
 */
function chainTimeFor(round: number, nextEpoch: number) {
  const seconds = quicknetRoundTime(round) - (nextEpoch - provider.headNumber) * 12;
  putStorage(api, provider, api.query.timestamp!.now!, [], seconds * 1000);
}

function answerNextEpochStart(block: number | null) {
  provider.runtimeCalls.set('SubnetInfoRuntimeApi_get_next_epoch_start_block', () =>
    u8aToHex(api.createType('Option<u64>', block).toU8a()),
  );
}

/**
 * The runtime check against spec 393, with neurons read from storage: the stub records storage,
 * not `SubnetInfoRuntimeApi_get_metagraph` answers (that path has its own tests).
 */
function setter(options: Partial<WeightSetterOptions> = {}, warnings: string[] = []) {
  return new SubtensorWeightSetter(
    api,
    { ...inspectSubtensorMetadata(api), metagraphPath: 'storage' },
    {
      netuid: NETUID,
      signer: ours,
      versionKey: VERSION_KEY,
      burnShare: 0.5,
      burnUid: 0,
      pendingCommitPath: join(directory, 'pending.json'),
      timelockedCommitPath: join(directory, 'timelocked.json'),
      logger: { log: () => undefined, warn: (line) => warnings.push(line) },
      ...options,
    },
  );
}

const SCORES = new Map([
  [2, 3],
  [3, 1],
]);

function submitted(index = 0) {
  const extrinsic = api.createType('Extrinsic', provider.submitted[index]);
  return {
    extrinsic,
    name: `${extrinsic.method.section}.${extrinsic.method.method}`,
    args: extrinsic.method.args.map((arg) => arg.toPrimitive()),
  };
}

describe('finney spec 393 (2026) metadata', () => {
  it('offers timelocked mechanism commits and mechanisms, and every signed extension is signable', () => {
    const report = inspectSubtensorMetadata(api);
    expect(report).toMatchObject({
      specVersion: 393,
      timelockedCommit: 'commit_timelocked_mechanism_weights',
      mechanisms: true,
      missingForMetagraph: [],
      missingForWeights: [],
    });
    expect(api.registry.signedExtensions).toEqual(
      expect.arrayContaining(['SubtensorTransactionExtension', 'DrandPriority', 'CheckShieldedTxValidity']),
    );
    expect(describeSubtensorMetadata(report)).toContain('timelocked commits by commit_timelocked_mechanism_weights');
  });

  it('builds commit_timelocked_mechanism_weights (call 118) field by field, ~303-byte commit for 4 uids', async () => {
    const payload = new Uint8Array(59);
    const ciphertext = tlockEncrypt(payload, 1000);
    expect(ciphertext.length).toBe(303);
    const tx = api.tx.subtensorModule!.commitTimelockedMechanismWeights!(NETUID, 0, u8aToHex(ciphertext), 1000, 4);
    const u16 = (value: number) => bnToU8a(value, { bitLength: 16 });
    const expected = u8aConcat(
      new Uint8Array([7, 118]), // SubtensorModule, commit_timelocked_mechanism_weights
      u16(NETUID), // NetUid(u16)
      new Uint8Array([0]), // MechId(u8)
      compactToU8a(ciphertext.length),
      ciphertext, // BoundedVec<u8, 5000>
      bnToU8a(1000, { bitLength: 64 }), // reveal_round: u64
      u16(4), // commit_reveal_version: u16
    );
    expect(tx.method.toHex()).toBe(u8aToHex(expected));
    await tx.signAsync(ours, { nonce: 3, era: 0, blockHash: FINNEY_SPEC_393.genesisHash });
    const bytes = tx.toU8a();
    const decoded = api.createType('Extrinsic', bytes);
    expect(decoded.signer.toString()).toBe(ours.address);
    expect(decoded.nonce.toNumber()).toBe(3);
    expect(decoded.method.toHex()).toBe(u8aToHex(expected));
    // length prefix (2) | version 0x84 | MultiAddress::Id (1 + 32) | MultiSignature::Sr25519 (1 + 64)
    // | era (1, immortal) | nonce (1) | tip (1) | CheckMetadataHash mode (1) | call (2 + 2 + 1 + 2 + 303 + 8 + 2)
    expect(bytes[2]).toBe(0x84);
    expect(bytes.length).toBe(2 + 1 + 33 + 65 + 1 + 1 + 1 + 1 + (2 + 2 + 1 + 2 + 303 + 8 + 2));
    expect(u8aToHex(bytes.subarray(bytes.length - expected.length))).toBe(u8aToHex(expected));
    expect(bytes[bytes.length - expected.length - 1]).toBe(0); // CheckMetadataHash: disabled
  });
});

describe('the reveal round', () => {
  it('comes from the runtime’s next epoch start plus the reveal period, never below Drand.LastStoredRound', async () => {
    subnet();
    const next = provider.headNumber + 100;
    answerNextEpochStart(next);
    chainTimeFor(5000, next);
    const choice = await chooseRevealRound(api, {
      netuid: NETUID,
      tempo: TEMPO,
      revealPeriodEpochs: 1,
      block: provider.headNumber,
    });
    expect(choice).toEqual({
      round: 5000,
      revealBlock: next,
      source: 'SubnetInfoRuntimeApi_get_next_epoch_start_block',
    });
    const later = await chooseRevealRound(api, {
      netuid: NETUID,
      tempo: TEMPO,
      revealPeriodEpochs: 3,
      block: provider.headNumber,
    });
    expect(later.revealBlock).toBe(next + 2 * TEMPO);
    expect(later.round).toBe(quicknetRoundAt(quicknetRoundTime(5000) + 2 * TEMPO * 12));
    putStorage(api, provider, api.query.drand!.lastStoredRound!, [], 9000);
    expect(
      await chooseRevealRound(api, { netuid: NETUID, tempo: TEMPO, revealPeriodEpochs: 1, block: provider.headNumber }),
    ).toMatchObject({ round: 9000, raisedToLastStored: 9000 });
  });

  it('falls back to the legacy epoch formula, saying so, when the runtime has no such API', async () => {
    subnet();
    const warnings: string[] = [];
    const block = provider.headNumber;
    const choice = await chooseRevealRound(api, {
      netuid: NETUID,
      tempo: TEMPO,
      revealPeriodEpochs: 1,
      block,
      logger: { log: () => undefined, warn: (line) => warnings.push(line) },
    });
    // (block + netuid + 1) is a multiple of tempo + 1 at an epoch start.
    expect((choice.revealBlock + NETUID + 1) % (TEMPO + 1)).toBe(0);
    expect(choice.revealBlock).toBeGreaterThan(block);
    expect(choice.revealBlock - block).toBeLessThanOrEqual(TEMPO + 1);
    expect(choice.source).toBe('legacy-formula');
    expect(warnings.join('\n')).toMatch(/no SubnetInfoRuntimeApi_get_next_epoch_start_block/);
  });
});

describe('timelocked commits', () => {
  async function commitAtRound1000() {
    subnet();
    const next = provider.headNumber + 50;
    answerNextEpochStart(next);
    chainTimeFor(1000, next);
    return setter().setMinerWeights(SCORES);
  }

  it('commits with commit_timelocked_mechanism_weights; the chain’s decryptor opens it to our weights', async () => {
    const submission = await commitAtRound1000();
    expect(submission).toMatchObject({ kind: 'timelocked', revealRound: 1000, revealBlock: provider.headNumber + 50 });
    const { name, args } = submitted();
    expect(name).toBe('subtensorModule.commitTimelockedMechanismWeights');
    expect(args.slice(0, 2)).toEqual([NETUID, 0]);
    expect(args.slice(3)).toEqual([1000, 4]);
    // What subtensor does at the reveal: tld with drand's round-1000 signature, then SCALE-decode.
    const payload = decodeWeightsTlockPayload(referenceDecrypt(hexToU8a(args[2] as string), SIGNATURE_1000));
    expect(payload).toEqual({
      hotkey: ours.publicKey,
      uids: submission.uids,
      values: submission.values,
      versionKey: VERSION_KEY,
    });
    // Burn uid 0 takes half; miners 2 and 3 share the rest 3:1 (max-upscaled to 65535).
    expect(payload.uids).toEqual([0, 2, 3]);
    expect(payload.values).toEqual([65_535, 49_151, 16_384]);
  });

  it('records the commit and its round in the state file before submitting, and keeps it across a restart', async () => {
    await commitAtRound1000();
    const stored = new TimelockedCommitFile(join(directory, 'timelocked.json')).load();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ netuid: NETUID, mechanism: 0, revealRound: 1000, status: 'committed' });
    expect(JSON.parse(readFileSync(join(directory, 'timelocked.json'), 'utf8'))[0].revealRound).toBe(1000);
  });

  it('refuses a mechanism the subnet does not have, and a commit-reveal version it does not make', async () => {
    subnet();
    await expect(setter({ mechanism: 1 }).setMinerWeights(SCORES)).rejects.toThrow(/has 1 mechanism\(s\); mechanism 1/);
    putStorage(api, provider, module().commitRevealWeightsVersion!, [], 5);
    const refusal = await setter()
      .setMinerWeights(SCORES)
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WeightsRefusedError);
    expect((refusal as WeightsRefusedError).reason).toBe('commit-reveal-version');
    expect(provider.submitted).toHaveLength(0);
  });

  it('uses set_mechanism_weights when commit-reveal is off, on the chosen mechanism', async () => {
    subnet();
    putStorage(api, provider, module().commitRevealWeightsEnabled!, [NETUID], false);
    putStorage(api, provider, module().mechanismCountCurrent!, [NETUID], 2);
    await setter({ mechanism: 1 }).setMinerWeights(SCORES);
    const { name, args } = submitted();
    expect(name).toBe('subtensorModule.setMechanismWeights');
    expect(args.slice(0, 2)).toEqual([NETUID, 1]);
    expect(mechanismStorageIndex(NETUID, 1)).toBe(4096 + NETUID);
  });
});

describe('what the chain made of a timelocked commit', () => {
  const storageIndex = NETUID;

  async function committed() {
    subnet();
    const next = provider.headNumber + 50;
    answerNextEpochStart(next);
    chainTimeFor(1000, next);
    const submission = await setter().setMinerWeights(SCORES);
    if (submission.kind !== 'timelocked') throw new Error('expected a timelocked commit');
    const { args } = submitted();
    // The chain queues it under the commit epoch.
    putStorage(
      api,
      provider,
      module().timelockedWeightCommits!,
      [storageIndex, 7],
      [[ours.address, provider.headNumber, args[2], 1000]],
    );
    return submission;
  }

  it('waits while the commit is queued, then reports the reveal after a restart', async () => {
    const submission = await committed();
    const waiting = await setter().revealDue();
    expect(waiting).toEqual([
      expect.objectContaining({ kind: 'waiting', detail: expect.stringMatching(/round 1000 is not on chain yet/) }),
    ]);
    // The chain reveals: the pulse is stored, the queue emptied, our row written at a later block.
    putStorage(api, provider, api.query.drand!.lastStoredRound!, [], 1000);
    deleteStorage(provider, module().timelockedWeightCommits!, [storageIndex, 7]);
    putStorage(
      api,
      provider,
      module().weights!,
      [storageIndex, 1],
      submission.uids.map((uid, index) => [uid, submission.values[index]]),
    );
    putStorage(api, provider, module().lastUpdate!, [storageIndex], [0, provider.headNumber + 60, 0, 0]);
    const restarted = setter();
    const outcomes = await restarted.revealDue();
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'chain-revealed', revealRound: 1000 })]);
    expect(new TimelockedCommitFile(join(directory, 'timelocked.json')).load()[0]).toMatchObject({
      status: 'revealed',
    });
    // Settled: not reported again.
    expect(await restarted.revealDue()).toEqual([]);
  });

  it('names a stale version key when the chain dropped the commit', async () => {
    await committed();
    putStorage(api, provider, api.query.drand!.lastStoredRound!, [], 1000);
    deleteStorage(provider, module().timelockedWeightCommits!, [storageIndex, 7]);
    putStorage(api, provider, module().weightsVersionKey!, [NETUID], 3_000n);
    const [outcome] = await setter().revealDue();
    expect(outcome).toMatchObject({ kind: 'not-revealed', cause: 'stale-version-key' });
    expect(outcome && 'detail' in outcome && outcome.detail).toMatch(/committed 2000, the subnet requires 3000/);
  });

  it('names a lost permit, and a row that predates the commit is not a reveal', async () => {
    const submission = await committed();
    deleteStorage(provider, module().timelockedWeightCommits!, [storageIndex, 7]);
    putStorage(api, provider, api.query.drand!.lastStoredRound!, [], 1000);
    putStorage(
      api,
      provider,
      module().weights!,
      [storageIndex, 1],
      submission.uids.map((uid, index) => [uid, submission.values[index]]),
    );
    putStorage(api, provider, module().validatorPermit!, [NETUID], [true, false, false, false]);
    const [outcome] = await setter().revealDue();
    expect(outcome).toMatchObject({ kind: 'not-revealed', cause: 'permit-lost' });
  });
});

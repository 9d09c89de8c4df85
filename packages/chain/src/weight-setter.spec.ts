import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoReady, sr25519KeypairFromMnemonic, ss58Of } from '@resi/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PendingCommitFile, weightCommitHash } from './commit-reveal.js';
import { connectSubtensor } from './connect.js';
import { keyringPairOf } from './keyring-pair.js';
import { inspectSubtensorMetadata } from './metadata-check.js';
import {
  recordSubnet,
  StubSubtensorProvider,
  type RecordedHyperparameters,
  type RecordedNeuron,
} from './stub-subtensor.test-utils.js';
import {
  SubtensorWeightSetter,
  weightRevealWindow,
  WeightsRefusedError,
  type WeightSetterOptions,
} from './weight-setter.js';

const NETUID = 46;
const VERSION_KEY = 2_000n;
const account = (seed: number) => ss58Of(new Uint8Array(32).fill(seed));

let ours: KeyringPair;
let stranger: KeyringPair;
let provider: StubSubtensorProvider;
let api: ApiPromise;
let directory: string;

beforeAll(async () => {
  await cryptoReady();
  ours = keyringPairOf(
    sr25519KeypairFromMnemonic('bottom drive obey lake curtain smoke basket hold race lonely fit walk'),
  );
  stranger = keyringPairOf(
    sr25519KeypairFromMnemonic('legal winner thank year wave sausage worth useful legal winner thank yellow'),
  );
});

beforeEach(async () => {
  provider = new StubSubtensorProvider();
  api = await connectSubtensor(provider);
  directory = mkdtempSync(join(tmpdir(), 'resi-weights-'));
});

afterEach(async () => {
  await api.disconnect();
  rmSync(directory, { recursive: true, force: true });
});

/** uid 0: the owner (burn uid, has a permit); 1: us; 2, 3: miners; 4: another validator. */
function subnet(self: Partial<RecordedNeuron> = {}, hyperparameters: Partial<RecordedHyperparameters> = {}) {
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
      neuron(account(14), true),
    ],
    { weightsVersionKey: 1_999n, weightsRateLimit: 100, ...hyperparameters },
  );
}

function setter(options: Partial<WeightSetterOptions> = {}) {
  return new SubtensorWeightSetter(api, inspectSubtensorMetadata(api), {
    netuid: NETUID,
    signer: ours,
    versionKey: VERSION_KEY,
    burnShare: 0.5,
    burnUid: 0,
    pendingCommitPath: join(directory, 'pending.json'),
    timelockedCommitPath: join(directory, 'timelocked.json'),
    ...options,
  });
}

/** The one extrinsic the stub node received, decoded with the fixture metadata. */
function submittedCall(index = 0) {
  const extrinsic = api.createType('Extrinsic', provider.submitted[index]);
  expect(extrinsic.isSigned).toBe(true);
  return {
    signer: extrinsic.signer.toString(),
    name: `${extrinsic.method.section}.${extrinsic.method.method}`,
    args: extrinsic.method.args.map((arg) => arg.toPrimitive()),
  };
}

const SCORES = new Map([
  [2, 3], // miner
  [3, 1], // miner
  [4, 5], // a validator: excluded
  [1, 9], // ourselves: excluded
]);
// Miners share 1 - 0.5: uid 2 gets 0.375, uid 3 0.125; uid 0 burns 0.5. Divided by the max 0.5 and
// scaled: 65535, 0.75 * 65535 = 49151.25 -> 49151, 0.25 * 65535 = 16383.75 -> 16384.
const EXPECTED = { uids: [0, 2, 3], values: [65535, 49151, 16384] };

describe('SubtensorWeightSetter without commit-reveal', () => {
  it('plans, converts and submits set_weights signed by the hotkey', async () => {
    subnet();
    const submission = await setter().setMinerWeights(SCORES);
    expect(submission).toMatchObject({ kind: 'set', ...EXPECTED, block: provider.headNumber });
    expect(provider.submitted).toHaveLength(1);
    expect(submittedCall()).toEqual({
      signer: ours.address,
      name: 'subtensorModule.setWeights',
      args: [NETUID, EXPECTED.uids, EXPECTED.values, Number(VERSION_KEY)],
    });
  });

  it.each([
    ['not-registered', () => subnet(), () => ({ signer: stranger }), /not registered on subnet 46/],
    ['no-validator-permit', () => subnet({ validatorPermit: false }), () => ({}), /no validator permit/],
    [
      'version-key-too-low',
      () => subnet({}, { weightsVersionKey: 2_001n }),
      () => ({}),
      /below the subnet's WeightsVersionKey 2001/,
    ],
    [
      'rate-limited',
      () => subnet({ lastUpdate: 3_999_950 }),
      () => ({}),
      /50 blocks ago; .* every 100 blocks \(next from block 4000050\)/,
    ],
    [
      'too-few-weights',
      () => subnet({}, { minAllowedWeights: 4 }),
      () => ({}),
      /3 non-zero weights, the subnet requires at least 4/,
    ],
  ] as const)('refuses (%s) without submitting anything', async (reason, record, options, message) => {
    record();
    const attempt = setter(options()).setMinerWeights(SCORES);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toMatchObject({ reason });
    await expect(attempt).rejects.toBeInstanceOf(WeightsRefusedError);
    expect(provider.submitted).toEqual([]);
  });
});

describe('SubtensorWeightSetter with commit-reveal', () => {
  const commitsKey = () => api.query.subtensorModule!.weightCommits!.key(NETUID, ours.address);
  const recordCommit = (hash: string, commitBlock: number, firstReveal: number, lastReveal: number) =>
    provider.storage.set(
      commitsKey(),
      u8aToHex(api.createType('Vec<(H256, u64, u64, u64)>', [[hash, commitBlock, firstReveal, lastReveal]]).toU8a()),
    );

  it('commits the hash of the weights and persists the salt before submitting', async () => {
    subnet({}, { commitRevealEnabled: true });
    const submission = await setter().setMinerWeights(SCORES);
    const [pending] = new PendingCommitFile(join(directory, 'pending.json')).load();
    expect(pending).toMatchObject({
      netuid: NETUID,
      hotkey: ours.address,
      ...EXPECTED,
      versionKey: '2000',
      commitBlock: 4_000_000,
    });
    const hash = weightCommitHash({ ...pending!, versionKey: VERSION_KEY });
    expect(submission).toMatchObject({ kind: 'committed', commitHash: hash, ...EXPECTED });
    expect(pending!.hash).toBe(hash);
    expect(submittedCall()).toEqual({
      signer: ours.address,
      name: 'subtensorModule.commitWeights',
      args: [NETUID, hash],
    });
  });

  it('waits for the reveal window, then reveals from the file even after a restart', async () => {
    subnet({}, { commitRevealEnabled: true });
    const { commitHash } = (await setter().setMinerWeights(SCORES)) as { commitHash: string };
    const [pending] = new PendingCommitFile(join(directory, 'pending.json')).load();
    recordCommit(commitHash, 4_000_000, 4_000_361, 4_000_721);

    const waiting = await setter().revealDue();
    expect(waiting).toEqual([{ commitHash, kind: 'waiting', detail: 'reveal opens at block 4000361 (now 4000000)' }]);
    expect(provider.submitted).toHaveLength(1);

    provider.headNumber = 4_000_400;
    const restarted = setter(); // a new process: only the file remembers the salt
    const revealed = await restarted.revealDue();
    expect(revealed).toMatchObject([{ commitHash, kind: 'revealed' }]);
    expect(submittedCall(1)).toEqual({
      signer: ours.address,
      name: 'subtensorModule.revealWeights',
      args: [NETUID, EXPECTED.uids, EXPECTED.values, pending!.salt, Number(VERSION_KEY)],
    });
    expect(new PendingCommitFile(join(directory, 'pending.json')).load()).toEqual([]);
  });

  it('drops a commit whose window has passed or that the chain no longer holds', async () => {
    subnet({}, { commitRevealEnabled: true });
    const { commitHash } = (await setter().setMinerWeights(SCORES)) as { commitHash: string };
    recordCommit(commitHash, 4_000_000, 4_000_361, 4_000_721);
    provider.headNumber = 4_000_722;
    expect(await setter().revealDue()).toEqual([{ commitHash, kind: 'dropped', detail: 'reveal window passed' }]);

    await setter()
      .setMinerWeights(SCORES)
      .catch(() => undefined); // rate limit may refuse; only the file matters
    provider.storage.delete(commitsKey());
    const outcomes = await setter().revealDue();
    expect(outcomes.every((outcome) => outcome.kind === 'dropped')).toBe(true);
    expect(new PendingCommitFile(join(directory, 'pending.json')).load()).toEqual([]);
    expect(
      provider.submitted.filter((hex) => submittedCall(provider.submitted.indexOf(hex)).name.endsWith('revealWeights')),
    ).toEqual([]);
  });
});

describe('weightRevealWindow', () => {
  it('counts subnet epochs on current runtimes: open exactly in commit epoch + reveal period', () => {
    expect(weightRevealWindow([10, 5_000, 0], 9_999, 11, 2)).toEqual({
      waiting: 'reveal opens in subnet epoch 12 (now 11)',
    });
    expect(weightRevealWindow([10, 5_000, 0], 9_999, 12, 2)).toBe('open');
    expect(weightRevealWindow([10, 5_000, 0], 9_999, 13, 2)).toBe('expired');
  });

  it('uses the stored reveal block range on older runtimes', () => {
    expect(weightRevealWindow([100, 461, 821], 460, undefined, 1)).toEqual({
      waiting: 'reveal opens at block 461 (now 460)',
    });
    expect(weightRevealWindow([100, 461, 821], 461, undefined, 1)).toBe('open');
    expect(weightRevealWindow([100, 461, 821], 821, undefined, 1)).toBe('open');
    expect(weightRevealWindow([100, 461, 821], 822, undefined, 1)).toBe('expired');
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import {
  SubtensorWeightSetter,
  WeightsRefusedError,
  connectSubtensor,
  inspectSubtensorMetadata,
  keyringPairOf,
  quicknetRoundTime,
} from '@resi/chain';
import { cryptoReady, sr25519KeypairFromMnemonic } from '@resi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FINNEY_SPEC_393,
  StubSubtensorProvider,
  deleteStorage,
  putStorage,
  recordSubnet,
  type RecordedNeuron,
} from '../../../../packages/chain/src/stub-subtensor.test-utils.js';
import {
  ALICE,
  BOB,
  CHARLIE,
  CONTEXT,
  DAVE,
  craftedResultsFile,
} from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { WeightMetricsFile } from './weight-metrics.js';
import { ChainWeightPublisher, WEIGHT_STATE_FILES, type MinerWeightSetter } from './weight-publisher.js';

const file = craftedResultsFile(DAVE);

type Preflight = Awaited<ReturnType<MinerWeightSetter['preflight']>>;

/** A chain where the uids differ from the API's, Charlie holds a validator permit and Dave is us. */
function fakeSetter(refusal?: WeightsRefusedError) {
  const neurons = [
    { uid: 10, hotkey: ALICE, validatorPermit: false },
    { uid: 11, hotkey: BOB, validatorPermit: false },
    { uid: 12, hotkey: CHARLIE, validatorPermit: true },
    { uid: 13, hotkey: DAVE, validatorPermit: true },
  ];
  const submitted: ReadonlyMap<number, number>[] = [];
  const setter: MinerWeightSetter = {
    preflight: () =>
      refusal
        ? Promise.reject(refusal)
        : Promise.resolve({ snapshot: { neurons }, self: neurons[3] } as unknown as Preflight),
    setMinerWeights: (scores) => {
      submitted.push(scores);
      return Promise.resolve({ kind: 'set', uids: [], values: [], txHash: '0xabc', block: 1 } as unknown as Awaited<
        ReturnType<MinerWeightSetter['setMinerWeights']>
      >);
    },
    revealDue: () => Promise.resolve([]),
  };
  return { setter, submitted };
}

describe('ChainWeightPublisher', () => {
  it("maps miners to the chain's uids and submits their credibility; validators get no weight", async () => {
    const { setter, submitted } = fakeSetter();
    const logs: string[] = [];
    const publisher = new ChainWeightPublisher(setter, { burnShare: 0, log: (line) => logs.push(line) });
    const publication = await publisher.publish(file);
    // Credibility: Alice and Bob by their reward shares; Charlie (a validator on chain) excluded from the table.
    expect(publication).toMatchObject({ outcome: 'set', detail: 'set_weights in tx 0xabc' });
    expect(publication.outcome === 'set' && publication.table.map((row) => [row.uid, row.hotkey])).toEqual([
      [10, ALICE],
      [11, BOB],
    ]);
    const after = (hotkey: string) => file.validation_results[hotkey]!.credibility.after;
    expect([...submitted[0]!].sort((a, b) => a[0] - b[0])).toEqual([
      [10, after(ALICE)],
      [11, after(BOB)],
      [12, 0],
      [13, 0],
    ]);
    expect(after(ALICE)).toBeGreaterThan(0.26);
    expect(after(BOB)).toBeGreaterThan(0.02);
    expect(logs[0]).toContain(`weights for epoch ${CONTEXT.epochId}`);
  });

  it('retries when rate-limited and gives up for good without a permit', async () => {
    const limited = new ChainWeightPublisher(fakeSetter(new WeightsRefusedError('rate-limited', 'too soon')).setter, {
      burnShare: 0,
      log: () => undefined,
    });
    expect(await limited.publish(file)).toEqual({ outcome: 'retry', detail: 'too soon' });
    await expect(limited.preflight()).resolves.toBeUndefined();
    const unpermitted = new ChainWeightPublisher(
      fakeSetter(new WeightsRefusedError('no-validator-permit', 'uid 13 has no validator permit')).setter,
      { burnShare: 0, log: () => undefined },
    );
    expect(await unpermitted.publish(file)).toEqual({ outcome: 'refused', detail: 'uid 13 has no validator permit' });
    await expect(unpermitted.preflight()).rejects.toThrow('no validator permit');
  });
});

describe('ChainWeightPublisher on a runtime with timelocked commits (stub node, finney spec 393)', () => {
  let directory: string;
  let provider: StubSubtensorProvider;
  let api: ApiPromise;
  let pair: KeyringPair;

  beforeEach(async () => {
    await cryptoReady();
    pair = keyringPairOf(
      sr25519KeypairFromMnemonic('bottom drive obey lake curtain smoke basket hold race lonely fit walk'),
    );
    directory = mkdtempSync(join(tmpdir(), 'resi-validator-weights-'));
    provider = new StubSubtensorProvider(FINNEY_SPEC_393);
    api = await connectSubtensor(provider);
    const neuron = (hotkey: string, validatorPermit: boolean): RecordedNeuron => ({
      hotkey,
      coldkey: hotkey,
      validatorPermit,
      stakeRao: 0n,
      lastUpdate: 0,
    });
    recordSubnet(
      api,
      provider,
      46,
      [neuron(ALICE, false), neuron(BOB, false), neuron(CHARLIE, false), neuron(pair.address, true)],
      { commitRevealEnabled: true, revealPeriodEpochs: 1, tempo: 360 },
    );
    // The next epoch starts in 50 blocks; chain time makes drand round 1000 its reveal round.
    provider.runtimeCalls.set('SubnetInfoRuntimeApi_get_next_epoch_start_block', () =>
      u8aToHex(api.createType('Option<u64>', provider.headNumber + 50).toU8a()),
    );
    putStorage(api, provider, api.query.timestamp!.now!, [], (quicknetRoundTime(1000) - 50 * 12) * 1000);
  });

  afterEach(async () => {
    await api.disconnect();
    rmSync(directory, { recursive: true, force: true });
  });

  /** A publisher as `resi validator` builds it, over the stub (neurons read from storage). */
  function publisher(logs: string[]) {
    const setter = new SubtensorWeightSetter(
      api,
      { ...inspectSubtensorMetadata(api), metagraphPath: 'storage' },
      {
        netuid: 46,
        signer: pair,
        versionKey: 5n,
        burnShare: 0,
        pendingCommitPath: join(directory, WEIGHT_STATE_FILES.pendingHashCommits),
        timelockedCommitPath: join(directory, WEIGHT_STATE_FILES.timelockedCommits),
      },
    );
    return new ChainWeightPublisher(
      setter,
      { burnShare: 0, log: (line) => logs.push(line), warn: (line) => logs.push(`WARN ${line}`) },
      () => Promise.resolve(),
      new WeightMetricsFile(join(directory, WEIGHT_STATE_FILES.metrics)),
    );
  }

  it('commits, records the commit and its round in the state directory, and after a restart reports the reveal', async () => {
    const logs: string[] = [];
    const publication = await publisher(logs).publish(craftedResultsFile(pair.address));
    expect(publication).toMatchObject({ outcome: 'committed', detail: expect.stringMatching(/drand round 1000/) });
    const [stored] = JSON.parse(readFileSync(join(directory, WEIGHT_STATE_FILES.timelockedCommits), 'utf8')) as {
      revealRound: number;
      status: string;
      uids: number[];
      values: number[];
    }[];
    expect(stored).toMatchObject({ revealRound: 1000, status: 'committed' });
    const extrinsic = api.createType('Extrinsic', provider.submitted[0]);
    expect(`${extrinsic.method.section}.${extrinsic.method.method}`).toBe(
      'subtensorModule.commitTimelockedMechanismWeights',
    );
    const commit = extrinsic.method.args[2]!.toHex();
    putStorage(
      api,
      provider,
      api.query.subtensorModule!.timelockedWeightCommits!,
      [46, 11],
      [[pair.address, provider.headNumber, commit, 1000]],
    );
    const metrics = join(directory, WEIGHT_STATE_FILES.metrics);

    // A restart: a new publisher finds the commit in the state directory; the chain has not revealed yet.
    expect(await publisher(logs).tick()).toEqual([
      expect.stringMatching(/waiting \(drand round 1000 is not on chain yet/),
    ]);
    expect(readFileSync(metrics, 'utf8')).toContain('resi_validator_weights_commits_waiting 1');

    // The chain reveals at the epoch: round stored, queue emptied, our row written after the commit.
    putStorage(api, provider, api.query.drand!.lastStoredRound!, [], 1000);
    deleteStorage(provider, api.query.subtensorModule!.timelockedWeightCommits!, [46, 11]);
    putStorage(
      api,
      provider,
      api.query.subtensorModule!.weights!,
      [46, 3],
      stored!.uids.map((uid, index) => [uid, stored!.values[index]]),
    );
    putStorage(api, provider, api.query.subtensorModule!.lastUpdate!, [46], [0, 0, 0, provider.headNumber + 50]);
    expect(await publisher(logs).tick()).toEqual([expect.stringMatching(/chain-revealed \(the chain revealed it/)]);
    expect(readFileSync(metrics, 'utf8')).toContain('resi_validator_weights_revealed_total 1');
  });

  it('warns and exports the cause when the chain did not apply the weights', async () => {
    const logs: string[] = [];
    await publisher(logs).publish(craftedResultsFile(pair.address));
    putStorage(api, provider, api.query.drand!.lastStoredRound!, [], 1000);
    putStorage(api, provider, api.query.subtensorModule!.weightsVersionKey!, [46], 9n);
    expect(await publisher(logs).tick()).toEqual([]);
    expect(logs.at(-1)).toMatch(/^WARN WEIGHTS NOT APPLIED: .*stale version key: committed 5, the subnet requires 9/);
    expect(readFileSync(join(directory, WEIGHT_STATE_FILES.metrics), 'utf8')).toContain(
      'resi_validator_weights_not_revealed_total{cause="stale-version-key"} 1',
    );
  });
});

import type { ApiOptions } from '@polkadot/api/types';
import { u8aToHex } from '@polkadot/util';
import { ss58Of } from '@resi/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChainMetagraph } from './chain-metagraph.js';
import { connectSubtensor } from './connect.js';
import { recordSubnet, StubSubtensorProvider, type RecordedNeuron } from './stub-subtensor.test-utils.js';

const NETUID = 46;
const account = (seed: number) => ss58Of(new Uint8Array(32).fill(seed));
const NEURONS: RecordedNeuron[] = [
  {
    hotkey: account(1),
    coldkey: account(101),
    validatorPermit: true,
    stakeRao: 12_345_000_000_000n,
    lastUpdate: 3_999_900,
  },
  { hotkey: account(2), coldkey: account(102), validatorPermit: false, stakeRao: 1_500_000_000n, lastUpdate: 0 },
  { hotkey: account(3), coldkey: account(101), validatorPermit: false, stakeRao: 1n, lastUpdate: 3_999_000 },
];

const quiet = { log: () => undefined, warn: () => undefined };
const opened: ChainMetagraph[] = [];
afterEach(async () => {
  for (const metagraph of opened.splice(0)) await metagraph.close();
});

/** A stub node whose storage holds `neurons` on subnet 46, written with a throwaway connection. */
async function nodeWith(neurons: RecordedNeuron[], hyperparameters = {}): Promise<StubSubtensorProvider> {
  const provider = new StubSubtensorProvider();
  const api = await connectSubtensor(provider);
  recordSubnet(api, provider, NETUID, neurons, hyperparameters);
  await api.disconnect();
  return provider;
}

async function open(
  provider: StubSubtensorProvider,
  clock: { now: number },
  extra: { apiOptions?: Omit<ApiOptions, 'provider'>; syncIntervalMs?: number } = {},
): Promise<ChainMetagraph> {
  const metagraph = await ChainMetagraph.open({
    connection: provider,
    netuid: NETUID,
    logger: quiet,
    now: () => clock.now,
    syncIntervalMs: extra.syncIntervalMs ?? 300_000,
    ...(extra.apiOptions ? { apiOptions: extra.apiOptions } : {}),
  });
  opened.push(metagraph);
  return metagraph;
}

describe('ChainMetagraph over the storage fallback (V14 runtime without runtime APIs)', () => {
  it('decodes neurons and hyperparameters from recorded storage values', async () => {
    const provider = await nodeWith(NEURONS, {
      weightsVersionKey: 2_001n,
      commitRevealEnabled: true,
      revealPeriodEpochs: 2,
    });
    const metagraph = await open(provider, { now: 1_000_000 });
    expect(metagraph.report.metagraphPath).toBe('storage');
    expect(metagraph.all()).toEqual([
      {
        uid: 0,
        hotkey: account(1),
        coldkey: account(101),
        validatorPermit: true,
        stake: 12_345,
        lastUpdate: 3_999_900,
      },
      { uid: 1, hotkey: account(2), coldkey: account(102), validatorPermit: false, stake: 1.5, lastUpdate: 0 },
      { uid: 2, hotkey: account(3), coldkey: account(101), validatorPermit: false, stake: 1e-9, lastUpdate: 3_999_000 },
    ]);
    expect(metagraph.byHotkey(account(2))?.uid).toBe(1);
    expect(metagraph.byHotkey(account(9))).toBeUndefined();
    expect(metagraph.snapshot()).toMatchObject({
      netuid: NETUID,
      block: provider.headNumber,
      path: 'storage',
      hyperparameters: {
        tempo: 360,
        weightsVersionKey: 2_001n,
        weightsRateLimit: 100,
        commitRevealEnabled: true,
        revealPeriodEpochs: 2,
        minAllowedWeights: 1,
        maxWeightsLimit: 65_535,
      },
    });
    expect(metagraph.health()).toEqual({ status: 'ok', source: 'chain:provider#46', neurons: 3, ageSeconds: 0 });
  });

  it('keeps the last good copy when the node fails, reports it stale with its age, and recovers', async () => {
    const provider = await nodeWith(NEURONS);
    const clock = { now: 1_000_000 };
    const metagraph = await open(provider, clock);
    provider.failure = new Error('socket hang up');
    clock.now += 20 * 60_000;
    await expect(metagraph.sync()).resolves.toBe(false);
    expect(metagraph.all()).toHaveLength(3);
    expect(metagraph.byHotkey(account(1))?.validatorPermit).toBe(true);
    expect(metagraph.health()).toMatchObject({
      status: 'stale',
      neurons: 3,
      ageSeconds: 1200,
      error: 'socket hang up',
    });

    provider.failure = null;
    provider.headNumber += 25;
    await expect(metagraph.sync()).resolves.toBe(true);
    expect(metagraph.health()).toMatchObject({ status: 'ok', ageSeconds: 0 });
    expect(metagraph.health().error).toBeUndefined();
    expect(metagraph.snapshot()?.block).toBe(provider.headNumber);
  });

  it('reports stale once the copy is older than three sync intervals, even without an error', async () => {
    const clock = { now: 0 };
    const metagraph = await open(await nodeWith(NEURONS), clock, { syncIntervalMs: 60_000 });
    clock.now = 180_000;
    expect(metagraph.health().status).toBe('ok');
    clock.now = 180_001;
    expect(metagraph.health()).toMatchObject({ status: 'stale', ageSeconds: 180 });
  });

  it('starts unavailable, without throwing, when the first sync fails; the subnet is missing here', async () => {
    const metagraph = await open(new StubSubtensorProvider(), { now: 0 });
    expect(metagraph.all()).toEqual([]);
    expect(metagraph.health()).toMatchObject({ status: 'unavailable', neurons: 0, ageSeconds: null });
    expect(metagraph.health().error).toMatch(/subnet 46 does not exist/);
  });

  it('syncs again on its own every interval', async () => {
    const provider = await nodeWith(NEURONS);
    const metagraph = await open(provider, { now: 0 }, { syncIntervalMs: 50 });
    provider.headNumber += 7;
    await vi.waitFor(() => expect(metagraph.snapshot()?.block).toBe(provider.headNumber), { timeout: 5_000 });
  });
});

/**
 * Runtime-API results, encoded here with type definitions transcribed from subtensor's
 * `NeuronInfoLite` / `Metagraph` structs. V14 metadata carries no runtime-API section, so the
 * definitions reach @polkadot/api as options, as they would for an old node; on current nodes the
 * V15 metadata supplies them.
 */
const NEURON_INFO_TYPES = {
  AxonInfo: {
    block: 'u64',
    version: 'u32',
    ip: 'u128',
    port: 'u16',
    ipType: 'u8',
    protocol: 'u8',
    placeholder1: 'u8',
    placeholder2: 'u8',
  },
  PrometheusInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ipType: 'u8' },
  NeuronInfoLite: {
    hotkey: 'AccountId',
    coldkey: 'AccountId',
    uid: 'Compact<u16>',
    netuid: 'Compact<u16>',
    active: 'bool',
    axonInfo: 'AxonInfo',
    prometheusInfo: 'PrometheusInfo',
    stake: 'Vec<(AccountId, Compact<u64>)>',
    rank: 'Compact<u16>',
    emission: 'Compact<u64>',
    incentive: 'Compact<u16>',
    consensus: 'Compact<u16>',
    trust: 'Compact<u16>',
    validatorTrust: 'Compact<u16>',
    dividends: 'Compact<u16>',
    lastUpdate: 'Compact<u64>',
    validatorPermit: 'bool',
    pruningScore: 'Compact<u16>',
  },
  /** Only the fields resi reads, in order; the real struct has many more. */
  ResiMetagraphSubset: {
    netuid: 'Compact<u16>',
    hotkeys: 'Vec<AccountId>',
    coldkeys: 'Vec<AccountId>',
    validatorPermit: 'Vec<bool>',
    lastUpdate: 'Vec<Compact<u64>>',
    totalStake: 'Vec<Compact<u64>>',
  },
};
const netuidParam = [{ name: 'netuid', type: 'u16' }];

describe('ChainMetagraph over the runtime APIs', () => {
  it('prefers NeuronInfoRuntimeApi_get_neurons_lite over storage and sums each neuron stake', async () => {
    const provider = await nodeWith(NEURONS);
    provider.runtimeApis.push(['NeuronInfoRuntimeApi', 1]);
    const helper = await connectSubtensor(provider, { apiOptions: { types: NEURON_INFO_TYPES } });
    const zeroAxon = { block: 0, version: 0, ip: 0, port: 0, ipType: 4, protocol: 0, placeholder1: 0, placeholder2: 0 };
    const encoded = helper
      .createType('Vec<NeuronInfoLite>', [
        {
          hotkey: account(7),
          coldkey: account(70),
          uid: 1,
          netuid: NETUID,
          axonInfo: zeroAxon,
          stake: [
            [account(70), 2_000_000_000n],
            [account(71), 500_000_000n],
          ],
          lastUpdate: 42,
          validatorPermit: true,
        },
        {
          hotkey: account(6),
          coldkey: account(60),
          uid: 0,
          netuid: NETUID,
          axonInfo: zeroAxon,
          stake: [],
          lastUpdate: 0,
          validatorPermit: false,
        },
      ])
      .toU8a();
    await helper.disconnect();
    let asked = '';
    provider.runtimeCalls.set('NeuronInfoRuntimeApi_get_neurons_lite', (argumentsHex) => {
      asked = argumentsHex;
      return u8aToHex(encoded);
    });
    const metagraph = await open(
      provider,
      { now: 0 },
      {
        apiOptions: {
          types: NEURON_INFO_TYPES,
          runtime: {
            NeuronInfoRuntimeApi: [
              {
                version: 1,
                methods: {
                  get_neurons_lite: {
                    description: 'neurons of a subnet',
                    params: netuidParam,
                    type: 'Vec<NeuronInfoLite>',
                  },
                },
              },
            ],
          },
        },
      },
    );
    expect(asked).toBe('0x2e00'); // netuid 46 as u16 LE
    expect(metagraph.report.metagraphPath).toBe('NeuronInfoRuntimeApi_get_neurons_lite');
    expect(metagraph.snapshot()?.path).toBe('NeuronInfoRuntimeApi_get_neurons_lite');
    expect(metagraph.all()).toEqual([
      { uid: 0, hotkey: account(6), coldkey: account(60), validatorPermit: false, stake: 0, lastUpdate: 0 },
      { uid: 1, hotkey: account(7), coldkey: account(70), validatorPermit: true, stake: 2.5, lastUpdate: 42 },
    ]);
  });

  it('prefers SubnetInfoRuntimeApi_get_metagraph when offered, and reports a missing subnet', async () => {
    const provider = await nodeWith(NEURONS);
    provider.runtimeApis.push(['SubnetInfoRuntimeApi', 2], ['NeuronInfoRuntimeApi', 1]);
    const helper = await connectSubtensor(provider, { apiOptions: { types: NEURON_INFO_TYPES } });
    const encoded = helper
      .createType('Option<ResiMetagraphSubset>', {
        netuid: NETUID,
        hotkeys: [account(4), account(5)],
        coldkeys: [account(40), account(50)],
        validatorPermit: [false, true],
        lastUpdate: [10, 20],
        totalStake: [0, 4_000_000_000_000n],
      })
      .toU8a();
    await helper.disconnect();
    let subnetExists = true;
    provider.runtimeCalls.set('SubnetInfoRuntimeApi_get_metagraph', () => (subnetExists ? u8aToHex(encoded) : '0x00'));
    const metagraph = await open(
      provider,
      { now: 0 },
      {
        apiOptions: {
          types: NEURON_INFO_TYPES,
          runtime: {
            SubnetInfoRuntimeApi: [
              {
                version: 2,
                methods: {
                  get_metagraph: {
                    description: 'metagraph of a subnet',
                    params: netuidParam,
                    type: 'Option<ResiMetagraphSubset>',
                  },
                },
              },
            ],
            NeuronInfoRuntimeApi: [
              {
                version: 1,
                methods: {
                  get_neurons_lite: {
                    description: 'neurons of a subnet',
                    params: netuidParam,
                    type: 'Vec<NeuronInfoLite>',
                  },
                },
              },
            ],
          },
        },
      },
    );
    expect(metagraph.report.metagraphPath).toBe('SubnetInfoRuntimeApi_get_metagraph');
    expect(metagraph.all()).toEqual([
      { uid: 0, hotkey: account(4), coldkey: account(40), validatorPermit: false, stake: 0, lastUpdate: 10 },
      { uid: 1, hotkey: account(5), coldkey: account(50), validatorPermit: true, stake: 4000, lastUpdate: 20 },
    ]);
    subnetExists = false;
    await expect(metagraph.sync()).resolves.toBe(false);
    expect(metagraph.health()).toMatchObject({ status: 'stale', neurons: 2 });
    expect(metagraph.health().error).toMatch(/subnet 46 does not exist/);
  });
});

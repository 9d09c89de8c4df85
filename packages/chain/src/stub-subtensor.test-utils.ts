/**
 * An in-process stand-in for a subtensor node's JSON-RPC, for offline tests: it answers the calls
 * `@polkadot/api` makes at start-up with real subtensor metadata (testnet spec 224 of 2024, or
 * finney spec 393 of 2026; see test/fixtures/README.md) and serves storage values and runtime-API
 * results a test records.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type {
  ProviderInterface,
  ProviderInterfaceCallback,
  ProviderInterfaceEmitCb,
  ProviderInterfaceEmitted,
} from '@polkadot/rpc-provider/types';
import type { ApiPromise } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { StorageEntryTypeLatest } from '@polkadot/types/interfaces';

/** Genesis hash and runtime of the chain the fixture metadata was taken from (Bittensor testnet). */
export const FIXTURE_GENESIS_HASH = '0x8f9cf856bf558a14440e75569c9e58594757048d7b3a84b5d25f6bd978263105';
export const FIXTURE_SPEC_VERSION = 224;

/** A runtime whose real metadata the stub serves. */
export interface StubRuntime {
  readonly file: string;
  readonly specVersion: number;
  readonly genesisHash: `0x${string}`;
}

/** Bittensor testnet, spec 224 (2024, metadata V14): no runtime APIs, no mechanisms, no timelocked commits. */
export const TESTNET_SPEC_224: StubRuntime = {
  file: 'subtensor-testnet-spec224.metadata.scale.gz',
  specVersion: FIXTURE_SPEC_VERSION,
  genesisHash: FIXTURE_GENESIS_HASH,
};

/**
 * Finney, spec 393 (April 2026, metadata V16): subnet mechanisms, `commit_timelocked_mechanism_weights`
 * (call 118), pallet Drand, and the signed extensions `SudoTransactionExtension`,
 * `CheckShieldedTxValidity`, `SubtensorTransactionExtension`, `DrandPriority`, `CheckMetadataHash`.
 */
export const FINNEY_SPEC_393: StubRuntime = {
  file: 'subtensor-finney-spec393.metadata.scale.gz',
  specVersion: 393,
  genesisHash: '0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03',
};

const metadataCache = new Map<string, `0x${string}`>();

/** The real subtensor metadata of a fixture runtime, as `state_getMetadata` returns it. */
export function subtensorFixtureMetadata(runtime: StubRuntime = TESTNET_SPEC_224): `0x${string}` {
  let hex = metadataCache.get(runtime.file);
  if (!hex) {
    hex = u8aToHex(gunzipSync(readFileSync(new URL(`../test/fixtures/${runtime.file}`, import.meta.url))));
    metadataCache.set(runtime.file, hex);
  }
  return hex;
}

/** A 32-byte block hash derived from the block number, so tests can predict it. */
export function stubBlockHash(number: number): `0x${string}` {
  return blake2AsHex(`stub block ${number}`, 256);
}

type Handler = (params: unknown[]) => unknown;

/** A JSON-RPC provider answering from memory; set `failure` to make every call fail like a dead node. */
export class StubSubtensorProvider implements ProviderInterface {
  readonly hasSubscriptions = false;
  readonly isClonable = false;
  readonly isConnected = true;
  /** Storage by hex key; a missing key reads as absent (null), as on chain. */
  readonly storage = new Map<string, string>();
  /** Runtime-API results by `Api_method` name: hex of the SCALE-encoded result. */
  readonly runtimeCalls = new Map<string, (argumentsHex: string) => string>([
    // Runtimes with V15+ metadata: polkadot-js asks the nonce through the runtime API (u32, here 0).
    ['AccountNonceApi_account_nonce', () => '0x00000000'],
  ]);
  /** Runtime APIs the node claims (name, version); `@polkadot/api` decorates only these. */
  readonly runtimeApis: [string, number][] = [];
  /** Every extrinsic submitted, as hex. */
  readonly submitted: string[] = [];
  /** Every method received, in order. */
  readonly received: string[] = [];
  /** When set, every call rejects with it. */
  failure: Error | null = null;
  /** The finalized head. */
  headNumber = 4_000_000;
  private readonly listeners = new Map<ProviderInterfaceEmitted, ProviderInterfaceEmitCb[]>();
  private readonly handlers: Record<string, Handler> = {
    rpc_methods: () => ({ version: 1, methods: Object.keys(this.handlers) }),
    system_chain: () => 'Bittensor',
    system_name: () => 'node-subtensor',
    system_version: () => '4.0.0-dev',
    system_properties: () => ({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }),
    chain_getBlockHash: ([number]) =>
      number === 0 ? this.runtime.genesisHash : stubBlockHash(typeof number === 'number' ? number : this.headNumber),
    chain_getFinalizedHead: () => stubBlockHash(this.headNumber),
    chain_getHeader: ([hash]) => this.header(hash === undefined ? this.headNumber : this.numberOf(hash)),
    state_getRuntimeVersion: () => ({
      specName: 'node-subtensor',
      implName: 'node-subtensor',
      authoringVersion: 1,
      specVersion: this.runtime.specVersion,
      implVersion: 1,
      apis: this.runtimeApis.map(([name, version]) => [blake2AsHex(name, 64), version]),
      transactionVersion: 1,
      stateVersion: 1,
    }),
    state_getMetadata: () => subtensorFixtureMetadata(this.runtime),
    state_getKeysPaged: ([prefix, count, startKey]) =>
      [...this.storage.keys()]
        .filter((key) => key.startsWith(String(prefix)) && (typeof startKey !== 'string' || key > startKey))
        .sort()
        .slice(0, Number(count)),
    state_getStorage: ([key]) => this.storage.get(String(key)) ?? null,
    state_queryStorageAt: ([keys, at]) => [
      {
        block: at ?? stubBlockHash(this.headNumber),
        changes: (keys as string[]).map((key) => [key, this.storage.get(key) ?? null]),
      },
    ],
    state_call: ([name, data]) => {
      const answer = this.runtimeCalls.get(String(name));
      if (!answer) throw new Error(`Execution failed: Other: Exported method ${String(name)} is not found`);
      return answer(String(data));
    },
    system_accountNextIndex: () => 0,
    author_submitExtrinsic: ([extrinsic]) => {
      this.submitted.push(String(extrinsic));
      return blake2AsHex(String(extrinsic), 256);
    },
  };

  private readonly hashes = new Map<string, number>();

  constructor(readonly runtime: StubRuntime = TESTNET_SPEC_224) {}

  private numberOf(hash: unknown): number {
    for (let number = this.headNumber; number >= 0 && number > this.headNumber - 1000; number--) {
      if (stubBlockHash(number) === hash) return number;
    }
    return this.hashes.get(String(hash)) ?? this.headNumber;
  }

  private header(number: number) {
    return {
      parentHash: number === 0 ? `0x${'00'.repeat(32)}` : stubBlockHash(number - 1),
      number: `0x${number.toString(16)}`,
      stateRoot: `0x${'11'.repeat(32)}`,
      extrinsicsRoot: `0x${'22'.repeat(32)}`,
      digest: { logs: [] },
    };
  }

  send<T>(method: string, params: unknown[]): Promise<T> {
    this.received.push(method);
    if (this.failure) return Promise.reject(this.failure);
    const handler = this.handlers[method];
    if (!handler) return Promise.reject(new Error(`stub node: no answer for ${method}`));
    try {
      return Promise.resolve(handler(params) as T);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  on(type: ProviderInterfaceEmitted, sub: ProviderInterfaceEmitCb): () => void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), sub]);
    return () =>
      this.listeners.set(
        type,
        (this.listeners.get(type) ?? []).filter((listener) => listener !== sub),
      );
  }

  clone(): ProviderInterface {
    throw new Error('stub node: not clonable');
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    for (const listener of this.listeners.get('disconnected') ?? []) listener();
    return Promise.resolve();
  }

  subscribe(_type: string, method: string, _params: unknown[], _cb: ProviderInterfaceCallback): Promise<string> {
    return Promise.reject(new Error(`stub node: no subscriptions (${method})`));
  }

  unsubscribe(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

/** One neuron as a test records it in the stub's storage. */
export interface RecordedNeuron {
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  /** Alpha stake in rao. */
  stakeRao: bigint;
  lastUpdate: number;
}

/** Hyperparameters as a test records them; unset ones take the values below. */
export interface RecordedHyperparameters {
  tempo: number;
  weightsVersionKey: bigint;
  weightsRateLimit: number;
  commitRevealEnabled: boolean;
  revealPeriodEpochs: number;
  minAllowedWeights: number;
  maxWeightsLimit: number;
}

export const DEFAULT_RECORDED_HYPERPARAMETERS: RecordedHyperparameters = {
  tempo: 360,
  weightsVersionKey: 0n,
  weightsRateLimit: 100,
  commitRevealEnabled: false,
  revealPeriodEpochs: 1,
  minAllowedWeights: 1,
  maxWeightsLimit: 65_535,
};

/**
 * Writes a subnet into the stub's storage under the keys `api` (decorated with the fixture
 * metadata) derives, SCALE-encoding each value with its metadata type: what a node would return
 * for the storage fallback.
 */
export function recordSubnet(
  api: ApiPromise,
  provider: StubSubtensorProvider,
  netuid: number,
  neurons: readonly RecordedNeuron[],
  hyperparameters: Partial<RecordedHyperparameters> = {},
): void {
  const module = api.query.subtensorModule!;
  const put = (key: string, type: string, value: unknown) =>
    provider.storage.set(key, u8aToHex(api.createType(type, value).toU8a()));
  const h = { ...DEFAULT_RECORDED_HYPERPARAMETERS, ...hyperparameters };
  put(module.networksAdded!.key(netuid), 'bool', true);
  put(module.subnetworkN!.key(netuid), 'u16', neurons.length);
  put(module.tempo!.key(netuid), 'u16', h.tempo);
  put(module.weightsVersionKey!.key(netuid), 'u64', h.weightsVersionKey);
  put(module.weightsSetRateLimit!.key(netuid), 'u64', h.weightsRateLimit);
  put(module.commitRevealWeightsEnabled!.key(netuid), 'bool', h.commitRevealEnabled);
  put(module.revealPeriodEpochs!.key(netuid), 'u64', h.revealPeriodEpochs);
  put(module.minAllowedWeights!.key(netuid), 'u16', h.minAllowedWeights);
  put(module.maxWeightsLimit!.key(netuid), 'u16', h.maxWeightsLimit);
  put(
    module.validatorPermit!.key(netuid),
    'Vec<bool>',
    neurons.map((n) => n.validatorPermit),
  );
  put(
    module.lastUpdate!.key(netuid),
    'Vec<u64>',
    neurons.map((n) => n.lastUpdate),
  );
  neurons.forEach((neuron, uid) => {
    put(module.keys!.key(netuid, uid), 'AccountId32', neuron.hotkey);
    put(module.uids!.key(netuid, neuron.hotkey), 'u16', uid);
    put(module.owner!.key(neuron.hotkey), 'AccountId32', neuron.coldkey);
    put(module.totalHotkeyAlpha!.key(neuron.hotkey, netuid), 'u64', neuron.stakeRao);
  });
}

/** Writes one storage value under the key `query` derives from `args`, encoded with the item's own metadata type. */
export function putStorage(
  api: ApiPromise,
  provider: StubSubtensorProvider,
  query: { key: (...args: unknown[]) => string; creator: { meta: { type: StorageEntryTypeLatest } } },
  args: unknown[],
  value: unknown,
): void {
  const type = query.creator.meta.type;
  const valueType = type.isMap ? type.asMap.value : type.asPlain;
  const codec = api.registry.createTypeUnsafe(api.registry.createLookupType(valueType), [value]);
  provider.storage.set(query.key(...args), u8aToHex(codec.toU8a()));
}

/** Forgets one storage value (the chain removed it). */
export function deleteStorage(
  provider: StubSubtensorProvider,
  query: { key: (...args: unknown[]) => string },
  args: unknown[],
): void {
  provider.storage.delete(query.key(...args));
}

import type { ApiPromise } from '@polkadot/api';
import type { ApiDecoration } from '@polkadot/api/types';
import type { Codec } from '@polkadot/types/types';
import { decodeAddress } from '@polkadot/util-crypto';
import { ss58Of, type Neuron } from '@resi/core';
import { z } from 'zod';
import type { MetagraphReadPath, SubtensorMetadataReport } from './metadata-check.js';

/** Subtensor counts TAO and alpha in rao: 1 TAO = 10^9 rao. */
export const RAO_PER_TAO = 1_000_000_000n;

/** A registered neuron with what weight setting needs on top of authorisation. */
export interface ChainNeuron extends Neuron {
  /** Block of the neuron's last weight set or commit (0: never). */
  lastUpdate: number;
}

/** The subnet hyperparameters that govern weight setting. */
export interface SubnetWeightHyperparameters {
  tempo: number;
  /** Submitted version keys must be at least this. */
  weightsVersionKey: bigint;
  /** Minimum blocks between two weight sets (or commits) of one neuron. */
  weightsRateLimit: number;
  commitRevealEnabled: boolean;
  /** Epochs between a commit and its reveal. */
  revealPeriodEpochs: number;
  minAllowedWeights: number;
  /** Largest share of one uid, as a u16 fraction of 65535. */
  maxWeightsLimit: number;
}

/** The subnet as read at one finalized block. */
export interface MetagraphSnapshot {
  netuid: number;
  block: number;
  blockHash: string;
  neurons: ChainNeuron[];
  hyperparameters: SubnetWeightHyperparameters;
  /** How the neurons were read. */
  path: MetagraphReadPath;
}

const integer = z.union([z.number(), z.string(), z.bigint()]).transform((value, context) => {
  try {
    return BigInt(value);
  } catch {
    context.addIssue({ code: 'custom', message: `not an integer: ${String(value)}` });
    return z.NEVER;
  }
});
const account = z.string().transform((value) => ss58Of(decodeAddress(value)));

/** The fields resi reads from `SubnetInfoRuntimeApi_get_metagraph` (the struct has many more). */
const runtimeMetagraphSchema = z.object({
  hotkeys: z.array(account),
  coldkeys: z.array(account),
  validatorPermit: z.array(z.boolean()),
  lastUpdate: z.array(integer),
  totalStake: z.array(integer),
});

/** The fields resi reads from each `NeuronInfoLite` of `NeuronInfoRuntimeApi_get_neurons_lite`. */
const neuronInfoLiteSchema = z.object({
  hotkey: account,
  coldkey: account,
  uid: z.number().int(),
  validatorPermit: z.boolean(),
  lastUpdate: integer,
  stake: z.array(z.tuple([z.string(), integer])),
});

/** rao (bigint) → TAO as a float: exact to the rao up to 9 007 199 TAO, ample for a stake. */
export function raoToTao(rao: bigint): number {
  return Number(rao / RAO_PER_TAO) + Number(rao % RAO_PER_TAO) / 1e9;
}

function primitive(codec: Codec): unknown {
  return codec.toPrimitive();
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `unexpected ${what} from subtensor at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

type At = ApiDecoration<'promise'>;

async function readHyperparameters(at: At, netuid: number): Promise<SubnetWeightHyperparameters> {
  const module = at.query.subtensorModule!;
  const values = await Promise.all(
    [
      module.tempo,
      module.weightsVersionKey,
      module.weightsSetRateLimit,
      module.commitRevealWeightsEnabled,
      module.revealPeriodEpochs,
      module.minAllowedWeights,
      module.maxWeightsLimit,
    ].map((query) => query!(netuid).then(primitive)),
  );
  const [tempo, versionKey, rateLimit, enabled, revealPeriod, minAllowed, maxLimit] = values;
  return {
    tempo: Number(tempo),
    weightsVersionKey: BigInt(versionKey as number | string),
    weightsRateLimit: Number(rateLimit),
    commitRevealEnabled: enabled === true,
    revealPeriodEpochs: Number(revealPeriod),
    minAllowedWeights: Number(minAllowed),
    maxWeightsLimit: Number(maxLimit),
  };
}

async function neuronsViaMetagraphApi(at: At, netuid: number): Promise<ChainNeuron[]> {
  const result = (await at.call.subnetInfoRuntimeApi!.getMetagraph!(netuid)) as unknown as Codec & { isNone: boolean };
  if (result.isNone) throw new Error(`subnet ${netuid} does not exist on this chain`);
  const graph = parsed(runtimeMetagraphSchema, primitive(result), 'SubnetInfoRuntimeApi_get_metagraph result');
  return graph.hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    coldkey: graph.coldkeys[uid] ?? hotkey,
    validatorPermit: graph.validatorPermit[uid] ?? false,
    stake: raoToTao(graph.totalStake[uid] ?? 0n),
    lastUpdate: Number(graph.lastUpdate[uid] ?? 0n),
  }));
}

async function neuronsViaNeuronsLiteApi(at: At, netuid: number): Promise<ChainNeuron[]> {
  const result = await at.call.neuronInfoRuntimeApi!.getNeuronsLite!(netuid);
  const list = parsed(z.array(neuronInfoLiteSchema), primitive(result), 'NeuronInfoRuntimeApi_get_neurons_lite result');
  return list
    .map((neuron) => ({
      uid: neuron.uid,
      hotkey: neuron.hotkey,
      coldkey: neuron.coldkey,
      validatorPermit: neuron.validatorPermit,
      stake: raoToTao(neuron.stake.reduce((sum, [, amount]) => sum + amount, 0n)),
      lastUpdate: Number(neuron.lastUpdate),
    }))
    .sort((a, b) => a.uid - b.uid);
}

async function neuronsViaStorage(at: At, netuid: number, report: SubtensorMetadataReport): Promise<ChainNeuron[]> {
  const module = at.query.subtensorModule!;
  const count = Number(primitive(await module.subnetworkN!(netuid)));
  const uids = Array.from({ length: count }, (_, uid) => uid);
  const hotkeys = (await module.keys!.multi(uids.map((uid) => [netuid, uid]))).map((codec) =>
    parsed(account, primitive(codec), 'SubtensorModule.Keys value'),
  );
  const [coldkeys, permits, lastUpdates, stakes] = await Promise.all([
    module.owner!.multi(hotkeys),
    module.validatorPermit!(netuid),
    module.lastUpdate!(netuid),
    report.stakeStorage === 'TotalHotkeyAlpha'
      ? module.totalHotkeyAlpha!.multi(hotkeys.map((hotkey) => [hotkey, netuid]))
      : module.totalHotkeyStake!.multi(hotkeys),
  ]);
  const permitList = parsed(z.array(z.boolean()), primitive(permits), 'SubtensorModule.ValidatorPermit value');
  const updateList = parsed(z.array(integer), primitive(lastUpdates), 'SubtensorModule.LastUpdate value');
  return hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    coldkey: parsed(account, primitive(coldkeys[uid]!), 'SubtensorModule.Owner value'),
    validatorPermit: permitList[uid] ?? false,
    stake: raoToTao(parsed(integer, primitive(stakes[uid]!), 'stake value')),
    lastUpdate: Number(updateList[uid] ?? 0n),
  }));
}

/**
 * Reads the subnet at the finalized head: neurons through the path the metadata check chose
 * (runtime API first, storage otherwise) and the weight hyperparameters from storage. Every read
 * uses the same block, so the neurons and hyperparameters agree with each other.
 */
export async function readMetagraphSnapshot(
  api: ApiPromise,
  netuid: number,
  report: SubtensorMetadataReport,
): Promise<MetagraphSnapshot> {
  const path = report.metagraphPath;
  if (path === null || report.missingForMetagraph.length > 0) {
    throw new Error(`this subtensor runtime lacks what the metagraph needs: ${report.missingForMetagraph.join('; ')}`);
  }
  const blockHash = await api.rpc.chain.getFinalizedHead();
  const [header, at] = await Promise.all([api.rpc.chain.getHeader(blockHash), api.at(blockHash)]);
  // get_neurons_lite and the storage maps answer an empty subnet for a missing one: ask NetworksAdded.
  const subnetExists = (await at.query.subtensorModule!.networksAdded?.(netuid))?.toPrimitive() !== false;
  if (!subnetExists) throw new Error(`subnet ${netuid} does not exist on this chain`);
  const [neurons, hyperparameters] = await Promise.all([
    path === 'SubnetInfoRuntimeApi_get_metagraph'
      ? neuronsViaMetagraphApi(at, netuid)
      : path === 'NeuronInfoRuntimeApi_get_neurons_lite'
        ? neuronsViaNeuronsLiteApi(at, netuid)
        : neuronsViaStorage(at, netuid, report),
    readHyperparameters(at, netuid),
  ]);
  return { netuid, block: header.number.toNumber(), blockHash: blockHash.toHex(), neurons, hyperparameters, path };
}

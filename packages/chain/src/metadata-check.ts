import type { ApiPromise } from '@polkadot/api';
import { findUnknownExtensions } from '@polkadot/types/extrinsic/signedExtensions';

/**
 * Start-up check of the names resi relies on against the live metadata, so a runtime upgrade that
 * renames or drops something is reported in one sentence at start instead of as a decode error
 * mid-sync.
 */

/**
 * subtensor's own signed extensions carry no data in the extrinsic or the signed payload;
 * declared so polkadot-js signs with them instead of warning about unknown extensions.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SubtensorSignedExtension: { extrinsic: {}, payload: {} },
  CommitmentsSignedExtension: { extrinsic: {}, payload: {} },
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  // finney 2026 (spec 393): all four carry nothing (their metadata type is `()`); the start-up
  // check below refuses any runtime where one of them, or another unknown one, does carry data.
  SudoTransactionExtension: { extrinsic: {}, payload: {} },
  CheckShieldedTxValidity: { extrinsic: {}, payload: {} },
  DrandPriority: { extrinsic: {}, payload: {} },
};

/** Storage items of `SubtensorModule` that resi reads, by their metadata (PascalCase) name. */
export const METAGRAPH_STORAGE_ITEMS = ['SubnetworkN', 'Keys', 'Owner', 'ValidatorPermit', 'LastUpdate'] as const;
/** Weight hyperparameters, read from storage on every sync. */
export const HYPERPARAMETER_STORAGE_ITEMS = [
  'Tempo',
  'WeightsVersionKey',
  'WeightsSetRateLimit',
  'CommitRevealWeightsEnabled',
  'RevealPeriodEpochs',
  'MinAllowedWeights',
  'MaxWeightsLimit',
] as const;
/** What weight setting needs on top: the caller's uid and its pending commits. */
export const WEIGHTS_STORAGE_ITEMS = ['Uids', 'WeightCommits'] as const;
/** `SubtensorModule` calls resi submits, by their metadata (snake_case) name. */
export const WEIGHTS_CALLS = ['set_weights', 'commit_weights', 'reveal_weights'] as const;

/** How neurons are read: one runtime-API call when the chain offers one, else storage. */
export type MetagraphReadPath =
  'SubnetInfoRuntimeApi_get_metagraph' | 'NeuronInfoRuntimeApi_get_neurons_lite' | 'storage';

/** What the connected runtime offers and what it lacks. */
export interface SubtensorMetadataReport {
  specName: string;
  specVersion: number;
  /** The preferred path that is available, or null when neurons cannot be read at all. */
  metagraphPath: MetagraphReadPath | null;
  /** Stake per hotkey on the subnet: dTAO's alpha map, or the pre-dTAO total; null when neither exists. */
  stakeStorage: 'TotalHotkeyAlpha' | 'TotalHotkeyStake' | null;
  /** Commit epochs are counted by `SubnetEpochIndex` on current runtimes, by block ranges before. */
  revealTiming: 'SubnetEpochIndex' | 'reveal-blocks';
  /**
   * The timelocked (CR v4) commit call: the mechanism-aware one on current runtimes, the plain one
   * on runtimes from before subnet mechanisms, null when the runtime takes no timelocked commits.
   */
  timelockedCommit: 'commit_timelocked_mechanism_weights' | 'commit_timelocked_weights' | null;
  /** Whether the runtime has subnet mechanisms (`set_mechanism_weights`, `MechanismCountCurrent`). */
  mechanisms: boolean;
  /** Names the metagraph cannot do without (empty when it can sync). */
  missingForMetagraph: string[];
  /** Names weight setting cannot do without (empty when it can submit). */
  missingForWeights: string[];
  /** Preferred names that are absent but have a fallback, for the log. */
  fallbacks: string[];
}

function camel(name: string): string {
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  return lower.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());
}

function hasStorage(api: ApiPromise, item: string): boolean {
  return typeof api.query.subtensorModule?.[camel(item)] === 'function';
}

function hasCall(api: ApiPromise, call: string): boolean {
  return typeof api.tx.subtensorModule?.[camel(call)] === 'function';
}

function hasRuntimeCall(api: ApiPromise, name: MetagraphReadPath): boolean {
  const split = name.indexOf('_');
  const section = name.slice(0, split);
  const method = name.slice(split + 1);
  return typeof api.call[camel(section)]?.[camel(method)] === 'function';
}

/** Checks every name resi uses against the metadata `api` was decorated with. */
export function inspectSubtensorMetadata(api: ApiPromise): SubtensorMetadataReport {
  const runtime = api.runtimeVersion;
  const fallbacks: string[] = [];
  const missingForMetagraph: string[] = [];
  if (!api.query.subtensorModule) missingForMetagraph.push('pallet SubtensorModule');

  const runtimePaths: MetagraphReadPath[] = [
    'SubnetInfoRuntimeApi_get_metagraph',
    'NeuronInfoRuntimeApi_get_neurons_lite',
  ];
  const runtimePath = runtimePaths.find((path) => hasRuntimeCall(api, path));
  for (const path of runtimePaths) {
    if (path === runtimePath) break;
    fallbacks.push(`runtime API ${path}`);
  }
  const stakeStorage = hasStorage(api, 'TotalHotkeyAlpha')
    ? 'TotalHotkeyAlpha'
    : hasStorage(api, 'TotalHotkeyStake')
      ? 'TotalHotkeyStake'
      : null;
  const missingStorage = METAGRAPH_STORAGE_ITEMS.filter((item) => !hasStorage(api, item)).map(
    (item) => `storage SubtensorModule.${item}`,
  );
  if (stakeStorage === null) missingStorage.push('storage SubtensorModule.TotalHotkeyAlpha (or TotalHotkeyStake)');
  let metagraphPath: MetagraphReadPath | null = runtimePath ?? 'storage';
  if (runtimePath === undefined && missingStorage.length > 0) {
    metagraphPath = null;
    missingForMetagraph.push(...missingStorage);
  } else if (runtimePath !== undefined && missingStorage.length > 0) {
    fallbacks.push(...missingStorage.map((name) => `${name} (storage fallback unavailable)`));
  }
  missingForMetagraph.push(
    ...HYPERPARAMETER_STORAGE_ITEMS.filter((item) => !hasStorage(api, item)).map(
      (item) => `storage SubtensorModule.${item}`,
    ),
  );

  // polkadot-js signs an unknown extension as if it carried nothing; one that does carry data would
  // make every signature invalid, so it blocks weight setting.
  const unknown = new Set(findUnknownExtensions(api.registry.signedExtensions, SUBTENSOR_SIGNED_EXTENSIONS));
  const unsignable = api.registry.metadata.extrinsic.transactionExtensions
    .filter((extension) => unknown.has(extension.identifier.toString()))
    .filter((extension) => api.registry.lookup.getTypeDef(extension.type).type !== 'Null')
    .map((extension) => `signed extension ${extension.identifier.toString()} (carries data unknown to @polkadot/api)`);
  const missingForWeights = [
    ...unsignable,
    ...WEIGHTS_STORAGE_ITEMS.filter((item) => !hasStorage(api, item)).map((item) => `storage SubtensorModule.${item}`),
    ...WEIGHTS_CALLS.filter((call) => !hasCall(api, call)).map((call) => `call SubtensorModule.${call}`),
  ];
  return {
    specName: runtime.specName.toString(),
    specVersion: runtime.specVersion.toNumber(),
    metagraphPath,
    stakeStorage,
    revealTiming: hasStorage(api, 'SubnetEpochIndex') ? 'SubnetEpochIndex' : 'reveal-blocks',
    timelockedCommit: hasCall(api, 'commit_timelocked_mechanism_weights')
      ? 'commit_timelocked_mechanism_weights'
      : hasCall(api, 'commit_timelocked_weights')
        ? 'commit_timelocked_weights'
        : null,
    mechanisms: hasCall(api, 'set_mechanism_weights') && hasStorage(api, 'MechanismCountCurrent'),
    missingForMetagraph: [...new Set(missingForMetagraph)],
    missingForWeights,
    fallbacks,
  };
}

/** One paragraph for the log: what will be used, and what is missing. */
export function describeSubtensorMetadata(report: SubtensorMetadataReport): string {
  const lines = [
    `subtensor runtime ${report.specName}/${report.specVersion}: neurons via ${report.metagraphPath ?? 'NOTHING'}, ` +
      `stake from ${report.stakeStorage ?? 'nowhere'}, reveal timing by ${report.revealTiming}, ` +
      `timelocked commits by ${report.timelockedCommit ?? 'NONE'}${report.mechanisms ? ', subnet mechanisms' : ''}`,
  ];
  if (report.fallbacks.length > 0) lines.push(`  not offered (fallback used): ${report.fallbacks.join('; ')}`);
  if (report.missingForMetagraph.length > 0)
    lines.push(`  MISSING for the metagraph: ${report.missingForMetagraph.join('; ')}`);
  if (report.missingForWeights.length > 0)
    lines.push(`  MISSING for weight setting: ${report.missingForWeights.join('; ')}`);
  return lines.join('\n');
}

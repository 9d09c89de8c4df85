import { DEFAULT_API_URLS, type OptionSpec, netuidOf, parseOptionValues } from '@resi/client';
import {
  DEFAULT_FEED_BUDGET,
  type FeedBudget,
  SOURCE_NAMES,
  SOURCE_OPTIONS,
  SOURCE_SCHEMA_SHAPE,
  type SourceConfig,
  coverageProblems,
  sourceConfigOf,
} from '@resi/sources';
import { CREDIBILITY_DEFAULTS, type CredibilityParams } from '@resi/core';
import { z } from 'zod';

/** One command-line option of `resi validator`, with the environment variable that also sets it. */
export type ValidatorOptionSpec = OptionSpec;

/** `spec_version` as the Python validators compute it: 1000 × major + 10 × minor + patch (0.1.0 → 10). */
export const VALIDATOR_WEIGHTS_VERSION_KEY = 10n;

/**
 * Every option of `resi validator` except `--wallet.*` and the verification source's (which are
 * the miner's own source options: the validator re-fetches listings through the same adapters).
 */
export const VALIDATOR_OPTIONS: readonly ValidatorOptionSpec[] = [
  { flag: 'netuid', argument: '<uid>', env: 'NETUID', description: 'subnet uid', defaultText: '46 (428 on test)' },
  {
    flag: 'subtensor.network',
    argument: '<network>',
    env: 'SUBTENSOR_NETWORK',
    description: 'finney | test | local',
    defaultText: 'finney',
  },
  {
    flag: 'subtensor.chain-endpoint',
    argument: '<ws-url>',
    env: 'SUBTENSOR_CHAIN_ENDPOINT',
    description: "subtensor websocket; overrides the network's",
  },
  { flag: 'api.url', argument: '<url>', env: 'RESI_API_URL', description: 'API base URL', defaultText: 'by netuid' },
  {
    flag: 'state.dir',
    argument: '<dir>',
    env: 'RESI_VALIDATOR_STATE_DIR',
    description: 'processed epochs, results files, pending weight commits, downloads',
    defaultText: '~/.resi/validator/<wallet>-<hotkey>',
  },
  {
    flag: 'poll',
    argument: '<seconds>',
    env: 'RESI_VALIDATOR_POLL',
    description: 'how often /stats is read',
    defaultText: '60',
  },
  {
    flag: 'set-weights',
    env: 'RESI_SET_WEIGHTS',
    description: 'set weights on chain; --no-set-weights prints the table instead',
    defaultText: 'true',
  },
  {
    flag: 'burn.share',
    argument: '<0..1>',
    env: 'RESI_BURN_SHARE',
    description: 'share of the weight sent to the burn uid',
    defaultText: '0',
  },
  {
    flag: 'burn.uid',
    argument: '<uid>',
    env: 'RESI_BURN_UID',
    description: 'uid receiving the burn share (the subnet owner)',
  },
  {
    flag: 'weights.version-key',
    argument: '<n>',
    env: 'RESI_WEIGHTS_VERSION_KEY',
    description: 'weights version key',
    defaultText: String(VALIDATOR_WEIGHTS_VERSION_KEY),
  },
  {
    flag: 'mechanism',
    argument: '<id>',
    env: 'RESI_MECHANISM',
    description: 'subnet mechanism whose weights are set',
    defaultText: '0',
  },
  {
    flag: 'weights.commit-reveal',
    argument: '<mode>',
    env: 'RESI_WEIGHTS_COMMIT_REVEAL',
    description: 'with commit-reveal on: timelocked (CR v4) | hash',
    defaultText: 'timelocked',
  },
  {
    flag: 'download.concurrency',
    argument: '<n>',
    env: 'RESI_DOWNLOAD_CONCURRENCY',
    description: 'miners downloaded at once',
    defaultText: '8',
  },
  {
    flag: 'download.max-mb',
    argument: '<mb>',
    env: 'RESI_DOWNLOAD_MAX_MB',
    description: 'largest listings file read',
    defaultText: '256',
  },
  {
    flag: 'download.miner-time-limit',
    argument: '<seconds>',
    env: 'RESI_DOWNLOAD_MINER_TIME_LIMIT',
    description: "wall time for one miner's download and checks; past it the miner gets no verdict",
    defaultText: "30 s + the epoch's byte cap at 1 MiB/s (129 s at a 10,000 target)",
  },
  {
    flag: 'verify.concurrency',
    argument: '<n>',
    env: 'RESI_VERIFY_CONCURRENCY',
    description: 'audited zipcode feeds fetched at once',
    defaultText: '16',
  },
  {
    flag: 'credibility.alpha',
    argument: '<0..1>',
    env: 'RESI_CREDIBILITY_ALPHA',
    description: "weight of the newest epoch's reward share in each miner's credibility (moving average)",
    defaultText: String(CREDIBILITY_DEFAULTS.alpha),
  },
  {
    flag: 'credibility.penalty-epochs',
    argument: '<n>',
    env: 'RESI_CREDIBILITY_PENALTY_EPOCHS',
    description: 'epochs a proven fabrication or honeypot claim keeps a miner at zero credibility',
    defaultText: String(CREDIBILITY_DEFAULTS.penaltyEpochs),
  },
  {
    flag: 'duckdb.threads',
    argument: '<n>',
    env: 'RESI_DUCKDB_THREADS',
    description: 'DuckDB worker threads',
    defaultText: 'all cores',
  },
  {
    flag: 'duckdb.memory',
    argument: '<size>',
    env: 'RESI_DUCKDB_MEMORY',
    description: 'DuckDB memory limit; it spills to disk past it',
    defaultText: '1GB',
  },
  {
    flag: 'shutdown.timeout',
    argument: '<seconds>',
    env: 'RESI_SHUTDOWN_TIMEOUT',
    description:
      'on SIGTERM/SIGINT, finish the upload, report or weights in flight for at most this long (scoring is abandoned and redone on restart); keep pm2 kill_timeout / systemd TimeoutStopSec above it',
    defaultText: '20',
  },
  { flag: 'once', env: 'RESI_VALIDATOR_ONCE', description: 'process the epochs due now, then exit' },
  {
    flag: 'log.format',
    argument: '<format>',
    env: 'RESI_LOG_FORMAT',
    description: 'auto | json | pretty',
    defaultText: 'auto',
  },
  {
    flag: 'log.level',
    argument: '<level>',
    env: 'RESI_LOG_LEVEL',
    description: 'error | warn | info | debug',
    defaultText: 'info',
  },
];

/**
 * The verification sources: `--source` takes several (each row is checked by the source its URL
 * belongs to), then the miner's own options tune each one, and a budget bounds an epoch's fetching.
 */
export const VERIFICATION_SOURCE_OPTIONS: readonly ValidatorOptionSpec[] = [
  {
    flag: 'source',
    argument: '<names>',
    env: 'RESI_VERIFY_SOURCES',
    description: `sources rows are verified against, comma-separated: ${SOURCE_NAMES.join(' | ')}; a row whose site none serves has no verdict`,
    defaultText: 'realtor',
  },
  ...SOURCE_OPTIONS.filter((option) => option.flag !== 'source'),
  {
    flag: 'verify.max-requests',
    argument: '<n>',
    env: 'RESI_VERIFY_MAX_REQUESTS',
    description: "requests an epoch's verification may make, every source together",
    defaultText: String(DEFAULT_FEED_BUDGET.maxRequests),
  },
  {
    flag: 'verify.max-minutes',
    argument: '<minutes>',
    env: 'RESI_VERIFY_MAX_MINUTES',
    description: "time an epoch's verification may take",
    defaultText: String(DEFAULT_FEED_BUDGET.maxMs / 60_000),
  },
];

const verificationSchema = z.object({
  ...SOURCE_SCHEMA_SHAPE,
  source: z
    .string()
    .default('realtor')
    .transform((text) => [
      ...new Set(
        text
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(SOURCE_NAMES)).min(1, 'name at least one source')),
  'verify.max-requests': z.coerce.number().int().positive().default(DEFAULT_FEED_BUDGET.maxRequests),
  'verify.max-minutes': z.coerce
    .number()
    .positive()
    .default(DEFAULT_FEED_BUDGET.maxMs / 60_000),
});

const positiveInt = z.coerce.number().int().positive();
const switchValue = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => (typeof value === 'boolean' ? value : ['true', '1', 'yes'].includes(value)));

const rawSchema = z.object({
  netuid: positiveInt.optional(),
  'subtensor.network': z.enum(['finney', 'test', 'local']).default('finney'),
  'subtensor.chain-endpoint': z
    .string()
    .regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL')
    .optional(),
  'api.url': z.url({ protocol: /^https?$/ }).optional(),
  'state.dir': z.string().min(1).optional(),
  poll: positiveInt.default(60),
  'set-weights': switchValue.default(true),
  'burn.share': z.coerce.number().min(0).max(1).default(0),
  'burn.uid': z.coerce.number().int().min(0).max(65_535).optional(),
  'weights.version-key': z.coerce.bigint().nonnegative().default(VALIDATOR_WEIGHTS_VERSION_KEY),
  mechanism: z.coerce.number().int().min(0).max(255).default(0),
  'weights.commit-reveal': z.enum(['timelocked', 'hash']).default('timelocked'),
  'download.concurrency': positiveInt.max(64).default(8),
  'download.max-mb': positiveInt.default(256),
  'download.miner-time-limit': positiveInt.max(86_400).optional(),
  'verify.concurrency': positiveInt.max(256).default(16),
  'credibility.alpha': z.coerce.number().gt(0).max(1).default(CREDIBILITY_DEFAULTS.alpha),
  'credibility.penalty-epochs': z.coerce.number().int().min(0).max(1000).default(CREDIBILITY_DEFAULTS.penaltyEpochs),
  'duckdb.threads': positiveInt.optional(),
  'duckdb.memory': z
    .string()
    .regex(/^\d+(\.\d+)?\s*[KMGT]i?B$/i, 'must be a size such as 1GB or 512MiB')
    .default('1GB'),
  'shutdown.timeout': positiveInt.max(3600).default(20),
  once: switchValue.default(false),
  'log.format': z.enum(['auto', 'json', 'pretty']).default('auto'),
  'log.level': z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

/** `resi validator`'s settings, every default applied. */
export interface ValidatorConfig {
  readonly netuid: number;
  readonly network: 'finney' | 'test' | 'local';
  readonly chainEndpoint: string | undefined;
  readonly apiUrl: string;
  readonly stateDir: string | undefined;
  readonly pollIntervalMs: number;
  readonly setWeights: boolean;
  readonly burnShare: number;
  readonly burnUid: number | undefined;
  readonly versionKey: bigint;
  /** Subnet mechanism whose weights are set (0: the main one). */
  readonly mechanism: number;
  /** With commit-reveal on: timelocked commits (CR v4) or hash commit/reveal. */
  readonly commitReveal: 'timelocked' | 'hash';
  readonly downloadConcurrency: number;
  readonly maxFileBytes: number;
  /** Wall time one miner's download and checks may take (ms); unset, derived from the epoch's caps. */
  readonly minerTimeLimitMs: number | undefined;
  readonly verifyConcurrency: number;
  readonly credibility: CredibilityParams;
  readonly duckdbThreads: number | undefined;
  readonly duckdbMemory: string;
  readonly once: boolean;
  /** After SIGTERM/SIGINT, how long the step in flight may take before it is abandoned. */
  readonly shutdownTimeoutMs: number;
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** The verification sources, each configured exactly as a miner's source, and the epoch's budget. */
  readonly verification: { readonly sources: readonly SourceConfig[]; readonly budget: FeedBudget };
}

export class ValidatorConfigError extends Error {
  override readonly name = 'ValidatorConfigError';
}

/**
 * Reads the options: a command-line value wins, then its environment variable, then the default.
 * Throws {@link ValidatorConfigError} naming every bad option and its variable.
 */
export function parseValidatorConfig(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): ValidatorConfig {
  const parsed = parseOptionValues(VALIDATOR_OPTIONS, rawSchema, values, env);
  if ('problems' in parsed)
    throw new ValidatorConfigError(`Invalid validator configuration:\n${parsed.problems.join('\n')}`);
  const raw = parsed.data;
  const netuid = netuidOf(raw.netuid, raw['subtensor.network']);
  const apiUrl = raw['api.url'] ?? DEFAULT_API_URLS[netuid];
  if (apiUrl === undefined) {
    throw new ValidatorConfigError(
      `Invalid validator configuration:\n  --api.url (RESI_API_URL): required for netuid ${netuid}`,
    );
  }
  if (raw['burn.share'] > 0 && raw['burn.uid'] === undefined) {
    throw new ValidatorConfigError(
      'Invalid validator configuration:\n  --burn.uid (RESI_BURN_UID): required with a burn share',
    );
  }
  const sourceOptions = parseOptionValues(VERIFICATION_SOURCE_OPTIONS, verificationSchema, values, env);
  if ('problems' in sourceOptions)
    throw new ValidatorConfigError(`Invalid verification source:\n${sourceOptions.problems.join('\n')}`);
  const coverage = coverageProblems(sourceOptions.data, 'validator');
  if (coverage.length > 0) throw new ValidatorConfigError(`Invalid verification source:\n${coverage.join('\n')}`);
  const sources: SourceConfig[] = [];
  for (const name of sourceOptions.data.source) {
    const source = sourceConfigOf({ ...sourceOptions.data, source: name });
    if ('problems' in source)
      throw new ValidatorConfigError(`Invalid verification source:\n${source.problems.join('\n')}`);
    sources.push(source.config);
  }
  return {
    netuid,
    network: raw['subtensor.network'],
    chainEndpoint: raw['subtensor.chain-endpoint'],
    apiUrl: apiUrl.replace(/\/+$/, ''),
    stateDir: raw['state.dir'],
    pollIntervalMs: raw.poll * 1000,
    setWeights: raw['set-weights'],
    burnShare: raw['burn.share'],
    burnUid: raw['burn.uid'],
    versionKey: raw['weights.version-key'],
    mechanism: raw.mechanism,
    commitReveal: raw['weights.commit-reveal'],
    downloadConcurrency: raw['download.concurrency'],
    maxFileBytes: raw['download.max-mb'] * 1024 * 1024,
    minerTimeLimitMs:
      raw['download.miner-time-limit'] === undefined ? undefined : raw['download.miner-time-limit'] * 1000,
    verifyConcurrency: raw['verify.concurrency'],
    credibility: { alpha: raw['credibility.alpha'], penaltyEpochs: raw['credibility.penalty-epochs'] },
    duckdbThreads: raw['duckdb.threads'],
    duckdbMemory: raw['duckdb.memory'],
    once: raw.once,
    shutdownTimeoutMs: raw['shutdown.timeout'] * 1000,
    logFormat: raw['log.format'],
    logLevel: raw['log.level'],
    verification: {
      sources,
      budget: {
        maxRequests: sourceOptions.data['verify.max-requests'],
        maxMs: sourceOptions.data['verify.max-minutes'] * 60_000,
      },
    },
  };
}

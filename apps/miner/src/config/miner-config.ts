import { DEFAULT_API_URLS, type OptionSpec, netuidOf, parseOptionValues } from '@resi/client';
import {
  SOURCE_OPTIONS,
  SOURCE_SCHEMA_SHAPE,
  type SourceConfig,
  coverageProblems,
  sourceConfigOf,
} from '@resi/sources';
import { z } from 'zod';
import { MAX_ROWS_PER_LISTINGS_FILE } from '../upload/package-epoch.js';

/** One command-line option of `resi miner`, with the environment variable that also sets it. */
export type MinerOptionSpec = OptionSpec;

/**
 * Every option of `resi miner` except the shared `--wallet.*` ones. `--help` is generated from
 * this table, and {@link parseMinerConfig} reads the same names, so help never drifts from code.
 */
export const MINER_OPTIONS: readonly MinerOptionSpec[] = [
  {
    flag: 'netuid',
    argument: '<uid>',
    env: 'NETUID',
    description: 'subnet uid',
    defaultText: '46 (428 on --subtensor.network test)',
  },
  {
    flag: 'subtensor.network',
    argument: '<network>',
    env: 'SUBTENSOR_NETWORK',
    description: 'finney | test | local | ws://…',
    defaultText: 'finney',
  },
  {
    flag: 'api.url',
    argument: '<url>',
    env: 'RESI_API_URL',
    description: 'API base URL',
    defaultText: 'https://api.resilabs.ai (netuid 46), https://api-staging.resilabs.ai (428)',
  },
  ...SOURCE_OPTIONS,
  {
    flag: 'upload.method',
    argument: '<method>',
    env: 'RESI_UPLOAD_METHOD',
    description:
      'per-file: POST /api/v1/s3-access/miner-upload, a presigned POST or PUT per declared file; folder: legacy /get-folder-access POST policy',
    defaultText: 'per-file',
  },
  {
    flag: 'upload.reserve',
    argument: '<seconds>',
    env: 'RESI_UPLOAD_RESERVE',
    description: 'stop collecting this long before the deadline to write and upload',
    defaultText: '10% of the epoch, at most 300',
  },
  {
    flag: 'upload.max-rows',
    argument: '<rows>',
    env: 'RESI_UPLOAD_MAX_ROWS',
    description: 'rows per listings file; an epoch with more is uploaded as listings-0001.parquet, ...',
    defaultText: '1000000',
  },
  {
    flag: 'state.dir',
    argument: '<dir>',
    env: 'RESI_MINER_STATE',
    description: 'durable work store (resumes after a crash)',
    defaultText: '~/.resi/miner/<wallet>-<hotkey>',
  },
  {
    flag: 'poll',
    argument: '<seconds>',
    env: 'RESI_MINER_POLL',
    description: 'how often /stats is checked for a new epoch',
    defaultText: '30',
  },
  {
    flag: 'metrics.port',
    argument: '<port>',
    env: 'RESI_MINER_METRICS_PORT',
    description: 'serve Prometheus /metrics on this port (off when unset)',
  },
  {
    flag: 'metrics.host',
    argument: '<host>',
    env: 'RESI_MINER_METRICS_HOST',
    description: 'address /metrics listens on',
    defaultText: '127.0.0.1',
  },
  {
    flag: 'log.format',
    argument: '<format>',
    env: 'RESI_LOG_FORMAT',
    description: 'auto (progress bar on a terminal, JSON otherwise) | json | pretty',
    defaultText: 'auto',
  },
  {
    flag: 'log.level',
    argument: '<level>',
    env: 'RESI_LOG_LEVEL',
    description: 'error | warn | info | debug',
    defaultText: 'info',
  },
  {
    flag: 'shutdown.timeout',
    argument: '<seconds>',
    env: 'RESI_SHUTDOWN_TIMEOUT',
    description:
      'on SIGTERM/SIGINT, finish the write or upload in flight for at most this long, then abandon it (a restart resumes); keep pm2 kill_timeout / systemd TimeoutStopSec above it',
    defaultText: '20',
  },
  { flag: 'once', env: 'RESI_MINER_ONCE', description: 'exit after one epoch has ended' },
];

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const switchValue = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => (typeof value === 'boolean' ? value : ['true', '1', 'yes'].includes(value)));

const rawConfigSchema = z.object({
  netuid: positiveInt.optional(),
  'subtensor.network': z.string().min(1).default('finney'),
  'api.url': z.url({ protocol: /^https?$/ }).optional(),
  ...SOURCE_SCHEMA_SHAPE,
  'upload.method': z.enum(['per-file', 'folder']).default('per-file'),
  'upload.reserve': nonNegativeInt.optional(),
  'upload.max-rows': positiveInt.max(MAX_ROWS_PER_LISTINGS_FILE).default(MAX_ROWS_PER_LISTINGS_FILE),
  'state.dir': z.string().min(1).optional(),
  poll: positiveInt.default(30),
  'metrics.port': z.coerce.number().int().min(0).max(65535).optional(),
  'metrics.host': z.string().min(1).default('127.0.0.1'),
  'log.format': z.enum(['auto', 'json', 'pretty']).default('auto'),
  'log.level': z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  'shutdown.timeout': positiveInt.max(3600).default(20),
  once: switchValue.default(false),
});

/** `resi miner`'s settings, every default applied. Wallet location is resolved separately. */
export interface MinerConfig extends SourceConfig {
  readonly netuid: number;
  readonly network: string;
  readonly apiUrl: string;
  readonly uploadMethod: 'per-file' | 'folder';
  readonly uploadReserveMs: number | undefined;
  readonly uploadMaxRows: number;
  readonly stateDir: string | undefined;
  readonly pollIntervalMs: number;
  readonly metrics: { readonly port: number; readonly host: string } | undefined;
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly once: boolean;
  /** After SIGTERM/SIGINT, how long the step in flight may take before it is abandoned. */
  readonly shutdownTimeoutMs: number;
}

/** A configuration the miner cannot run with; the message names each option and its variable. */
export class MinerConfigError extends Error {
  override readonly name = 'MinerConfigError';
}

/**
 * Reads the options: a command-line value wins, then its environment variable (a `.env` file is
 * loaded into the environment by the CLI), then the default. Throws {@link MinerConfigError}
 * naming every bad option.
 */
export function parseMinerConfig(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): MinerConfig {
  const parsed = parseOptionValues(MINER_OPTIONS, rawConfigSchema, values, env);
  if ('problems' in parsed) throw new MinerConfigError(`Invalid miner configuration:\n${parsed.problems.join('\n')}`);
  const raw = parsed.data;
  const network = raw['subtensor.network'];
  const netuid = netuidOf(raw.netuid, network);
  const apiUrl = raw['api.url'] ?? DEFAULT_API_URLS[netuid];
  if (apiUrl === undefined) {
    throw new MinerConfigError(
      `Invalid miner configuration:\n  --api.url (RESI_API_URL): required for netuid ${netuid}`,
    );
  }
  const source = sourceConfigOf(raw);
  if ('problems' in source) throw new MinerConfigError(`Invalid miner configuration:\n${source.problems.join('\n')}`);
  const coverage = coverageProblems(raw, 'miner');
  if (coverage.length > 0) throw new MinerConfigError(`Invalid miner configuration:\n${coverage.join('\n')}`);
  return {
    netuid,
    network,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    ...source.config,
    uploadMethod: raw['upload.method'],
    uploadReserveMs: raw['upload.reserve'] === undefined ? undefined : raw['upload.reserve'] * 1000,
    uploadMaxRows: raw['upload.max-rows'],
    stateDir: raw['state.dir'],
    pollIntervalMs: raw.poll * 1000,
    metrics: raw['metrics.port'] === undefined ? undefined : { port: raw['metrics.port'], host: raw['metrics.host'] },
    logFormat: raw['log.format'],
    logLevel: raw['log.level'],
    once: raw.once,
    shutdownTimeoutMs: raw['shutdown.timeout'] * 1000,
  };
}

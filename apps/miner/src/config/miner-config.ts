import { z } from 'zod';
import { MAX_ROWS_PER_LISTINGS_FILE } from '../upload/package-epoch.js';
import { netuidOf, parseOptionValues } from './option-values.js';

/** Where the deployed Python clients point, by subnet: 46 on finney, 428 on the test network. */
export const DEFAULT_API_URLS: Readonly<Record<number, string>> = {
  46: 'https://api.resilabs.ai',
  428: 'https://api-staging.resilabs.ai',
};

/** The `--source` names. */
export const SOURCE_NAMES = ['realtor', 'zillow-rapidapi', 'redfin', 'file'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** One command-line option of `resi miner`, with the environment variable that also sets it. */
export interface MinerOptionSpec {
  /** The flag without dashes, as commander names the value: `api.url`. */
  readonly flag: string;
  /** Placeholder in help, e.g. `<url>`; absent for a switch. */
  readonly argument?: string;
  readonly env?: string;
  readonly description: string;
  /** Shown in help; the parsed default lives in the schema below. */
  readonly defaultText?: string;
}

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
  {
    flag: 'source',
    argument: '<name>',
    env: 'RESI_MINER_SOURCE',
    description: `listing source: ${SOURCE_NAMES.join(' | ')}`,
    defaultText: 'realtor',
  },
  {
    flag: 'file.path',
    argument: '<path>',
    env: 'RESI_FILE_PATH',
    description: 'file source: a CSV/JSON/JSONL/Parquet feed, or a directory of <zipcode>.<ext> files',
  },
  {
    flag: 'realtor.url',
    argument: '<url>',
    env: 'RESI_REALTOR_URL',
    description: 'realtor source: GraphQL endpoint',
    defaultText: 'https://api.frontdoor.realtor.com/graphql',
  },
  {
    flag: 'realtor.suggest-url',
    argument: '<url>',
    env: 'RESI_REALTOR_SUGGEST_URL',
    description: 'realtor source: location suggest endpoint that resolves a zipcode',
    defaultText: 'https://parser-external.geo.moveaws.com/suggest',
  },
  {
    flag: 'realtor.sold-days',
    argument: '<days>',
    env: 'RESI_REALTOR_SOLD_DAYS',
    description: 'realtor source: also collect homes sold in the last N days (0: for sale only)',
    defaultText: '90',
  },
  {
    flag: 'zillow.url',
    argument: '<url>',
    env: 'RESI_ZILLOW_URL',
    description: 'zillow-rapidapi source: API base URL',
    defaultText: 'https://zillow-com1.p.rapidapi.com',
  },
  {
    flag: 'zillow.key',
    argument: '<key>',
    env: 'RAPIDAPI_KEY',
    description: 'zillow-rapidapi source: RapidAPI key (required for that source)',
  },
  {
    flag: 'zillow.status-types',
    argument: '<list>',
    env: 'RESI_ZILLOW_STATUS_TYPES',
    description: 'zillow-rapidapi source: comma-separated status_type values',
    defaultText: 'ForSale,RecentlySold',
  },
  {
    flag: 'zillow.max-pages',
    argument: '<n>',
    env: 'RESI_ZILLOW_MAX_PAGES',
    description: 'zillow-rapidapi source: page limit per zipcode and status (each page is a paid call)',
    defaultText: '20',
  },
  {
    flag: 'redfin.url',
    argument: '<url>',
    env: 'RESI_REDFIN_URL',
    description: 'redfin source: site base URL',
    defaultText: 'https://www.redfin.com',
  },
  {
    flag: 'redfin.sold-days',
    argument: '<days>',
    env: 'RESI_REDFIN_SOLD_DAYS',
    description: 'redfin source: also download homes sold in the last N days (0: for sale only)',
    defaultText: '90',
  },
  {
    flag: 'source.rpm',
    argument: '<n>',
    env: 'RESI_SOURCE_RPM',
    description: 'requests per minute to the source (0: unlimited)',
    defaultText: 'realtor 30, zillow-rapidapi 20, redfin 10, file 0',
  },
  {
    flag: 'source.concurrency',
    argument: '<n>',
    env: 'RESI_SOURCE_CONCURRENCY',
    description: 'zipcodes (and requests) in flight at once',
    defaultText: '2',
  },
  {
    flag: 'source.user-agent',
    argument: '<text>',
    env: 'RESI_USER_AGENT',
    description: 'User-Agent sent to sources',
    defaultText: 'a current desktop browser',
  },
  {
    flag: 'source.proxy',
    argument: '<url>',
    env: 'RESI_SOURCE_PROXY',
    description: 'proxy for every source request; unset: HTTPS_PROXY / HTTP_PROXY, honouring NO_PROXY',
  },
  {
    flag: 'source.timeout',
    argument: '<seconds>',
    env: 'RESI_SOURCE_TIMEOUT',
    description: 'per-request timeout to sources',
    defaultText: '30',
  },
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
  { flag: 'once', env: 'RESI_MINER_ONCE', description: 'exit after one epoch has ended' },
];

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const switchValue = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => (typeof value === 'boolean' ? value : ['true', '1', 'yes'].includes(value)));

const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const rawConfigSchema = z.object({
  netuid: positiveInt.optional(),
  'subtensor.network': z.string().min(1).default('finney'),
  'api.url': z.url({ protocol: /^https?$/ }).optional(),
  source: z.enum(SOURCE_NAMES).default('realtor'),
  'file.path': z.string().min(1).optional(),
  'realtor.url': z.url().default('https://api.frontdoor.realtor.com/graphql'),
  'realtor.suggest-url': z.url().default('https://parser-external.geo.moveaws.com/suggest'),
  'realtor.sold-days': nonNegativeInt.default(90),
  'zillow.url': z.url().default('https://zillow-com1.p.rapidapi.com'),
  'zillow.key': z.string().min(1).optional(),
  'zillow.status-types': z.string().default('ForSale,RecentlySold'),
  'zillow.max-pages': positiveInt.default(20),
  'redfin.url': z.url().default('https://www.redfin.com'),
  'redfin.sold-days': nonNegativeInt.default(90),
  'source.rpm': nonNegativeInt.optional(),
  'source.concurrency': positiveInt.max(32).default(2),
  'source.user-agent': z.string().min(1).default(DEFAULT_USER_AGENT),
  'source.proxy': z.url().optional(),
  'source.timeout': positiveInt.default(30),
  'upload.method': z.enum(['per-file', 'folder']).default('per-file'),
  'upload.reserve': nonNegativeInt.optional(),
  'upload.max-rows': positiveInt.max(MAX_ROWS_PER_LISTINGS_FILE).default(MAX_ROWS_PER_LISTINGS_FILE),
  'state.dir': z.string().min(1).optional(),
  poll: positiveInt.default(30),
  'metrics.port': z.coerce.number().int().min(0).max(65535).optional(),
  'metrics.host': z.string().min(1).default('127.0.0.1'),
  'log.format': z.enum(['auto', 'json', 'pretty']).default('auto'),
  'log.level': z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  once: switchValue.default(false),
});

const DEFAULT_REQUESTS_PER_MINUTE: Record<SourceName, number> = {
  realtor: 30,
  'zillow-rapidapi': 20,
  redfin: 10,
  file: 0,
};

/** `resi miner`'s settings, every default applied. Wallet location is resolved separately. */
export interface MinerConfig {
  readonly netuid: number;
  readonly network: string;
  readonly apiUrl: string;
  readonly source: SourceName;
  readonly filePath: string | undefined;
  readonly realtor: { readonly url: string; readonly suggestUrl: string; readonly soldDays: number };
  readonly zillow: {
    readonly url: string;
    readonly key: string | undefined;
    readonly statusTypes: string[];
    readonly maxPages: number;
  };
  readonly redfin: { readonly url: string; readonly soldDays: number };
  readonly politeness: {
    readonly requestsPerMinute: number;
    readonly concurrency: number;
    readonly userAgent: string;
    readonly proxyUrl: string | undefined;
    readonly timeoutMs: number;
  };
  readonly uploadMethod: 'per-file' | 'folder';
  readonly uploadReserveMs: number | undefined;
  readonly uploadMaxRows: number;
  readonly stateDir: string | undefined;
  readonly pollIntervalMs: number;
  readonly metrics: { readonly port: number; readonly host: string } | undefined;
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly once: boolean;
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
  if (raw.source === 'file' && raw['file.path'] === undefined) {
    throw new MinerConfigError(
      'Invalid miner configuration:\n  --file.path (RESI_FILE_PATH): required with --source file',
    );
  }
  if (raw.source === 'zillow-rapidapi' && raw['zillow.key'] === undefined) {
    throw new MinerConfigError(
      'Invalid miner configuration:\n  --zillow.key (RAPIDAPI_KEY): required with --source zillow-rapidapi',
    );
  }
  return {
    netuid,
    network,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    source: raw.source,
    filePath: raw['file.path'],
    realtor: { url: raw['realtor.url'], suggestUrl: raw['realtor.suggest-url'], soldDays: raw['realtor.sold-days'] },
    zillow: {
      url: raw['zillow.url'],
      key: raw['zillow.key'],
      statusTypes: raw['zillow.status-types']
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean),
      maxPages: raw['zillow.max-pages'],
    },
    redfin: { url: raw['redfin.url'], soldDays: raw['redfin.sold-days'] },
    politeness: {
      requestsPerMinute: raw['source.rpm'] ?? DEFAULT_REQUESTS_PER_MINUTE[raw.source],
      concurrency: raw['source.concurrency'],
      userAgent: raw['source.user-agent'],
      proxyUrl: raw['source.proxy'],
      timeoutMs: raw['source.timeout'] * 1000,
    },
    uploadMethod: raw['upload.method'],
    uploadReserveMs: raw['upload.reserve'] === undefined ? undefined : raw['upload.reserve'] * 1000,
    uploadMaxRows: raw['upload.max-rows'],
    stateDir: raw['state.dir'],
    pollIntervalMs: raw.poll * 1000,
    metrics: raw['metrics.port'] === undefined ? undefined : { port: raw['metrics.port'], host: raw['metrics.host'] },
    logFormat: raw['log.format'],
    logLevel: raw['log.level'],
    once: raw.once,
  };
}

import type { OptionSpec } from '@resi/client';
import { z } from 'zod';

/** The `--source` names. */
export const SOURCE_NAMES = ['realtor', 'zillow-rapidapi', 'redfin', 'file'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/**
 * The options that choose and tune a listing source, shared by `resi miner` (where it collects)
 * and `resi validator` (where it verifies). `--help` is generated from this table.
 */
export const SOURCE_OPTIONS: readonly OptionSpec[] = [
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
    description: 'realtor source: also collect homes sold in the last N days (0: for sale only; validators verify 90)',
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
    description: 'redfin source: also download homes sold in the last N days (0: for sale only; validators verify 90)',
    defaultText: '90',
  },
  {
    flag: 'realtor.rpm',
    argument: '<n>',
    env: 'RESI_REALTOR_RPM',
    description: 'realtor source: requests per minute (0: unlimited); overrides --source.rpm',
    defaultText: '30',
  },
  {
    flag: 'zillow.rpm',
    argument: '<n>',
    env: 'RESI_ZILLOW_RPM',
    description: 'zillow-rapidapi source: requests per minute (0: unlimited); overrides --source.rpm',
    defaultText: '20',
  },
  {
    flag: 'redfin.rpm',
    argument: '<n>',
    env: 'RESI_REDFIN_RPM',
    description: 'redfin source: requests per minute (0: unlimited); overrides --source.rpm',
    defaultText: '10',
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
];

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);

const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The zod shape of {@link SOURCE_OPTIONS}, for a program's option schema to spread in. */
export const SOURCE_SCHEMA_SHAPE = {
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
  'realtor.rpm': nonNegativeInt.optional(),
  'zillow.rpm': nonNegativeInt.optional(),
  'redfin.rpm': nonNegativeInt.optional(),
  'source.rpm': nonNegativeInt.optional(),
  'source.concurrency': positiveInt.max(32).default(2),
  'source.user-agent': z.string().min(1).default(DEFAULT_USER_AGENT),
  'source.proxy': z.url().optional(),
  'source.timeout': positiveInt.default(30),
};

/** The parsed values of {@link SOURCE_OPTIONS}. */
export type RawSourceOptions = z.output<z.ZodObject<typeof SOURCE_SCHEMA_SHAPE>>;

/**
 * What validators' feeds cover: the options bounding which listings a source returns (sold homes
 * over how many days, how many pages, which searches), at their defaults. A validator finds a row
 * only within its feed, and a row it does not find counts as invented, so validators verify with
 * exactly this coverage (a narrower feed would flag honest miners, a wider one would count other
 * true counts than its peers and write another results file), and a miner collects within it.
 */
export const VERIFIED_COVERAGE = {
  'realtor.sold-days': 90,
  'redfin.sold-days': 90,
  'zillow.max-pages': 20,
  'zillow.status-types': ['ForSale', 'RecentlySold'],
} as const;

/**
 * Where `raw` leaves {@link VERIFIED_COVERAGE}, one line per option naming its flag and variable:
 * for a validator any other value; for a miner a value past it (more days, more pages, another
 * search), whose listings no validator would find.
 */
export function coverageProblems(
  raw: Pick<RawSourceOptions, keyof typeof VERIFIED_COVERAGE>,
  role: 'miner' | 'validator',
): string[] {
  const problems: string[] = [];
  const flagged = (flag: keyof typeof VERIFIED_COVERAGE, message: string) => {
    const env = SOURCE_OPTIONS.find((option) => option.flag === flag)?.env;
    problems.push(`  --${flag}${env ? ` (${env})` : ''}: ${message}`);
  };
  for (const flag of ['realtor.sold-days', 'redfin.sold-days', 'zillow.max-pages'] as const) {
    const value = raw[flag];
    const covered = VERIFIED_COVERAGE[flag];
    if (role === 'validator' ? value !== covered : value > covered)
      flagged(
        flag,
        role === 'validator'
          ? `validators verify with ${covered}, as every miner may collect up to it; got ${value}`
          : `at most ${covered}, what validators verify: listings beyond it would count as invented; got ${value}`,
      );
  }
  const types = raw['zillow.status-types']
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  const covered: readonly string[] = VERIFIED_COVERAGE['zillow.status-types'];
  const outside = types.filter((type) => !covered.includes(type));
  if (role === 'validator' ? outside.length > 0 || covered.some((type) => !types.includes(type)) : outside.length > 0)
    flagged(
      'zillow.status-types',
      role === 'validator'
        ? `validators search ${covered.join(',')}; got ${types.join(',')}`
        : `only ${covered.join(', ')}, what validators search: listings of ${outside.join(', ')} would count as invented`,
    );
  return problems;
}

const DEFAULT_REQUESTS_PER_MINUTE: Record<SourceName, number> = {
  realtor: 30,
  'zillow-rapidapi': 20,
  redfin: 10,
  file: 0,
};

/** A listing source's settings, every default applied. */
export interface SourceConfig {
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
}

function ownRequestsPerMinute(raw: RawSourceOptions): number | undefined {
  switch (raw.source) {
    case 'realtor':
      return raw['realtor.rpm'];
    case 'zillow-rapidapi':
      return raw['zillow.rpm'];
    case 'redfin':
      return raw['redfin.rpm'];
    default:
      return undefined;
  }
}

/**
 * The source settings of parsed option values, or one line per missing required option (the file
 * source needs a path, zillow-rapidapi a key), naming the flag and its variable.
 */
export function sourceConfigOf(raw: RawSourceOptions): { config: SourceConfig } | { problems: string[] } {
  if (raw.source === 'file' && raw['file.path'] === undefined)
    return { problems: ['  --file.path (RESI_FILE_PATH): required with --source file'] };
  if (raw.source === 'zillow-rapidapi' && raw['zillow.key'] === undefined)
    return { problems: ['  --zillow.key (RAPIDAPI_KEY): required with --source zillow-rapidapi'] };
  return {
    config: {
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
        requestsPerMinute: ownRequestsPerMinute(raw) ?? raw['source.rpm'] ?? DEFAULT_REQUESTS_PER_MINUTE[raw.source],
        concurrency: raw['source.concurrency'],
        userAgent: raw['source.user-agent'],
        proxyUrl: raw['source.proxy'],
        timeoutMs: raw['source.timeout'] * 1000,
      },
    },
  };
}

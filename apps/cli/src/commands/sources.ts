import { parseOptionValues } from '@resi/client';
import {
  type AdapterConfig,
  SOURCE_OPTIONS,
  SOURCE_SCHEMA_SHAPE,
  type SourceCheckResult,
  checkSource,
  sourceConfigOf,
} from '@resi/sources';
import type { Command } from 'commander';
import { z } from 'zod';
import { optionOf } from './option-specs.js';

/** Points `config` at `baseUrl`, a stand-in for the site (a market simulator, a mirror): each adapter's own paths under it. */
export function withBaseUrl(config: AdapterConfig, baseUrl: string): AdapterConfig {
  const base = baseUrl.replace(/\/+$/, '');
  switch (config.source) {
    case 'realtor':
      return { ...config, realtor: { ...config.realtor, url: `${base}/graphql`, suggestUrl: `${base}/suggest` } };
    case 'zillow-rapidapi':
      return { ...config, zillow: { ...config.zillow, url: base } };
    case 'redfin':
      return { ...config, redfin: { ...config.redfin, url: base } };
    default:
      return config;
  }
}

/** The human report of a check: the outcome, then what came back. */
export function describeSourceCheck(result: SourceCheckResult): string {
  const lines = [
    `${result.ok ? 'ok' : 'FAILED'} ${result.source} ${result.zipcode}: ${result.outcome} (${result.requests} request${result.requests === 1 ? '' : 's'}, ${result.durationMs} ms)`,
    `  ${result.message}`,
  ];
  const rejected = Object.entries(result.rejected);
  if (rejected.length > 0)
    lines.push(`  rejected rows: ${rejected.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  if (result.example) lines.push(`  first listing: ${JSON.stringify(result.example)}`);
  return lines.join('\n');
}

const checkSchema = z.object({
  ...SOURCE_SCHEMA_SHAPE,
  zipcode: z.string().regex(/^\d{5}$/, 'must be five digits'),
  'base-url': z.url({ protocol: /^https?$/ }).optional(),
  json: z.boolean().default(false),
});

const CHECK_OPTIONS = [
  { flag: 'zipcode', argument: '<zipcode>', description: 'the zipcode to ask for (five digits)' },
  {
    flag: 'base-url',
    argument: '<url>',
    description: "ask this server instead of the site (a market simulator), at the source's own paths",
  },
  { flag: 'json', description: 'print the result as JSON' },
  ...SOURCE_OPTIONS,
];

/**
 * Runs one check from option values keyed by flag; prints the report and returns the exit code
 * (0 when the source answered with listings, 1 otherwise, 2 for bad options).
 */
export async function runSourcesCheck(
  values: Readonly<Record<string, unknown>>,
  out: { log(text: string): void; error(text: string): void } = console,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseOptionValues(CHECK_OPTIONS, checkSchema, values, env);
  if ('problems' in parsed) {
    out.error(`Invalid source check:\n${parsed.problems.join('\n')}`);
    return 2;
  }
  const source = sourceConfigOf(parsed.data);
  if ('problems' in source) {
    out.error(`Invalid source check:\n${source.problems.join('\n')}`);
    return 2;
  }
  const baseUrl = parsed.data['base-url'];
  const config = baseUrl === undefined ? source.config : withBaseUrl(source.config, baseUrl);
  const result = await checkSource(config, parsed.data.zipcode);
  if (parsed.data.json) out.log(JSON.stringify(result, null, 2));
  else out.log(describeSourceCheck(result));
  return result.ok ? 0 : 1;
}

/** `resi sources check`: one live request to a listing source, reporting what came back or why nothing did. */
export function registerSourcesCommand(program: Command): void {
  const sources = program.command('sources').description('listing sources: test one before mining or validating');
  const check = sources
    .command('check')
    .description(
      'ask a source for one zipcode, once (first page, no retry), and report what it got or why it failed: ' +
        'blocked, rate-limited, changed shape, unreachable; exits non-zero on failure',
    );
  const attributes = new Map<string, string>();
  for (const spec of CHECK_OPTIONS) {
    const option = optionOf(spec);
    if (spec.flag === 'zipcode') option.makeOptionMandatory();
    attributes.set(spec.flag, option.attributeName());
    check.addOption(option);
  }
  check.action(async (values: Record<string, unknown>) => {
    const byFlag: Record<string, unknown> = {};
    for (const [flag, attribute] of attributes) if (values[attribute] !== undefined) byFlag[flag] = values[attribute];
    process.exit(await runSourcesCheck(byFlag));
  });
}

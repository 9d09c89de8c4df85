import { describe, expect, it } from 'vitest';
import { ValidatorConfigError, parseValidatorConfig } from './validator-config.js';

describe('parseValidatorConfig', () => {
  it('applies the defaults: finney, netuid 46, the production API, weights on, realtor verification', () => {
    const config = parseValidatorConfig({}, {});
    expect(config).toMatchObject({
      netuid: 46,
      network: 'finney',
      apiUrl: 'https://api.resilabs.ai',
      setWeights: true,
      burnShare: 0,
      pollIntervalMs: 60_000,
      maxFileBytes: 256 * 1024 * 1024,
      minerTimeLimitMs: undefined,
      verification: { sources: [{ source: 'realtor' }], budget: { maxRequests: 4000, maxMs: 2_700_000 } },
    });
  });

  it('takes a per-miner time limit in seconds, else leaves it to the epoch caps', () => {
    expect(parseValidatorConfig({}, { RESI_DOWNLOAD_MINER_TIME_LIMIT: '300' }).minerTimeLimitMs).toBe(300_000);
    expect(() => parseValidatorConfig({ 'download.miner-time-limit': '0' }, {})).toThrow(
      /--download.miner-time-limit \(RESI_DOWNLOAD_MINER_TIME_LIMIT\)/,
    );
  });

  it('reads options before environment variables', () => {
    const config = parseValidatorConfig(
      { 'api.url': 'http://127.0.0.1:3000/', 'set-weights': false, source: 'file', 'file.path': '/feed.json' },
      { RESI_API_URL: 'http://elsewhere', RESI_BURN_SHARE: '0.25', RESI_BURN_UID: '0', NETUID: '428' },
    );
    expect(config).toMatchObject({
      apiUrl: 'http://127.0.0.1:3000',
      setWeights: false,
      burnShare: 0.25,
      burnUid: 0,
      netuid: 428,
      verification: { sources: [{ source: 'file', filePath: '/feed.json' }] },
    });
  });

  it('names every bad option with its variable', () => {
    expect(() => parseValidatorConfig({ 'burn.share': '2', 'duckdb.memory': 'lots' }, {})).toThrow(
      ValidatorConfigError,
    );
    try {
      parseValidatorConfig({ 'burn.share': '2', 'duckdb.memory': 'lots' }, {});
    } catch (error) {
      expect((error as Error).message).toContain('--burn.share (RESI_BURN_SHARE)');
      expect((error as Error).message).toContain('--duckdb.memory (RESI_DUCKDB_MEMORY)');
    }
    expect(() => parseValidatorConfig({ 'burn.share': '0.1' }, {})).toThrow(/--burn.uid/);
    expect(() => parseValidatorConfig({ source: 'file' }, {})).toThrow(/Invalid verification source[\s\S]*--file.path/);
  });

  it('enables several verification sources, each with its own rate, and a budget', () => {
    const config = parseValidatorConfig(
      { source: 'realtor, zillow-rapidapi', 'zillow.key': 'k', 'realtor.rpm': '12', 'verify.max-minutes': '10' },
      { RESI_SOURCE_RPM: '5' },
    );
    expect(config.verification.sources.map((source) => [source.source, source.politeness.requestsPerMinute])).toEqual([
      ['realtor', 12],
      ['zillow-rapidapi', 5],
    ]);
    expect(config.verification.budget).toEqual({ maxRequests: 4000, maxMs: 600_000 });
    expect(() => parseValidatorConfig({ source: 'realtor,zillow-rapidapi' }, {})).toThrow(
      /--zillow.key \(RAPIDAPI_KEY\)/,
    );
    expect(() => parseValidatorConfig({ source: 'realtor,craigslist' }, {})).toThrow(
      /--source \(RESI_VERIFY_SOURCES\)/,
    );
  });

  it('verifies with the feeds miners collect from, no narrower and no wider', () => {
    // A validator fetching sold homes over fewer days than miners collect finds an honest miner's
    // older sales missing (not found: fabrication); one fetching more counts other true counts
    // than its peers and writes another results file.
    for (const [flag, value] of [
      ['realtor.sold-days', '0'],
      ['realtor.sold-days', '365'],
      ['redfin.sold-days', '30'],
      ['zillow.max-pages', '5'],
      ['zillow.status-types', 'ForSale'],
    ] as const) {
      expect(() => parseValidatorConfig({ source: 'realtor', [flag]: value }, {})).toThrow(
        new RegExp(`Invalid verification source[\\s\\S]*--${flag.replace('.', '\\.')} \\(`),
      );
    }
    expect(() =>
      parseValidatorConfig(
        { source: 'realtor', 'realtor.sold-days': '90', 'zillow.status-types': 'RecentlySold,ForSale' },
        {},
      ),
    ).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { MINER_OPTIONS, MinerConfigError, parseMinerConfig } from './miner-config.js';

describe('parseMinerConfig', () => {
  it('points netuid 46 at production and 428 (or --subtensor.network test) at staging', () => {
    expect(parseMinerConfig({}, {}).apiUrl).toBe('https://api.resilabs.ai');
    expect(parseMinerConfig({ netuid: '428' }, {}).apiUrl).toBe('https://api-staging.resilabs.ai');
    expect(parseMinerConfig({ 'subtensor.network': 'test' }, {})).toMatchObject({
      netuid: 428,
      apiUrl: 'https://api-staging.resilabs.ai',
    });
  });

  it('takes a flag over its environment variable over the default', () => {
    const env = { RESI_API_URL: 'http://env.example:3000/', RESI_SOURCE_RPM: '12', RESI_MINER_ONCE: 'yes' };
    expect(parseMinerConfig({}, env)).toMatchObject({
      apiUrl: 'http://env.example:3000',
      politeness: { requestsPerMinute: 12 },
      once: true,
    });
    expect(parseMinerConfig({ 'api.url': 'http://flag.example' }, env).apiUrl).toBe('http://flag.example');
  });

  it('splits uploads at 1,000,000 rows unless told fewer, and never more', () => {
    expect(parseMinerConfig({}, {}).uploadMaxRows).toBe(1_000_000);
    expect(parseMinerConfig({}, { RESI_UPLOAD_MAX_ROWS: '250000' }).uploadMaxRows).toBe(250_000);
    expect(() => parseMinerConfig({ 'upload.max-rows': '2000000' }, {})).toThrow(
      /--upload.max-rows \(RESI_UPLOAD_MAX_ROWS\)/,
    );
    expect(() => parseMinerConfig({ 'upload.max-rows': '0' }, {})).toThrow(MinerConfigError);
  });

  it('applies per-source politeness defaults', () => {
    expect(parseMinerConfig({ source: 'redfin' }, {}).politeness).toMatchObject({
      requestsPerMinute: 10,
      concurrency: 2,
    });
    expect(parseMinerConfig({ source: 'file', 'file.path': 'feed.csv' }, {}).politeness.requestsPerMinute).toBe(0);
  });

  it('requires what a source needs, naming the flag and its variable', () => {
    expect(() => parseMinerConfig({ source: 'file' }, {})).toThrow('--file.path (RESI_FILE_PATH)');
    expect(() => parseMinerConfig({ source: 'zillow-rapidapi' }, {})).toThrow('--zillow.key (RAPIDAPI_KEY)');
    expect(parseMinerConfig({ source: 'zillow-rapidapi' }, { RAPIDAPI_KEY: 'k' }).zillow).toMatchObject({
      key: 'k',
      statusTypes: ['ForSale', 'RecentlySold'],
    });
  });

  it('collects within what validators verify: older sales or further pages would be found nowhere', () => {
    for (const [flag, value] of [
      ['realtor.sold-days', '365'],
      ['redfin.sold-days', '91'],
      ['zillow.max-pages', '21'],
      ['zillow.status-types', 'ForSale,ForRent'],
    ] as const) {
      expect(() => parseMinerConfig({ [flag]: value }, {})).toThrow(
        new RegExp(`Invalid miner configuration[\\s\\S]*--${flag.replace('.', '\\.')} \\(`),
      );
    }
    const narrower = parseMinerConfig(
      { 'realtor.sold-days': '0', 'redfin.sold-days': '30', 'zillow.max-pages': '3', 'zillow.status-types': 'ForSale' },
      {},
    );
    expect(narrower.realtor.soldDays).toBe(0);
    expect(narrower.zillow).toMatchObject({ maxPages: 3, statusTypes: ['ForSale'] });
  });

  it('lists every bad option at once', () => {
    let error: unknown;
    try {
      parseMinerConfig({ source: 'craigslist', 'upload.method': 'ftp', poll: '-1' }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MinerConfigError);
    const message = (error as Error).message;
    expect(message).toContain('--source (RESI_MINER_SOURCE)');
    expect(message).toContain('--upload.method (RESI_UPLOAD_METHOD)');
    expect(message).toContain('--poll (RESI_MINER_POLL)');
  });

  it('documents every option it reads with a distinct environment variable', () => {
    const envs = MINER_OPTIONS.map((option) => option.env).filter(Boolean);
    expect(new Set(envs).size).toBe(envs.length);
    expect(MINER_OPTIONS.every((option) => option.description.length > 0)).toBe(true);
  });
});

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
      verification: { source: 'realtor' },
    });
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
      verification: { source: 'file', filePath: '/feed.json' },
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
});

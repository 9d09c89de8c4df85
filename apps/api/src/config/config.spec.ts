import { describe, expect, it } from 'vitest';
import { ConfigError, parseApiEnv, parseStatePriority, parseTrustProxy } from './config.js';

describe('parseApiEnv', () => {
  it('applies the documented defaults', () => {
    const sut = parseApiEnv({});
    expect(sut).toMatchObject({ PORT: 3000, EPOCH_DURATION_MINUTES: 240, EPOCH_TARGET_LISTINGS: 10_000 });
    expect(sut.DATABASE_URL).toBeUndefined();
  });

  it('names each bad variable and what it got', () => {
    expect(() => parseApiEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      parseApiEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT: must be a number (got "eighty")');
      expect((error as Error).message).not.toContain('NaN');
      expect((error as Error).message).toContain('DATABASE_URL: must start with postgres://');
    }
  });

  it('requires ZIPCODE_SECRET in production', () => {
    expect(() => parseApiEnv({ NODE_ENV: 'production' })).toThrow(/ZIPCODE_SECRET: required when NODE_ENV=production/);
    expect(parseApiEnv({ NODE_ENV: 'production', ZIPCODE_SECRET: 'x'.repeat(32) }).NODE_ENV).toBe('production');
  });

  it('rejects an impossible epoch schedule naming the EPOCH_ variables', () => {
    expect(() => parseApiEnv({ EPOCH_DURATION_MINUTES: '7' })).toThrow(/EPOCH_DURATION_MINUTES.*divide 1440/s);
  });

  it('treats empty variables as unset', () => {
    expect(parseApiEnv({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});

describe('parseStatePriority', () => {
  it('parses STATE=weight pairs', () => {
    expect(parseStatePriority('CA=1.5, TX=1.3')).toEqual({ CA: 1.5, TX: 1.3 });
    expect(parseStatePriority('')).toEqual({});
  });
  it('rejects anything else with an example', () => {
    expect(() => parseStatePriority('California=2')).toThrow(/STATE_PRIORITY.*"CA=1.5,TX=1.3"/);
  });
});

describe('parseTrustProxy', () => {
  it('trusts no proxy unless told, and takes a hop count or addresses and CIDRs', () => {
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1,fd00::/8')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
    ]);
    expect(parseApiEnv({}).TRUST_PROXY).toBe('');
  });

  it('refuses "true" and anything that is not an address, naming the variable', () => {
    expect(() => parseApiEnv({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: "true" would let any client choose/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/TRUST_PROXY: "10.0.0.0\/33" is not an IP address or CIDR/);
    expect(() => parseTrustProxy('proxy.local')).toThrow(ConfigError);
  });
});

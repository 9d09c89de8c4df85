import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApi,
  freshPostgresUrl,
  makeIdentity,
  neuronOf,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type TestApi,
  type TestIdentity,
} from './test-api.js';

const NOW = new Date('2025-10-01T17:00:00Z');
const ts = Math.floor(NOW.getTime() / 1000);
const FORGED = 'ab'.repeat(64);

function current(
  sut: TestApi,
  who: TestIdentity,
  options: { ip?: string; signature?: string; timestamp?: number } = {},
) {
  const timestamp = options.timestamp ?? ts;
  return sut.inject({
    method: 'GET',
    url: '/api/v1/zipcode-assignments/current',
    remoteAddress: options.ip ?? '198.51.100.1',
    query: {
      hotkey: who.hotkey,
      signature: options.signature ?? who.sign(`zipcode:assignment:current:${timestamp}`),
      timestamp: String(timestamp),
    },
  });
}

function stats(sut: TestApi, ip: string, forwardedFor: string) {
  return sut.inject({
    method: 'GET',
    url: '/api/v1/zipcode-assignments/stats',
    remoteAddress: ip,
    headers: { 'x-forwarded-for': forwardedFor },
  });
}

describe('per-IP limits and TRUST_PROXY', () => {
  const apis: Record<'none' | 'hops' | 'cidrs', TestApi> = {} as never;

  beforeAll(async () => {
    const miner = await makeIdentity();
    const api = (env: Record<string, string>) =>
      createTestApi({ now: NOW, neurons: [neuronOf(miner, 1)], env: { RATE_LIMIT_STATS_PER_MINUTE: '3', ...env } });
    apis.none = await api({});
    apis.hops = await api({ TRUST_PROXY: '1' });
    apis.cidrs = await api({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
  }, 300_000);
  afterAll(async () => {
    for (const sut of Object.values(apis)) await sut.close();
  });

  it('by default trusts no proxy: a forged X-Forwarded-For per request does not escape the limit', async () => {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await stats(apis.none, '198.51.100.1', `203.0.113.${i}`)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
  });

  it('with a hop count, the address the proxy appended is the client', async () => {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await stats(apis.hops, '10.0.0.2', `203.0.113.${i}`)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200]);
    // ...and a client cannot choose its address by prepending one: the proxy's entry is the one read.
    const spoofed = [];
    for (let i = 0; i < 5; i++) {
      spoofed.push((await stats(apis.hops, '10.0.0.2', `192.0.2.${i}, 203.0.113.99`)).statusCode);
    }
    expect(spoofed).toEqual([200, 200, 200, 429, 429]);
  });

  it('with CIDRs, only the listed proxies are believed', async () => {
    const viaProxy = [];
    for (let i = 10; i < 14; i++) viaProxy.push((await stats(apis.cidrs, '10.1.2.3', `203.0.113.${i}`)).statusCode);
    expect(viaProxy).toEqual([200, 200, 200, 200]);
    const direct = [];
    for (let i = 0; i < 4; i++) direct.push((await stats(apis.cidrs, '198.51.100.7', `203.0.113.${i}`)).statusCode);
    expect(direct).toEqual([200, 200, 200, 429]);
  });
});

describe('failed authentication is limited per IP and per claimed hotkey', () => {
  let sut: TestApi;
  let miners: TestIdentity[];
  let stranger: TestIdentity;

  beforeAll(async () => {
    miners = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
    stranger = await makeIdentity();
    sut = await createTestApi({
      now: NOW,
      neurons: miners.map((m, uid) => neuronOf(m, uid)),
      env: {
        RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '5',
        RATE_LIMIT_AUTH_FAILURES_PER_HOTKEY_PER_MINUTE: '4',
        RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '1000',
      },
    });
  }, 300_000);
  afterAll(() => sut.close());

  it('checks the timestamp and registration before any signature', async () => {
    const stale = await current(sut, miners[0]!, { ip: '192.0.2.1', signature: FORGED, timestamp: ts - 3600 });
    expect(stale.json()).toMatchObject({ code: 'TIMESTAMP_OUT_OF_WINDOW' });
    const unregistered = await current(sut, stranger, { ip: '192.0.2.2', signature: FORGED });
    expect(unregistered.json()).toMatchObject({ code: 'HOTKEY_NOT_REGISTERED' });
  });

  it('answers 429 without verifying once an IP has used up its failures, and other IPs are unaffected', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      // Two hotkeys, so that neither reaches its own limit of 4 before the IP reaches 5.
      const res = await current(sut, miners[(i % 2) * 2]!, { ip: '203.0.113.50', signature: FORGED });
      codes.push(res.json<{ code: string }>().code);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Five forged signatures verified (and refused), then no more verification at all.
    expect(codes).toEqual([...Array(5).fill('SIGNATURE_INVALID'), ...Array(7).fill('RATE_LIMITED')]);
    expect((await current(sut, miners[0]!, { ip: '203.0.113.50' })).statusCode).toBe(429);
    expect((await current(sut, miners[0]!, { ip: '203.0.113.51' })).statusCode).toBe(200);
  });

  it('limits forgeries of one hotkey from many IPs, without locking out its own client', async () => {
    const victim = miners[1]!;
    expect((await current(sut, victim, { ip: '198.51.100.20' })).statusCode).toBe(200);
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      codes.push(
        (await current(sut, victim, { ip: `192.0.2.${100 + i}`, signature: FORGED })).json<{ code: string }>().code,
      );
    }
    expect(codes).toEqual([...Array(4).fill('SIGNATURE_INVALID'), ...Array(6).fill('RATE_LIMITED')]);
    // The client that authenticated as this hotkey before keeps being served...
    expect((await current(sut, victim, { ip: '198.51.100.20' })).statusCode).toBe(200);
    // ...while a new address claiming it waits for the window, and other hotkeys are untouched.
    expect((await current(sut, victim, { ip: '198.51.100.21' })).statusCode).toBe(429);
    expect((await current(sut, miners[2]!, { ip: '198.51.100.21' })).statusCode).toBe(200);
  });
});

describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)('two API replicas share one limit through Redis', () => {
  let replicas: TestApi[];
  let miners: TestIdentity[];

  beforeAll(async () => {
    miners = await Promise.all([makeIdentity(), makeIdentity()]);
    const env = {
      DATABASE_URL: await freshPostgresUrl(TEST_DATABASE_URL!),
      REDIS_URL: TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '4',
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '6',
    };
    const neurons = miners.map((m, uid) => neuronOf(m, uid));
    // One after the other: the first creates the schema, the second finds it.
    replicas = [await createTestApi({ now: NOW, neurons, env })];
    replicas.push(await createTestApi({ now: NOW, neurons, env }));
  }, 300_000);
  afterAll(async () => {
    for (const sut of replicas ?? []) await sut.close();
  });

  it('a hotkey gets its 4 requests a minute in total, whichever replica answers', async () => {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await current(replicas[i % 2]!, miners[0]!)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('failed authentications from one IP add up across replicas, and verification stops on both', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await current(replicas[i % 2]!, miners[1]!, { ip: '203.0.113.77', signature: FORGED });
      codes.push(res.json<{ code: string }>().code);
    }
    const verified = codes.filter((c) => c === 'SIGNATURE_INVALID').length;
    // The shared count reaches the limit of 6; each replica learns it at its next failure.
    expect(verified).toBeGreaterThanOrEqual(6);
    expect(verified).toBeLessThanOrEqual(6 + 1);
    expect(codes.slice(-4)).toEqual(Array(4).fill('RATE_LIMITED'));
    expect(codes.slice(0, 6)).toEqual(Array(6).fill('SIGNATURE_INVALID'));
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiInstance, openDatabase, parseApiEnv, startApi } from '@resi/api';
import { createDevWallet, cryptoReady, type MetagraphFile, type WalletLocation } from '@resi/core';
import { FileListingSource } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CheckResult,
  DEFAULT_DOCTOR_ENVIRONMENT,
  type DoctorEnvironment,
  type DoctorSetup,
  formatCheck,
  runDoctor,
} from './doctor.js';

/**
 * `resi doctor` against a devnet-like API in this process (file metagraph, embedded PGlite and
 * s3rver): healthy once for a miner and a validator, then each failure provoked once.
 */
describe('resi doctor', () => {
  let home: string;
  let api: ApiInstance & { url: string };
  const wallets: Record<'miner' | 'validator' | 'stranger' | 'unstaked', WalletLocation> = {} as never;
  let feed: string;

  beforeAll(async () => {
    await cryptoReady();
    home = await mkdtemp(join(tmpdir(), 'resi-doctor-'));
    const neurons: MetagraphFile['neurons'][number][] = [];
    for (const [uid, name] of (['miner', 'validator', 'stranger', 'unstaked'] as const).entries()) {
      const created = await createDevWallet({ path: join(home, 'wallets'), name: `doctor-${name}`, hotkey: 'default' });
      wallets[name] = created.location;
      if (name === 'stranger') continue; // never registered
      neurons.push({
        uid,
        hotkey: created.hotkeyAddress,
        coldkey: created.coldkeyAddress,
        validatorPermit: name === 'validator',
        stake: name === 'validator' ? 10_000 : 1,
      });
    }
    await writeFile(join(home, 'metagraph.json'), JSON.stringify({ netuid: 46, neurons }));
    feed = join(home, 'feed.jsonl');
    await writeFile(
      feed,
      `${JSON.stringify({ address: '1 W 34th St, New York, NY 10001', zipcode: '10001', price: 950000, listing_status: 'active' })}\n`,
    );
    api = await startApi(
      parseApiEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        RESI_HOME: home,
        METAGRAPH_FILE: join(home, 'metagraph.json'),
        ZIPCODE_SECRET: 'doctor-secret-0123456789abcdef',
        EPOCH_DURATION_MINUTES: '60',
        EPOCH_TARGET_LISTINGS: '600',
      }),
      { database: await openDatabase({}) },
    );
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await rm(home, { recursive: true, force: true });
  });

  const setupFor = (who: keyof typeof wallets, changes: Partial<DoctorSetup> = {}): DoctorSetup => ({
    role: who === 'validator' || who === 'unstaked' ? 'validator' : 'miner',
    wallet: wallets[who],
    apiUrl: api.url,
    netuid: 46,
    network: 'finney',
    stateDir: join(home, 'state', who),
    sources: [{ name: 'file', open: () => new FileListingSource({ path: feed }) }],
    ...changes,
  });
  const plenty: DoctorEnvironment = { ...DEFAULT_DOCTOR_ENVIRONMENT, freeBytes: () => Promise.resolve(50 * 1024 ** 3) };
  const byName = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.name, result]));
  const failures = (results: CheckResult[]) => results.filter((result) => !result.ok).map((result) => result.name);

  it('passes every check for a registered miner on a healthy API', async () => {
    const lines: string[] = [];
    const results = await runDoctor(setupFor('miner'), plenty, (result) => lines.push(formatCheck(result)));
    expect(failures(results)).toEqual([]);
    expect(results.map((result) => result.name)).toEqual([
      'wallet',
      'api',
      'clock',
      'registration',
      'storage',
      'source file',
      'disk',
    ]);
    expect(byName(results).api!.detail).toContain('protocol 1');
    expect(byName(results)['source file']!.detail).toContain('1 listing');
    expect(lines).toHaveLength(7);
    expect(lines.every((line) => line.startsWith('ok  '))).toBe(true);
  }, 60_000);

  it('passes a validator with its permit and stake, and its results upload grant', async () => {
    const results = await runDoctor(setupFor('validator'), plenty);
    expect(failures(results)).toEqual([]);
    expect(byName(results)['validator permit']!.ok).toBe(true);
    expect(byName(results).storage!.detail).toContain('results upload grant');
  }, 60_000);

  it('a wallet that does not load fails, and the checks that sign say they need it', async () => {
    const results = await runDoctor(setupFor('miner', { wallet: { ...wallets.miner, name: 'nobody' } }), plenty);
    expect(byName(results).wallet).toMatchObject({ ok: false, fix: expect.stringContaining('resi keys create') });
    expect(byName(results).registration!.detail).toBe('not checked: needs the wallet');
    expect(byName(results).api!.ok).toBe(true);
  }, 60_000);

  it('an unreachable API fails with what to check', async () => {
    const results = await runDoctor(setupFor('miner', { apiUrl: 'http://127.0.0.1:9' }), plenty);
    expect(byName(results).api).toMatchObject({ ok: false, fix: expect.stringContaining('--api.url') });
    expect(byName(results).clock!.detail).toBe('not checked: needs the API');
  }, 60_000);

  it('an API of another protocol version fails', async () => {
    const otherProtocol: DoctorEnvironment = {
      ...plenty,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!urlOf(input).endsWith('/healthcheck')) return response;
        const body = (await response.json()) as Record<string, unknown>;
        return Response.json({ ...body, protocolVersion: '2' });
      },
    };
    const results = await runDoctor(setupFor('miner'), otherProtocol);
    expect(byName(results).api).toMatchObject({ ok: false, detail: expect.stringContaining('protocol 2') });
  }, 60_000);

  it('a clock 10 minutes slow fails, and registration is still checked (signed with the API time)', async () => {
    const slow: DoctorEnvironment = { ...plenty, now: () => Date.now() - 600_000 };
    const results = await runDoctor(setupFor('miner'), slow);
    expect(failures(results)).toEqual(['clock']);
    expect(byName(results).clock!.detail).toMatch(/^600\.\d s behind the API/);
    expect(byName(results).clock!.fix).toContain('timedatectl set-ntp true');
  }, 60_000);

  it('a clock 2 minutes fast fails too: the API allows 60 s ahead', async () => {
    const fast: DoctorEnvironment = { ...plenty, now: () => Date.now() + 120_000 };
    expect(failures(await runDoctor(setupFor('miner'), fast))).toEqual(['clock']);
  }, 60_000);

  it('an unregistered hotkey fails with the btcli command that registers it', async () => {
    const results = await runDoctor(setupFor('stranger'), plenty);
    expect(byName(results).registration).toMatchObject({
      ok: false,
      fix: expect.stringContaining('btcli subnet register --netuid 46 --subtensor.network finney'),
    });
  }, 60_000);

  it('a validator without permit or stake fails the permit check', async () => {
    const results = await runDoctor(setupFor('unstaked'), plenty);
    expect(byName(results).registration!.ok).toBe(true);
    expect(byName(results)['validator permit']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('NOT_A_VALIDATOR'),
    });
  }, 60_000);

  it('storage the grant points at but nobody can reach fails', async () => {
    const apiOnly: DoctorEnvironment = {
      ...plenty,
      fetch: (input, init) =>
        urlOf(input).startsWith(api.url)
          ? fetch(input, init)
          : Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
    };
    const results = await runDoctor(setupFor('miner'), apiOnly);
    expect(failures(results)).toEqual(['storage']);
    expect(byName(results).storage!.detail).toContain('ECONNREFUSED');
  }, 60_000);

  it('a source that does not answer fails with how to fix it', async () => {
    const missing = join(home, 'no-such-feed.csv');
    const results = await runDoctor(
      setupFor('miner', { sources: [{ name: 'file', open: () => new FileListingSource({ path: missing }) }] }),
      plenty,
    );
    expect(failures(results)).toEqual(['source file']);
    expect(byName(results)['source file']!.fix).toContain('--file.path');
  }, 60_000);

  it('too little disk where the state lives fails, measured at the nearest existing directory', async () => {
    let measured = '';
    const full: DoctorEnvironment = {
      ...plenty,
      freeBytes: (path) => {
        measured = path;
        return DEFAULT_DOCTOR_ENVIRONMENT.freeBytes(path).then(() => 200 * 1024 ** 2);
      },
    };
    const results = await runDoctor(setupFor('miner'), full);
    expect(failures(results)).toEqual(['disk']);
    expect(measured).toBe(home); // state/miner does not exist yet
    expect(byName(results).disk!.detail).toContain('needs at least 1.0 GiB');
  }, 60_000);
});

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiInstance, openDatabase, parseApiEnv, startApi } from '@resi/api';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevWallet, cryptoReady, type MetagraphFile, WalletError, type WalletLocation } from '@resi/core';
import { type AdapterConfig, SOURCE_SCHEMA_SHAPE, checkSource, sourceConfigOf } from '@resi/sources';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CheckResult,
  DEFAULT_DOCTOR_ENVIRONMENT,
  type DoctorEnvironment,
  type DoctorSetup,
  formatCheck,
  runDoctor,
  walletProblem,
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
  /** A site that refuses every request with 403, as a site blocking this machine does. */
  let blocking: Server | undefined;

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
      `${JSON.stringify({
        address: '1 W 34th St, New York, NY 10001',
        zipcode: '10001',
        price: 950000,
        listing_date: '2026-11-20',
        property_type: 'condo',
        listing_status: 'active',
        days_on_market: 14,
        source_url: 'https://www.realtor.com/realestateandhomes-detail/1-W-34th-St_New-York_NY_10001_M00000-00001',
      })}\n`,
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
    await new Promise((resolve) => (blocking ? blocking.close(resolve) : resolve(undefined)));
    await rm(home, { recursive: true, force: true });
  });

  const setupFor = (who: keyof typeof wallets, changes: Partial<DoctorSetup> = {}): DoctorSetup => ({
    role: who === 'validator' || who === 'unstaked' ? 'validator' : 'miner',
    wallet: wallets[who],
    apiUrl: api.url,
    netuid: 46,
    network: 'finney',
    stateDir: join(home, 'state', who),
    sources: [sourceConfig({ source: 'file', 'file.path': feed })],
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
    expect(byName(results)['source file']!.detail).toBe('ok: file: 1 valid listing for 10001 in the first page');
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
    // The detail says what is wrong, the fix what to do, each once.
    expect(byName(results).wallet!.detail).toMatch(/^no hotkey file at \S+nobody\/hotkeys\/default$/);
    expect(byName(results).wallet!.fix).toMatch(/^create it with `resi keys create --wallet.name nobody/);
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

  it('a feed that is not there fails as unreachable, with the fix resi sources check gives', async () => {
    const missing = sourceConfig({ source: 'file', 'file.path': join(home, 'no-such-feed.csv') });
    const results = await runDoctor(setupFor('miner', { sources: [missing] }), plenty);
    expect(failures(results)).toEqual(['source file']);
    const checked = await checkSource(missing, '10001');
    expect(byName(results)['source file']).toEqual({
      name: 'source file',
      ok: false,
      detail: `unreachable: ${checked.detail}`,
      fix: checked.fix,
    });
    expect(checked.fix).toContain('--file.path');
  }, 60_000);

  it('a site that blocks this machine fails as blocked, with the proxy and rate fix', async () => {
    blocking = createServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end('{"message":"Forbidden"}');
    });
    await new Promise<void>((resolve) => blocking!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(blocking.address() as AddressInfo).port}`;
    const realtor = sourceConfig({
      source: 'realtor',
      'realtor.url': `${base}/graphql`,
      'realtor.suggest-url': `${base}/suggest`,
    });
    const results = await runDoctor(setupFor('miner', { sources: [realtor] }), plenty);
    expect(failures(results)).toEqual(['source realtor']);
    expect(byName(results)['source realtor']).toMatchObject({
      detail: expect.stringMatching(/^blocked: realtor: .*403/),
      fix: expect.stringContaining('--source.proxy'),
    });
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

function sourceConfig(options: Record<string, unknown>): AdapterConfig {
  const parsed = sourceConfigOf(z.object(SOURCE_SCHEMA_SHAPE).parse(options));
  if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

describe('resi doctor: a wallet that does not load', () => {
  const fallback = 'create or import it';
  it("gives the wallet error's own fix, which depends on what is wrong, not always 'create it'", () => {
    const file = '/home/m/.bittensor/wallets/miner/hotkeys/default';
    const encrypted = new WalletError(
      file,
      `the hotkey file ${file} is encrypted (NaCl); resi signs unattended and needs it unencrypted. Recreate it without a password from its mnemonic, e.g. \`btcli wallet regen-hotkey --no-use-password --overwrite\` with the same --wallet.name/--wallet.hotkey.`,
    );
    expect(walletProblem(encrypted, fallback)).toEqual({
      detail: `the hotkey file ${file} is encrypted (NaCl); resi signs unattended and needs it unencrypted`,
      fix: 'recreate it without a password from its mnemonic, e.g. `btcli wallet regen-hotkey --no-use-password --overwrite` with the same --wallet.name/--wallet.hotkey.',
    });
    const directory = new WalletError(file, `the hotkey file ${file} is a directory, not a keyfile.`);
    expect(walletProblem(directory, fallback)).toEqual({ detail: directory.message, fix: fallback });
    expect(walletProblem(new Error('boom'), fallback)).toEqual({ detail: 'boom', fix: fallback });
  });
});

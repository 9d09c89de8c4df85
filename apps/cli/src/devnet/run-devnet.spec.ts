import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetagraphFile, createDevWallet } from '@resi/core';
import {
  checkDevnetOptions,
  devnetApiEnv,
  devnetStartError,
  operatorWallets,
  ownMinerHint,
  prepareDevnetAccounts,
  resetDevnet,
} from './run-devnet.js';

const market = {
  graphqlUrl: 'http://127.0.0.1:4100/market/graphql',
  suggestUrl: 'http://127.0.0.1:4100/market/suggest',
};

describe('devnet settings', () => {
  it('never takes a production database, Redis, bucket, chain metagraph or address from the environment or .env', () => {
    const { env, ignored } = devnetApiEnv({
      DATABASE_URL: 'postgres://resi@db.internal/prod',
      REDIS_URL: 'redis://cache.internal',
      S3_ENDPOINT: 'https://s3.us-east-2.amazonaws.com',
      METAGRAPH_SOURCE: 'chain',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
      ZIPCODE_SECRET: 'kept',
      LOG_LEVEL: 'info',
    });
    expect(ignored).toEqual(['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'METAGRAPH_SOURCE', 'HOST', 'NODE_ENV']);
    expect(env).toEqual({ ZIPCODE_SECRET: 'kept', LOG_LEVEL: 'info' });
    expect(devnetApiEnv({ LOG_LEVEL: 'info', DATABASE_URL: '' }).ignored).toEqual([]);
  });
});

describe('devnet options', () => {
  it('refuses a bad --epoch, --miners or --port naming the flag with an example, never NaN', () => {
    const ok = { epoch: '3', miners: '3', port: '3000' };
    expect(checkDevnetOptions(ok).honestMiners).toBe(3);
    expect(() => checkDevnetOptions({ ...ok, port: 'abc' })).toThrow(
      '--port abc: must be a port number from 1 to 65535, e.g. 3000',
    );
    expect(() => checkDevnetOptions({ ...ok, port: '70000' })).toThrow('--port 70000: must be a port number');
    expect(() => checkDevnetOptions({ ...ok, epoch: 'abc' })).toThrow(
      '--epoch abc: must be a whole number of minutes that divides 1440, e.g. 3',
    );
    expect(() => checkDevnetOptions({ ...ok, epoch: '7' })).toThrow(/^--epoch 7: .*divide 1440.*6 and 8/);
    expect(() => checkDevnetOptions({ ...ok, miners: '0' })).toThrow(
      '--miners 0: must be a whole number of at least 1',
    );
    expect(() => checkDevnetOptions({ ...ok, miners: '2.5' })).toThrow('--miners 2.5');
  });
});

describe('devnet start-up errors', () => {
  it('a second devnet on the same state names the one running, not DATABASE_URL, which a devnet ignores', () => {
    const held = new Error(
      'The embedded database in /srv/.resi/db is in use by process 4242. Stop that process first, or set DATABASE_URL to a PostgreSQL server so several processes can share state.',
    );
    const said = devnetStartError(held, '/srv/.resi').message;
    expect(said).toMatch(/^another devnet \(process 4242\) runs from \/srv\/\.resi: stop it first/);
    expect(said).toContain('RESI_HOME=<dir>');
    expect(said).not.toContain('DATABASE_URL');
    const other = new Error('resi: 127.0.0.1:3000 is already in use.');
    expect(devnetStartError(other, '/srv/.resi')).toBe(other);
  });
});

describe('devnet accounts', () => {
  let home: string | undefined;
  afterEach(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('registers a wallet the operator made in its wallet directory, runs nothing for it, and leaves other devnet-* wallets out', async () => {
    home = mkdtempSync(join(tmpdir(), 'resi-devnet-accounts-'));
    const options = { honestMiners: 1, misbehaving: false, validators: 1 };
    const first = await prepareDevnetAccounts(home, options);
    expect(first.map((a) => [a.name, a.role])).toEqual([
      ['devnet-validator-1', 'validator'],
      ['devnet-miner-1', 'honest'],
    ]);
    const wallets = join(home, 'wallets');
    // The operator's wallet, and one left over from an earlier `--miners 2`.
    const mine = await createDevWallet({ path: wallets, name: 'my-miner', hotkey: 'default' });
    await createDevWallet({ path: wallets, name: 'devnet-miner-2', hotkey: 'default' });
    expect(operatorWallets(wallets)).toEqual(['my-miner']);

    const second = await prepareDevnetAccounts(home, options);
    expect(second.map((a) => [a.name, a.role])).toEqual([
      ['devnet-validator-1', 'validator'],
      ['devnet-miner-1', 'honest'],
      ['my-miner', 'yours'],
    ]);
    const metagraph = JSON.parse(readFileSync(join(home, 'metagraph.json'), 'utf8')) as MetagraphFile;
    expect(metagraph.neurons).toHaveLength(3);
    expect(metagraph.neurons[2]).toMatchObject({ uid: 2, hotkey: mine.hotkeyAddress, validatorPermit: false });
    const labels = JSON.parse(readFileSync(join(home, 'labels.json'), 'utf8')) as Record<string, string>;
    expect(labels[mine.hotkeyAddress]).toBe('my-miner');

    const hint = ownMinerHint(
      home,
      'http://127.0.0.1:3000',
      market,
      second.filter((a) => a.role === 'yours'),
    );
    expect(hint).toContain(
      `npx resi miner --api.url http://127.0.0.1:3000 --wallet.path ${wallets} --wallet.name my-miner ` +
        `--realtor.url ${market.graphqlUrl} --realtor.suggest-url ${market.suggestUrl} --source.rpm 0`,
    );
    expect(hint).not.toContain('keys create');

    // --reset starts the devnet over and keeps the operator's wallet.
    resetDevnet(home);
    expect(readdirSync(wallets)).toEqual(['my-miner']);
    expect(existsSync(join(home, 'metagraph.json'))).toBe(false);
    const third = await prepareDevnetAccounts(home, options);
    expect(third.find((a) => a.role === 'yours')?.hotkey).toBe(mine.hotkeyAddress);
    expect(third.filter((a) => a.role !== 'yours').every((a) => a.created)).toBe(true);
  });

  it('tells an operator without a wallet of their own how to make one, not to reuse a devnet wallet', () => {
    const hint = ownMinerHint('/srv/.resi', 'http://127.0.0.1:3460', market, [], 'npm start -- --port 3460');
    expect(hint).toContain('npx resi keys create --wallet.path /srv/.resi/wallets --wallet.name my-miner');
    expect(hint).toContain('restart the devnet (Ctrl-C, npm start -- --port 3460)');
    expect(hint).toContain('--wallet.name my-miner');
    expect(hint).not.toMatch(/--wallet\.name devnet-/);
  });
});

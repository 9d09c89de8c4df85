import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cryptoReady,
  type Neuron,
  signCommitment,
  sr25519KeypairFromMiniSecret,
  type Sr25519Keypair,
  ss58Of,
} from '@resi/core';
import pg from 'pg';
import { describe } from 'vitest';
import { createApi, type ApiInstance, type ApiOverrides } from '../src/create-api.js';
import { type ApiEnv, parseApiEnv } from '../src/config/config.js';
import { FixedClock } from '../src/repositories/clock.repository.js';
import { openDatabase } from '../src/repositories/database.js';
import { StaticMetagraph } from '../src/repositories/metagraph.repository.js';

/** A hotkey we can sign with, and its coldkey. */
export interface TestIdentity {
  hotkey: string;
  coldkey: string;
  keypair: Sr25519Keypair;
  sign(message: string): string;
}

export async function makeIdentity(seedByte?: number): Promise<TestIdentity> {
  await cryptoReady();
  const seed = seedByte === undefined ? randomBytes(32) : new Uint8Array(32).fill(seedByte);
  const keypair = sr25519KeypairFromMiniSecret(seed);
  const cold = sr25519KeypairFromMiniSecret(randomBytes(32));
  return {
    hotkey: ss58Of(keypair.publicKey),
    coldkey: ss58Of(cold.publicKey),
    keypair,
    sign: (message) => signCommitment(message, keypair),
  };
}

export function neuronOf(identity: TestIdentity, uid: number, validator = false): Neuron {
  return {
    uid,
    hotkey: identity.hotkey,
    coldkey: identity.coldkey,
    validatorPermit: validator,
    stake: validator ? 5_000 : 1,
  };
}

/** The real Postgres/Redis of the integration tier, when `.ci/run` (or a developer) started them. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL_TEST;
export const TEST_REDIS_URL = process.env.REDIS_URL_TEST;

/**
 * A fresh, empty database on the test server, so test files never see each other's rows (the
 * migrations name the `public` schema and keep their journal in `drizzle`, so schemas would not do).
 */
export async function freshPostgresUrl(base: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestApi extends ApiInstance {
  clock: FixedClock;
  metagraph: StaticMetagraph;
  inject: ApiInstance['app']['inject'];
}

/**
 * The API in-process on embedded defaults (in-memory PGlite, memory store, s3rver with its data
 * in a temporary RESI_HOME removed on close) unless `env` names real services; no API port is
 * opened, requests go through Fastify's inject.
 */
export async function createTestApi(options: {
  now: Date;
  neurons: Neuron[];
  env?: Record<string, string | undefined>;
  overrides?: ApiOverrides;
}): Promise<TestApi> {
  const clock = new FixedClock(options.now);
  const metagraph = new StaticMetagraph(options.neurons);
  const home = mkdtempSync(join(tmpdir(), 'resi-test-'));
  const config: ApiEnv = parseApiEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ZIPCODE_SECRET: 'test-secret-0123456789abcdef',
    SCHEDULER_ENABLED: 'false',
    RESI_HOME: home,
    ...options.env,
  });
  // Without a DATABASE_URL or a database of the caller's, an in-memory PGlite: nothing written to
  // disk, nothing shared. A caller's database outlives the API (a restart, a second replica).
  const database = config.DATABASE_URL || options.overrides?.database ? undefined : await openDatabase({});
  const api = await createApi(config, {
    clock,
    metagraph,
    ...(database ? { database } : {}),
    ...options.overrides,
  }).catch(async (error: unknown) => {
    await database?.close();
    rmSync(home, { recursive: true, force: true });
    throw error;
  });
  return {
    ...api,
    clock,
    metagraph,
    inject: api.app.inject.bind(api.app),
    close: async () => {
      await api.close();
      await database?.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Why the integration tier is skipped here, or undefined when its services are configured. */
export const SERVICES_SKIP_REASON =
  TEST_DATABASE_URL && TEST_REDIS_URL
    ? undefined
    : 'needs DATABASE_URL_TEST and REDIS_URL_TEST: eval "$(scripts/test-services.sh start)"';

/**
 * The backends a behaviour test should pass on: always the embedded defaults (PGlite, memory),
 * and real PostgreSQL + Redis, skipped with {@link SERVICES_SKIP_REASON} when they are not there.
 */
export function testBackends(): {
  name: string;
  skip?: string;
  env: () => Promise<Record<string, string>>;
}[] {
  return [
    { name: 'embedded PGlite + memory', env: () => Promise.resolve({}) },
    {
      name: 'PostgreSQL + Redis',
      ...(SERVICES_SKIP_REASON ? { skip: SERVICES_SKIP_REASON } : {}),
      env: async () => ({
        DATABASE_URL: await freshPostgresUrl(TEST_DATABASE_URL!),
        REDIS_URL: TEST_REDIS_URL!,
        // Redis is shared by the whole run: keep this file's keys apart from other files'.
        REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
      }),
    },
  ];
}

/**
 * `describe` once per {@link testBackends} entry. A backend whose services are missing is still
 * declared, so its tests are counted as skipped, with the reason in the suite's name, instead of
 * silently absent.
 */
export function describeOnBackends(
  title: string,
  body: (backend: { name: string; env: () => Promise<Record<string, string>> }) => void,
): void {
  for (const backend of testBackends()) {
    const name = `${title} on ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`;
    describe.skipIf(backend.skip !== undefined)(name, () => body(backend));
  }
}

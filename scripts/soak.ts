/**
 * `npm run soak`: a bounded mixed load against one API on its own PostgreSQL and Redis (private
 * servers on free ports), with a Redis restart and a PostgreSQL restart along the way. Prints
 * requests, answers by status and code, p99 latency, RSS at start and end, and lost updates:
 * status updates answered 200 that the database does not hold afterwards (must be 0).
 *
 *   SOAK_SECONDS (default 180)  SOAK_MINERS (default 8)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cryptoReady,
  currentAssignmentsResponseSchema,
  type Neuron,
  signCommitment,
  sr25519KeypairFromMiniSecret,
  ss58Of,
  statusCommitment,
  validationCommitment,
} from '@resi/core';
import type * as ResiApi from '@resi/api';
import { startPrivatePostgres, startPrivateRedis, storedSubmissions } from '../apps/api/test/private-services.js';

// The built API (`npm run soak` builds it first): Nest needs the decorator metadata tsc emits, which
// tsx does not. Imported by a computed path so the type-check, which runs before any build, takes
// the types from the sources instead.
const builtApi = '../apps/api/dist/index.js';
const { ClockRepository, createApi, parseApiEnv, StaticMetagraph } = (await import(builtApi)) as typeof ResiApi;

async function makeIdentity() {
  await cryptoReady();
  const keypair = sr25519KeypairFromMiniSecret(randomBytes(32));
  const coldkey = ss58Of(sr25519KeypairFromMiniSecret(randomBytes(32)).publicKey);
  return { hotkey: ss58Of(keypair.publicKey), coldkey, sign: (message: string) => signCommitment(message, keypair) };
}
const neuronOf = (who: { hotkey: string; coldkey: string }, uid: number, validator = false): Neuron => ({
  uid,
  hotkey: who.hotkey,
  coldkey: who.coldkey,
  validatorPermit: validator,
  stake: validator ? 5_000 : 1,
});

const seconds = Number(process.env.SOAK_SECONDS ?? 180);
const minerCount = Number(process.env.SOAK_MINERS ?? 8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

const postgres = await startPrivatePostgres();
const redis = await startPrivateRedis();
const miners = await Promise.all(Array.from({ length: minerCount }, () => makeIdentity()));
const validators = await Promise.all([makeIdentity(), makeIdentity()]);
const api = await createApi(
  parseApiEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ZIPCODE_SECRET: 'soak-secret-0123456789abcdef',
    RESI_HOME: mkdtempSync(join(tmpdir(), 'resi-soak-')),
    SCHEDULER_ENABLED: 'false',
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    DATABASE_POOL_SIZE: '8',
    RATE_LIMIT_STATUS_PER_MINUTE: '1000000',
    RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '1000000',
    RATE_LIMIT_VALIDATOR_READS_PER_MINUTE: '1000000',
    RATE_LIMIT_STATS_PER_MINUTE: '1000000',
  }),
  {
    clock: new ClockRepository(),
    metagraph: new StaticMetagraph([
      ...validators.map((v, i) => neuronOf(v, i, true)),
      ...miners.map((m, i) => neuronOf(m, i + 2)),
    ]),
  },
);
const first = miners[0]!;
const firstTs = Math.floor(Date.now() / 1000);
const current = currentAssignmentsResponseSchema.parse(
  (
    await api.app.inject({
      method: 'GET',
      url: '/api/v1/zipcode-assignments/current',
      query: {
        hotkey: first.hotkey,
        signature: first.sign(`zipcode:assignment:current:${firstTs}`),
        timestamp: String(firstTs),
      },
    })
  ).json(),
);
const epoch = { id: current.epochId, nonce: current.nonce };
const rssStart = process.memoryUsage().rss;

const latencies: number[] = [];
const answers = new Map<string, number>();
const acknowledged = miners.map(() => ({ last: 0, count: 0 }));
const now = () => Math.floor(Date.now() / 1000);
const send = async (request: Parameters<typeof api.app.inject>[0]) => {
  const started = performance.now();
  const res = await api.app.inject(request as never);
  latencies.push(performance.now() - started);
  const code = res.statusCode === 200 ? '' : ` ${res.json<{ code?: string }>().code ?? '?'}`;
  const key = `${res.statusCode}${code}`;
  answers.set(key, (answers.get(key) ?? 0) + 1);
  return res;
};

let running = true;
const honestMiner = async (index: number) => {
  const miner = miners[index]!;
  for (let sequence = 1; running; sequence++) {
    const ts = now();
    await send({
      method: 'GET',
      url: '/api/v1/zipcode-assignments/current',
      query: { hotkey: miner.hotkey, signature: miner.sign(`zipcode:assignment:current:${ts}`), timestamp: String(ts) },
    });
    const res = await send({
      method: 'POST',
      url: '/api/v1/zipcode-assignments/status',
      payload: {
        hotkey: miner.hotkey,
        signature: miner.sign(statusCommitment(epoch.id, ts)),
        timestamp: ts,
        epochId: epoch.id,
        nonce: epoch.nonce,
        status: 'IN_PROGRESS',
        listingsScraped: sequence,
        s3UploadComplete: false,
      },
    });
    if (res.statusCode === 200) acknowledged[index] = { last: sequence, count: acknowledged[index]!.count + 1 };
    else await sleep(50);
  }
};
const validator = async (index: number) => {
  const who = validators[index]!;
  while (running) {
    const ts = now();
    await send({
      method: 'GET',
      url: `/api/v1/zipcode-assignments/epoch/${epoch.id}`,
      query: { hotkey: who.hotkey, signature: who.sign(validationCommitment(epoch.id, ts)), timestamp: String(ts) },
    });
    await send({ method: 'GET', url: '/api/v1/zipcode-assignments/stats' });
    await sleep(20);
  }
};
const badClient = async () => {
  const miner = miners[0]!;
  for (let i = 0; running; i++) {
    const ts = now();
    const bodies = [
      {
        hotkey: miner.hotkey,
        signature: '00'.repeat(64),
        timestamp: ts,
        epochId: epoch.id,
        nonce: epoch.nonce,
        status: 'IN_PROGRESS',
        s3UploadComplete: false,
      },
      { hotkey: 'not-a-hotkey', signature: 'zz', timestamp: 'soon' },
      {
        hotkey: miner.hotkey,
        signature: miner.sign(statusCommitment(epoch.id, ts)),
        timestamp: ts,
        epochId: epoch.id,
        nonce: 'ffffffffffffffff',
        status: 'IN_PROGRESS',
        s3UploadComplete: false,
      },
    ];
    await send({ method: 'POST', url: '/api/v1/zipcode-assignments/status', payload: bodies[i % bodies.length]! });
    await send({ method: 'GET', url: '/api/v1/epochs/not-an-epoch/submissions' });
    await sleep(10);
  }
};

console.log(
  `soak: ${seconds} s, ${minerCount} honest miners, 2 validators, 1 bad client; PostgreSQL ${postgres.url}, Redis ${redis.url}`,
);
const load = [...miners.map((_, i) => honestMiner(i)), ...validators.map((_, i) => validator(i)), badClient()];
await sleep((seconds * 1000) / 3);
console.log(`t=${Math.round(seconds / 3)}s: Redis restart`);
redis.stop();
await sleep(3_000);
await redis.start();
await sleep((seconds * 1000) / 3 - 3_000);
console.log(`t=${Math.round((2 * seconds) / 3)}s: PostgreSQL restart`);
postgres.stop();
await sleep(3_000);
postgres.start();
await sleep((seconds * 1000) / 3 - 3_000);
running = false;
await Promise.all(load);
const rssEnd = process.memoryUsage().rss;

const stored = await storedSubmissions(postgres.url, epoch.id);
const lost = miners.reduce((sum, miner, i) => {
  const row = stored.get(miner.hotkey);
  const a = acknowledged[i]!;
  return (
    sum + Math.max(0, a.count - (row?.updates ?? 0)) + (row && row.listingsScraped >= a.last ? 0 : a.last > 0 ? 1 : 0)
  );
}, 0);

latencies.sort((a, b) => a - b);
const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
console.log(`requests: ${latencies.length} (${Math.round(latencies.length / seconds)}/s)`);
console.log(
  `answers: ${[...answers.entries()]
    .sort()
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ')}`,
);
console.log(`latency: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
console.log(`status updates acknowledged: ${acknowledged.reduce((s, a) => s + a.count, 0)}; lost updates: ${lost}`);
console.log(`RSS: ${mb(rssStart)} at start, ${mb(rssEnd)} at end`);
// Closing waits for sockets the restarts left behind; the servers go regardless.
await Promise.race([api.close(), sleep(5_000)]);
redis.stop();
postgres.destroy();
process.exit(lost === 0 && !answers.has('500 INTERNAL_ERROR') ? 0 : 1);

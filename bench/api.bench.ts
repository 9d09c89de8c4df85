// npm run bench:api — throughput and latency of GET /api/v1/zipcode-assignments/current on a real
// `resi api` process backed by PostgreSQL and Redis, every request carrying a fresh signature, and
// the ratio to a bare sr25519 verification loop measured in the same run. Not a test: it prints.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cryptoReady, verifyCommitmentSignature } from '@resi/core';
import autocannon from 'autocannon';
import { freshPostgresUrl, makeIdentity, neuronOf } from '../apps/api/test/test-api.js';
import { ensureBuilt, freePort, startResi, waitForHttp } from '../apps/api/test/e2e/processes.js';

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const HOTKEYS = 64;

function services(): { database: string; redis: string } {
  const database = process.env.DATABASE_URL_TEST;
  const redis = process.env.REDIS_URL_TEST;
  if (database && redis) return { database, redis };
  console.log('starting PostgreSQL and Redis (scripts/test-services.sh)…');
  const exports = execFileSync('scripts/test-services.sh', ['start'], { encoding: 'utf8' });
  const value = (name: string) => new RegExp(`${name}=(\\S+)`).exec(exports)![1]!;
  return { database: value('DATABASE_URL_TEST'), redis: value('REDIS_URL_TEST') };
}

function bareVerifyRate(message: string, signature: string, address: string, seconds = 3): number {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) if (verifyCommitmentSignature(message, signature, address)) n++;
  }
  return n / seconds;
}

await cryptoReady();
ensureBuilt();
const { database, redis } = services();
const identities = await Promise.all(Array.from({ length: HOTKEYS }, () => makeIdentity()));
const home = mkdtempSync(join(tmpdir(), 'resi-bench-'));
writeFileSync(
  join(home, 'metagraph.json'),
  JSON.stringify({ netuid: 46, neurons: identities.map((id, uid) => neuronOf(id, uid)) }),
);
const port = await freePort();
const api = startResi(['api'], {
  DATABASE_URL: await freshPostgresUrl(database),
  REDIS_URL: redis,
  METAGRAPH_FILE: join(home, 'metagraph.json'),
  RESI_HOME: home,
  ZIPCODE_SECRET: 'bench-secret-0123456789abcdef',
  RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '100000000',
  LOG_LEVEL: 'warn',
  PORT: String(port),
});
const base = `http://127.0.0.1:${port}`;

try {
  await waitForHttp(`${base}/healthcheck`, api);
  // Signatures are randomised, so signing the same commitment again gives a new signature: the
  // server verifies every request from scratch, as it would under real traffic.
  const ts = Math.floor(Date.now() / 1000);
  const message = `zipcode:assignment:current:${ts}`;
  const poolSize = Math.min(200_000, Math.ceil(DURATION_SECONDS * 6_000));
  console.log(`pre-signing ${poolSize} requests over ${HOTKEYS} hotkeys…`);
  const pool = Array.from({ length: poolSize }, (_, i) => {
    const id = identities[i % HOTKEYS]!;
    return `/api/v1/zipcode-assignments/current?hotkey=${id.hotkey}&signature=${id.sign(message)}&timestamp=${ts}`;
  });
  const warm = await fetch(base + pool[0]);
  if (warm.status !== 200) throw new Error(`warm-up request failed: ${warm.status} ${await warm.text()}`);

  const bare = bareVerifyRate(message, identities[0]!.sign(message), identities[0]!.hotkey);
  let next = 1;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pool[next++ % pool.length]! }) }],
  });
  const ok = result['2xx'];
  const rps = result.requests.average;
  console.log('\nGET /api/v1/zipcode-assignments/current on PostgreSQL + Redis, fresh signature per request');
  console.log(`  connections ${CONNECTIONS}, ${DURATION_SECONDS} s, load generator on the same 2 cores`);
  console.log(`  requests/s      ${rps.toFixed(0)} (2xx ${ok}, non-2xx ${result.non2xx}, errors ${result.errors})`);
  console.log(`  latency p50     ${result.latency.p50} ms`);
  console.log(`  latency p99     ${result.latency.p99} ms`);
  console.log(`  bare sr25519 verify loop (one core, this process): ${bare.toFixed(0)}/s`);
  console.log(`  ratio API req/s ÷ bare verify/s: ${(rps / bare).toFixed(2)}`);
  console.log(`  target: ≥ 2,000 req/s with p99 < 50 ms`);
} finally {
  await api.stop();
}

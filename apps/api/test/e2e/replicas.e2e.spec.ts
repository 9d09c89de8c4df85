import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentAssignmentsResponseSchema, statusCommitment } from '@resi/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshPostgresUrl,
  makeIdentity,
  neuronOf,
  SERVICES_SKIP_REASON,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type TestIdentity,
} from '../test-api.js';
import { freePort, type RunningProgram, startResi, waitForHttp } from './processes.js';

const skipped = SERVICES_SKIP_REASON ? ` (skipped: ${SERVICES_SKIP_REASON})` : '';

/** Two `resi api` processes on one Postgres and one Redis, as behind a load balancer. */
describe.skipIf(SERVICES_SKIP_REASON !== undefined)(`two API replicas on one Postgres and Redis${skipped}`, () => {
  let databaseUrl: string;
  let env: Record<string, string>;
  let miner: TestIdentity;
  const replicas: { program: RunningProgram; url: string }[] = [];

  const start = async () => {
    const port = await freePort();
    const program = startResi(['api'], { ...env, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthcheck`, program);
    return { program, url };
  };

  const current = async (url: string) => {
    const ts = Math.floor(Date.now() / 1000);
    const query = new URLSearchParams({
      hotkey: miner.hotkey,
      signature: miner.sign(`zipcode:assignment:current:${ts}`),
      timestamp: String(ts),
    });
    const res = await fetch(`${url}/api/v1/zipcode-assignments/current?${query.toString()}`);
    expect(res.status).toBe(200);
    return currentAssignmentsResponseSchema.parse(await res.json());
  };

  beforeAll(async () => {
    miner = await makeIdentity();
    databaseUrl = await freshPostgresUrl(TEST_DATABASE_URL!);
    const home = mkdtempSync(join(tmpdir(), 'resi-replicas-'));
    const metagraph = join(home, 'metagraph.json');
    writeFileSync(metagraph, JSON.stringify({ netuid: 46, neurons: [neuronOf(miner, 1)] }));
    env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL!,
      METAGRAPH_FILE: metagraph,
      RESI_HOME: home,
      ZIPCODE_SECRET: 'replica-test-secret-0123456789',
      EPOCH_DURATION_MINUTES: '2',
      EPOCH_PENDING_LEAD_MINUTES: '1',
      EPOCH_VALIDATION_WINDOW_MINUTES: '1',
      EPOCH_GRACE_MINUTES: '1',
      SCHEDULER_INTERVAL_SECONDS: '1',
      RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '1000',
      LOG_LEVEL: 'warn',
    };
    // Both replicas start at once: migrations and epoch creation race on purpose.
    replicas.push(...(await Promise.all([start(), start()])));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.program.stop()));
  });

  it('creates each epoch exactly once and both serve the identical assignment', async () => {
    // Let both schedulers tick several times.
    await new Promise((r) => setTimeout(r, 3_000));
    const [a, b] = await Promise.all(replicas.map((r) => current(r.url)));
    expect(a).toEqual(b);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; n: string; nonce: string }>(
        'select e.id, e.nonce, count(z.*) as n from epochs e join epoch_zipcodes z on z.epoch_id = e.id group by e.id',
      );
      const ids = rows.map((r) => r.id);
      expect(ids).toContain(a!.epochId);
      // What both replicas serve is what is stored, and no two stored epochs overlap in time.
      expect(rows.find((r) => r.id === a!.epochId)!.nonce).toBe(a!.nonce);
      const overlaps = await client.query(
        'select a.id, b.id from epochs a join epochs b on a.id < b.id and a.start_at < b.end_at and b.start_at < a.end_at',
      );
      expect(overlaps.rows).toEqual([]);
      expect(Number(rows.find((r) => r.id === a!.epochId)!.n)).toBe(a!.zipcodes.length);
    } finally {
      await client.end();
    }
  });

  it('shares the replay cache: a signature used on one replica is refused by the other', async () => {
    const { epochId, nonce } = await current(replicas[0]!.url);
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      hotkey: miner.hotkey,
      signature: miner.sign(statusCommitment(epochId, ts)),
      timestamp: ts,
      epochId,
      nonce,
      status: 'IN_PROGRESS',
      s3UploadComplete: false,
    });
    const post = (url: string) =>
      fetch(`${url}/api/v1/zipcode-assignments/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect((await post(replicas[0]!.url)).status).toBe(200);
    const replay = await post(replicas[1]!.url);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ code: 'SIGNATURE_REPLAYED' });
  });

  it('serves the same epoch, nonce and zipcodes after a replica is killed and restarted', async () => {
    const before = await current(replicas[1]!.url);
    await replicas[0]!.program.stop('SIGKILL');
    replicas[0] = await start();
    const after = await current(replicas[0].url);
    // The epoch may have rolled over meanwhile (2-minute epochs): compare the same epoch.
    if (after.epochId === before.epochId) expect(after).toEqual(before);
    else expect(await current(replicas[1]!.url)).toEqual(after);
  }, 90_000);
});

import { statusCommitment } from '@resi/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpochService } from '../../src/services/epoch.service.js';
import { postgresBinDir, type PrivatePostgres, startPrivatePostgres } from '../private-services.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from '../test-api.js';

const bin = postgresBinDir();
if (!bin) console.warn('[skipped] postgres-outage: PostgreSQL is not installed (scripts/test-services.sh installs it)');

const MINERS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PostgreSQL stops and restarts under load, on a server of this test's own: the API stays up,
 * says `degraded`, answers 503 SERVICE_UNAVAILABLE with Retry-After (never a 500), and every
 * status update it acknowledged is in the database afterwards.
 */
describe.skipIf(!bin)('PostgreSQL outage under load', () => {
  let postgres: PrivatePostgres;
  let sut: TestApi;
  let miners: TestIdentity[];

  beforeAll(async () => {
    postgres = await startPrivatePostgres(bin);
    miners = await Promise.all(Array.from({ length: MINERS }, () => makeIdentity()));
    sut = await createTestApi({
      now: new Date(),
      neurons: miners.map((miner, uid) => neuronOf(miner, uid + 1)),
      env: { DATABASE_URL: postgres.url, DATABASE_POOL_SIZE: '4', RATE_LIMIT_STATUS_PER_MINUTE: '100000' },
    });
  }, 120_000);
  afterAll(async () => {
    await sut?.close();
    postgres?.destroy();
  });

  const health = async () =>
    (await sut.inject({ method: 'GET', url: '/healthcheck' })).json<{ status: string; database: { status: string } }>();

  it('answers 503 with Retry-After during the outage, never 500, and loses no acknowledged update', async () => {
    const { epoch } = await sut.app.get(EpochService).current();
    expect((await health()).status).toBe('ok');

    const statuses = new Map<number, number>();
    const problems: string[] = [];
    /** Per miner: the last listingsScraped the API acknowledged with 200, and how many it acknowledged. */
    const acknowledged = miners.map(() => ({ last: 0, count: 0 }));
    let running = true;
    const load = miners.map(async (miner, index) => {
      for (let sequence = 1; running; sequence++) {
        const ts = Math.floor(sut.clock.now().getTime() / 1000);
        const res = await sut.inject({
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
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200) {
          acknowledged[index] = { last: sequence, count: acknowledged[index]!.count + 1 };
        } else if (res.statusCode === 503) {
          const body = res.json<{ code: string }>();
          if (body.code !== 'SERVICE_UNAVAILABLE' || !res.headers['retry-after']) {
            problems.push(`503 without code or Retry-After: ${res.body}`);
          }
          await sleep(50);
        } else {
          problems.push(`${res.statusCode}: ${res.body}`);
        }
      }
    });

    await sleep(500);
    postgres.stop();
    // While it is down: the API answers, health says degraded, the assignment still serves.
    const during = await health();
    expect(during).toMatchObject({ status: 'degraded', database: { status: 'down' } });
    await sleep(1_000);
    const duringOutage = statuses.get(503) ?? 0;
    postgres.start();
    const deadline = Date.now() + 30_000;
    while ((await health()).status !== 'ok' && Date.now() < deadline) await sleep(200);
    expect((await health()).status).toBe('ok');
    const acknowledgedBefore = acknowledged.map((a) => a.count);
    // Updates flow again after the restart.
    while (acknowledged.some((a, i) => a.count <= acknowledgedBefore[i]!) && Date.now() < deadline) await sleep(100);
    running = false;
    await Promise.all(load);

    expect(problems).toEqual([]);
    expect(statuses.get(500)).toBeUndefined();
    expect(duringOutage).toBeGreaterThan(0);
    expect(statuses.get(200)).toBeGreaterThan(0);

    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ hotkey: string; listings_scraped: number; updates: number }>(
        'select hotkey, listings_scraped, updates from submissions where epoch_id = $1',
        [epoch.id],
      );
      const byHotkey = new Map(rows.map((row) => [row.hotkey, row]));
      miners.forEach((miner, index) => {
        const stored = byHotkey.get(miner.hotkey);
        // Every acknowledged update is there: the last one's value (or a later unacknowledged
        // one that did commit), and at least as many updates as were acknowledged.
        expect(stored?.listings_scraped ?? 0).toBeGreaterThanOrEqual(acknowledged[index]!.last);
        expect(stored?.updates ?? 0).toBeGreaterThanOrEqual(acknowledged[index]!.count);
      });
    } finally {
      await client.end();
    }
  }, 120_000);
});

import { EPOCH_PHASES } from '@resi/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../src/repositories/clock.repository.js';
import { LOCK_KEYS } from '../../src/repositories/database.js';
import { EpochRepository } from '../../src/repositories/epoch.repository.js';
import { EpochService } from '../../src/services/epoch.service.js';
import { SchedulerService } from '../../src/services/scheduler.service.js';
import {
  createTestApi,
  freshPostgresUrl,
  makeIdentity,
  neuronOf,
  TEST_DATABASE_URL,
  type TestApi,
} from '../test-api.js';

if (!TEST_DATABASE_URL)
  console.warn('[skipped] scheduler-replicas: needs DATABASE_URL_TEST (scripts/test-services.sh)');

const START = new Date('2026-03-01T10:00:30Z');
const SHORT_EPOCHS = {
  EPOCH_DURATION_MINUTES: '2',
  EPOCH_PENDING_LEAD_MINUTES: '1',
  EPOCH_VALIDATION_WINDOW_MINUTES: '1',
  EPOCH_GRACE_MINUTES: '1',
  SCHEDULER_ENABLED: 'true',
  // The test drives every tick itself, on the shared clock.
  SCHEDULER_INTERVAL_SECONDS: '3600',
};
const rank = (status: string) => EPOCH_PHASES.indexOf(status as (typeof EPOCH_PHASES)[number]);

/**
 * Two API replicas with the scheduler on, one real PostgreSQL and one clock the test moves
 * through several 2-minute epochs: every epoch is created once, both replicas hold the same
 * assignment, stored statuses only move forward, and the advisory lock decides who ticks.
 */
describe.skipIf(!TEST_DATABASE_URL)('the epoch scheduler on two replicas', () => {
  const clock = new FixedClock(START);
  let databaseUrl: string;
  let replicas: TestApi[] = [];
  let sql: pg.Client;
  const created = new Map<string, number>();

  const replica = async (env: Record<string, string> = SHORT_EPOCHS) => {
    const miner = await makeIdentity();
    const api = await createTestApi({
      now: START,
      neurons: [neuronOf(miner, 1)],
      env: { DATABASE_URL: databaseUrl, ...env },
      overrides: { clock },
    });
    // Count the inserts that actually created an epoch, on every replica.
    const repository = api.app.get(EpochRepository);
    const insert = repository.insertEpoch.bind(repository);
    vi.spyOn(repository, 'insertEpoch').mockImplementation(async (epoch, zipcodes) => {
      const didCreate = await insert(epoch, zipcodes);
      if (didCreate) created.set(epoch.id, (created.get(epoch.id) ?? 0) + 1);
      return didCreate;
    });
    return api;
  };

  const stored = async () =>
    (
      await sql.query<{ id: string; status: string; nonce: string; start_at: Date; grace_end_at: Date }>(
        'select id, status, nonce, start_at, grace_end_at from epochs order by id',
      )
    ).rows;

  beforeAll(async () => {
    databaseUrl = await freshPostgresUrl(TEST_DATABASE_URL!);
    replicas = await Promise.all([replica(), replica()]);
    sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
  }, 120_000);
  afterAll(async () => {
    await sql?.end();
    await Promise.all(replicas.map((api) => api.close()));
  });

  it('creates each epoch once, identically on both, and moves stored statuses in order', async () => {
    const seen = new Map<string, string[]>();
    // The replicas' start-up ticks made the first slot before the insert counter was attached.
    const existing = new Set((await stored()).map((row) => row.id));
    // 10 minutes in 20-second steps: five epochs go from PENDING to ARCHIVED.
    for (let step = 0; step < 30; step++) {
      clock.advance(20_000);
      // Both schedulers tick at once, racing GET /current on both replicas.
      await Promise.all([
        ...replicas.map((api) => api.app.get(SchedulerService).runOnce()),
        ...replicas.map((api) => api.app.get(EpochService).current()),
      ]);
      for (const row of await stored()) {
        const history = seen.get(row.id) ?? [];
        if (history.at(-1) !== row.status) history.push(row.status);
        seen.set(row.id, history);
      }
    }

    const ids = [...seen.keys()];
    expect(ids.length).toBeGreaterThanOrEqual(5);
    for (const id of ids) {
      expect(created.get(id) ?? 0, `${id} created`).toBe(existing.has(id) ? 0 : 1);
      const history = seen.get(id)!;
      expect(history.map(rank), `${id}: ${history.join(' → ')}`).toEqual([...history.map(rank)].sort());
    }
    // The first full epochs went through every stored status, in order.
    const complete = ids.filter((id) => seen.get(id)!.join(',') === 'PENDING,ACTIVE,COMPLETED,ARCHIVED');
    expect(complete.length).toBeGreaterThanOrEqual(3);

    for (const id of ids) {
      const [a, b] = await Promise.all(replicas.map((api) => api.app.get(EpochService).get(id)));
      expect(a!.epoch.nonce).toBe(b!.epoch.nonce);
      expect(a!.zipcodes.map((z) => [z.zipcode, z.isHoneypot])).toEqual(
        b!.zipcodes.map((z) => [z.zipcode, z.isHoneypot]),
      );
    }
  }, 180_000);

  it('ticks only on the replica holding the advisory lock', async () => {
    const before = (await stored()).length;
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [LOCK_KEYS.scheduler]);
      // Far enough that the next slot is due: with the lock held elsewhere, neither replica creates it.
      clock.advance(3 * 60_000);
      await Promise.all(replicas.map((api) => api.app.get(SchedulerService).runOnce()));
      expect((await stored()).length).toBe(before);
      await holder.query('select pg_advisory_unlock($1)', [LOCK_KEYS.scheduler]);
      await replicas[0]!.app.get(SchedulerService).runOnce();
      expect((await stored()).length).toBeGreaterThan(before);
    } finally {
      await holder.end();
    }
  });

  it('keeps stored epoch times after a restart with other EPOCH_* settings', async () => {
    const before = await stored();
    const running = (await replicas[0]!.app.get(EpochService).current()).epoch;
    await replicas[1]!.close();
    // 4-minute epochs with a 10-minute grace now: nothing stored may move.
    replicas[1] = await replica({
      ...SHORT_EPOCHS,
      EPOCH_DURATION_MINUTES: '4',
      EPOCH_GRACE_MINUTES: '10',
      EPOCH_VALIDATION_WINDOW_MINUTES: '20',
    });
    const restarted = replicas[1].app.get(EpochService);
    await replicas[1].app.get(SchedulerService).runOnce();
    const after = await stored();
    expect(after.filter((row) => before.some((b) => b.id === row.id))).toEqual(
      before.map((row) => ({ ...row, status: expect.any(String) })),
    );
    for (const row of before) {
      expect(after.find((a) => a.id === row.id)!.grace_end_at).toEqual(row.grace_end_at);
    }
    // The running 2-minute epoch stays current until its stored end; nothing overlapping is created.
    expect((await restarted.current()).epoch.id).toBe(running.id);
    const overlaps = await sql.query(
      'select a.id, b.id from epochs a join epochs b on a.id < b.id and a.start_at < b.end_at and b.start_at < a.end_at',
    );
    expect(overlaps.rows).toEqual([]);
    // Its submissions close at the stored grace end, not at the one the new settings would give.
    clock.set(new Date(running.graceEndAt.getTime() + 1000));
    // Stored: grace and validation window of 1 minute, so archived; the new settings would say COMPLETED.
    expect(restarted.phaseOf(running)).toBe('ARCHIVED');
    expect(restarted.phaseOf(running.id)).toBe('ARCHIVED');
    expect(() => restarted.requireOpenForSubmissions(running)).toThrow(/closed for submissions/);
    expect(() => restarted.requireReadable(running)).not.toThrow();
  });
});

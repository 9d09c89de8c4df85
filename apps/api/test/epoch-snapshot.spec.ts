import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { epochAssignmentsResponseSchema, epochSubmissionsResponseSchema } from '@resi/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, type EmbeddedS3, startEmbeddedS3 } from '../src/repositories/embedded-s3.js';
import { type DatabaseHandle, openDatabase } from '../src/repositories/database.js';
import { EpochSnapshotRepository } from '../src/repositories/epoch-snapshot.repository.js';
import { S3StorageRepository, STORAGE_RETRY_AFTER_SECONDS } from '../src/repositories/storage.repository.js';
import { AssignmentService } from '../src/services/assignment.service.js';
import { EpochService } from '../src/services/epoch.service.js';
import { EpochSnapshotService } from '../src/services/epoch-snapshot.service.js';
import { SchedulerService } from '../src/services/scheduler.service.js';
import { folderGrant, postLikePythonMiner, validatorRead } from './storage-requests.test-utils.js';
import {
  createTestApi,
  describeOnBackends,
  makeIdentity,
  neuronOf,
  type TestApi,
  type TestIdentity,
} from './test-api.js';

/** Three consecutive 4-hour epochs (15 minutes of grace each), one per scenario. */
const NOW = new Date('2025-10-01T17:00:00Z');
const EPOCH = { id: '2025-10-01T16-00-00', during: NOW, graceEnd: new Date('2025-10-01T20:15:00Z') };
const OUTAGE_EPOCH = {
  id: '2025-10-01T20-00-00',
  during: new Date('2025-10-01T21:00:00Z'),
  graceEnd: new Date('2025-10-02T00:15:00Z'),
};
const RACE_EPOCH = {
  id: '2025-10-02T00-00-00',
  during: new Date('2025-10-02T01:00:00Z'),
  graceEnd: new Date('2025-10-02T04:15:00Z'),
};
const md5Etag = (content: Uint8Array) => `"${createHash('md5').update(content).digest('hex')}"`;

describeOnBackends('an upload is final at the grace end (the epoch snapshot)', ({ env }) => {
  let backendEnv: Record<string, string>;
  let directory: string;
  let s3: EmbeddedS3;
  let port: number;
  let storage: S3StorageRepository;
  /** The embedded backend's database, kept across API restarts; PostgreSQL keeps its own. */
  let database: DatabaseHandle | undefined;
  let sut: TestApi;
  let miner: TestIdentity;
  let validator: TestIdentity;
  const original = randomBytes(3000);

  /** The API as a process start makes it: fresh memory, the same database and storage. */
  const startApi = () =>
    createTestApi({
      now: NOW,
      neurons: [neuronOf(validator, 0, true), neuronOf(miner, 1)],
      env: backendEnv,
      overrides: { storage, ...(database ? { database } : {}) },
    });

  beforeAll(async () => {
    [miner, validator] = await Promise.all([makeIdentity(), makeIdentity()]);
    backendEnv = await env();
    directory = mkdtempSync(join(tmpdir(), 'resi-snapshot-s3-'));
    s3 = await startEmbeddedS3({ directory, bucket: 'resi-data' });
    port = Number(new URL(s3.endpoint).port);
    // An external store as far as the API knows: the test stops and restarts it.
    storage = new S3StorageRepository({
      backend: 's3',
      endpoint: s3.endpoint,
      bucket: 'resi-data',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: EMBEDDED_S3_CREDENTIALS,
    });
    database = backendEnv.DATABASE_URL ? undefined : await openDatabase({});
    sut = await startApi();
  });
  afterAll(async () => {
    await sut.close();
    await database?.close();
    await storage.close();
    await s3.close().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  });

  it('records every folder when the seed is revealed; an overwrite after it changes nothing validators are served', async () => {
    await sut.app.get(EpochService).ensure(EPOCH.id);
    const grant = await folderGrant(sut, miner);
    expect((await postLikePythonMiner(grant, `epoch=${EPOCH.id}/listings.parquet`, original)).status).toBe(204);

    // A second before the grace end: nothing revealed, nothing recorded, nothing readable.
    sut.clock.set(new Date(EPOCH.graceEnd.getTime() - 1000));
    const early = epochAssignmentsResponseSchema.parse(
      (await validatorRead(sut, validator, 'assignment', EPOCH.id)).json(),
    );
    expect(early.auditSeed).toBeUndefined();
    expect(await sut.app.get(EpochSnapshotRepository).find(EPOCH.id)).toBeUndefined();

    sut.clock.set(EPOCH.graceEnd);
    const revealed = await validatorRead(sut, validator, 'assignment', EPOCH.id);
    expect(revealed.statusCode).toBe(200);
    expect(epochAssignmentsResponseSchema.parse(revealed.json()).auditSeed).toMatch(/^[0-9a-f]{64}$/);
    // The reveal took the snapshot first.
    const stored = await sut.app.get(EpochSnapshotRepository).find(EPOCH.id);
    expect(stored?.miners.map((m) => [m.hotkey, m.objects.map((o) => o.etag)])).toEqual([
      [miner.hotkey, [md5Etag(original)]],
    ]);

    // The miner's folder grant still works: it overwrites the file and adds another.
    const replacement = randomBytes(1000);
    expect((await postLikePythonMiner(grant, `epoch=${EPOCH.id}/listings.parquet`, replacement)).status).toBe(204);
    expect((await postLikePythonMiner(grant, `epoch=${EPOCH.id}/extra.parquet`, randomBytes(10))).status).toBe(204);
    const live = await storage.listObjects(`data/hotkey=${miner.hotkey}/epoch=${EPOCH.id}/`);
    expect(live.map((o) => [o.key.split('/').pop(), o.size])).toEqual([
      ['extra.parquet', 10],
      ['listings.parquet', 1000],
    ]);

    sut.clock.set(new Date(EPOCH.graceEnd.getTime() + 3600_000));
    const res = await validatorRead(sut, validator, 'submissions', EPOCH.id);
    expect(res.statusCode).toBe(200);
    const body = epochSubmissionsResponseSchema.parse(res.json());
    expect(body.snapshotAt).toBe(stored!.takenAt.toISOString());
    expect(body.submissions).toHaveLength(1);
    const [object, ...others] = body.submissions[0]!.objects;
    expect(others).toEqual([]);
    expect(object).toMatchObject({
      key: `data/hotkey=${miner.hotkey}/epoch=${EPOCH.id}/listings.parquet`,
      size: original.length,
      etag: md5Etag(original),
    });
    // A fresh download URL; what it fetches now is the overwrite, which the validator tells apart by its ETag.
    const download = await fetch(object!.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('etag')).toBe(md5Etag(replacement));
  });

  it('storage down at the grace end: 503 with Retry-After and no seed, public reads fine; the scheduler records it once storage returns', async () => {
    sut.clock.set(OUTAGE_EPOCH.during);
    await sut.app.get(EpochService).ensure(OUTAGE_EPOCH.id);
    const grant = await folderGrant(sut, miner);
    expect((await postLikePythonMiner(grant, `epoch=${OUTAGE_EPOCH.id}/listings.parquet`, original)).status).toBe(204);

    await s3.close();
    try {
      sut.clock.set(OUTAGE_EPOCH.graceEnd);
      const refused = await validatorRead(sut, validator, 'assignment', OUTAGE_EPOCH.id);
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
      expect(refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(refused.body).not.toContain('auditSeed');
      const message = refused.json<{ message: string }>().message;
      expect(message).toContain(
        `Epoch ${OUTAGE_EPOCH.id}'s grace period ended at ${OUTAGE_EPOCH.graceEnd.toISOString()}`,
      );
      expect(message).toContain(`retry in ${STORAGE_RETRY_AFTER_SECONDS} s`);
      expect((await validatorRead(sut, validator, 'submissions', OUTAGE_EPOCH.id)).json()).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
      });
      // The public dashboard does not fail, and its read of the assignment (`stored` mode) reveals
      // nothing while no snapshot is stored.
      const dashboard = await sut.inject({ method: 'GET', url: `/api/v1/dashboard/epochs/${OUTAGE_EPOCH.id}` });
      expect(dashboard.statusCode).toBe(200);
      const publicView = await sut.app.get(AssignmentService).forValidator(OUTAGE_EPOCH.id, 'stored');
      expect(publicView.zipcodes.length).toBeGreaterThan(0);
      expect(publicView.zipcodes.filter((zipcode) => 'isHoneypot' in zipcode)).toEqual([]);
      expect(publicView).not.toHaveProperty('auditSeed');
      // The scheduler tries, logs and leaves no snapshot behind.
      await sut.app.get(SchedulerService).runOnce();
      expect(await sut.app.get(EpochSnapshotRepository).find(OUTAGE_EPOCH.id)).toBeUndefined();
    } finally {
      s3 = await startEmbeddedS3({ directory, bucket: 'resi-data', port });
    }
    sut.clock.advance(60_000);
    await sut.app.get(SchedulerService).runOnce();
    const stored = await sut.app.get(EpochSnapshotRepository).find(OUTAGE_EPOCH.id);
    expect(stored?.takenAt.toISOString()).toBe(sut.clock.now().toISOString());
    expect(stored?.miners.find((m) => m.hotkey === miner.hotkey)?.objects.map((o) => o.etag)).toEqual([
      md5Etag(original),
    ]);
    const revealed = await validatorRead(sut, validator, 'assignment', OUTAGE_EPOCH.id);
    expect(revealed.statusCode).toBe(200);
    expect(epochAssignmentsResponseSchema.parse(revealed.json()).auditSeed).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a restart serves the same snapshot and seed, and replicas racing store one snapshot', async () => {
    sut.clock.set(new Date(EPOCH.graceEnd.getTime() + 7200_000));
    const seedBefore = (await validatorRead(sut, validator, 'assignment', EPOCH.id)).json<{ auditSeed: string }>();
    const listingBefore = epochSubmissionsResponseSchema.parse(
      (await validatorRead(sut, validator, 'submissions', EPOCH.id)).json(),
    );
    await sut.close();

    sut = await startApi();
    sut.clock.set(new Date(EPOCH.graceEnd.getTime() + 7200_000));
    const seedAfter = (await validatorRead(sut, validator, 'assignment', EPOCH.id)).json<{ auditSeed: string }>();
    expect(seedAfter.auditSeed).toBe(seedBefore.auditSeed);
    const listingAfter = epochSubmissionsResponseSchema.parse(
      (await validatorRead(sut, validator, 'submissions', EPOCH.id)).json(),
    );
    const withoutUrls = (listing: typeof listingBefore) =>
      listing.submissions.map((s) => ({ ...s, objects: s.objects.map(({ url: _url, ...rest }) => rest) }));
    expect(listingAfter.snapshotAt).toBe(listingBefore.snapshotAt);
    expect(withoutUrls(listingAfter)).toEqual(withoutUrls(listingBefore));
    expect(listingAfter.submissions[0]!.objects[0]!.etag).toBe(md5Etag(original));

    // A second replica on the same database: both take the next epoch's snapshot at once.
    const replica = await startApi();
    try {
      sut.clock.set(RACE_EPOCH.during);
      const { epoch } = await sut.app.get(EpochService).ensure(RACE_EPOCH.id);
      const grant = await folderGrant(sut, miner);
      expect((await postLikePythonMiner(grant, `epoch=${RACE_EPOCH.id}/listings.parquet`, original)).status).toBe(204);
      sut.clock.set(RACE_EPOCH.graceEnd);
      replica.clock.set(new Date(RACE_EPOCH.graceEnd.getTime() + 1000));
      const [ours, theirs] = await Promise.all([
        sut.app.get(EpochSnapshotService).ensure(epoch),
        replica.app.get(EpochSnapshotService).ensure(epoch),
      ]);
      expect(theirs).toEqual(ours);
      expect(await sut.app.get(EpochSnapshotRepository).find(RACE_EPOCH.id)).toEqual(ours);
    } finally {
      await replica.close();
    }
  });
});

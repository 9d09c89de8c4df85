import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthcheckResponseSchema } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, type EmbeddedS3, startEmbeddedS3 } from '../src/repositories/embedded-s3.js';
import { S3StorageRepository, STORAGE_RETRY_AFTER_SECONDS } from '../src/repositories/storage.repository.js';
import { EpochService } from '../src/services/epoch.service.js';
import { requestFolderAccess } from './storage-requests.test-utils.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from './test-api.js';

const NOW = new Date('2025-10-01T17:00:00Z');
const EPOCH = '2025-10-01T16-00-00';
const GRANTS_PER_DAY = 3;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function readCurrent(sut: TestApi, who: TestIdentity) {
  const ts = seconds(sut.clock.now());
  return sut.inject({
    method: 'GET',
    url: '/api/v1/zipcode-assignments/current',
    query: { hotkey: who.hotkey, signature: who.sign(`zipcode:assignment:current:${ts}`), timestamp: String(ts) },
  });
}

/** As a validator reads it: after the epoch's grace end (20:15), when miners' data is readable. */
async function readSubmissions(sut: TestApi, who: TestIdentity) {
  const afterGrace = new Date('2025-10-01T20:16:00Z');
  const before = sut.clock.now();
  sut.clock.set(afterGrace);
  try {
    const ts = seconds(afterGrace);
    return await sut.inject({
      method: 'GET',
      url: `/api/v1/epochs/${EPOCH}/submissions`,
      query: { hotkey: who.hotkey, signature: who.sign(`zipcode:validation:${EPOCH}:${ts}`), timestamp: String(ts) },
    });
  } finally {
    sut.clock.set(before);
  }
}

async function health(sut: TestApi) {
  const res = await sut.inject({ method: 'GET', url: '/healthcheck' });
  expect(res.statusCode).toBe(200);
  return healthcheckResponseSchema.parse(res.json());
}

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('S3 goes away while the API runs', () => {
  let sut: TestApi;
  let s3: EmbeddedS3;
  let directory: string;
  let port: number;
  let miner: TestIdentity;
  let validator: TestIdentity;

  beforeAll(async () => {
    [miner, validator] = await Promise.all([makeIdentity(), makeIdentity()]);
    directory = mkdtempSync(join(tmpdir(), 'resi-s3-'));
    s3 = await startEmbeddedS3({ directory, bucket: 'resi-data' });
    port = Number(new URL(s3.endpoint).port);
    // An external S3 as far as the API knows: the store is started and stopped by the test.
    const storage = new S3StorageRepository({
      backend: 's3',
      endpoint: s3.endpoint,
      bucket: 'resi-data',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: EMBEDDED_S3_CREDENTIALS,
    });
    sut = await createTestApi({
      now: NOW,
      neurons: [neuronOf(validator, 0, true), neuronOf(miner, 1)],
      overrides: { storage },
      // Few grants a day, so refusals that counted against the limit would lock the miner out.
      env: { RATE_LIMIT_MINER_S3_PER_DAY: String(GRANTS_PER_DAY) },
    });
    await sut.app.get(EpochService).ensure(EPOCH);
  });
  afterAll(async () => {
    await sut.close();
    await s3.close().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers 503 SERVICE_UNAVAILABLE on storage routes, stays up elsewhere, reports degraded, and recovers', async () => {
    expect((await requestFolderAccess(sut, miner)).statusCode).toBe(200);
    expect((await health(sut)).storage).toMatchObject({ status: 'ok', backend: 's3', bucket: 'resi-data' });

    await s3.close();

    const refused = await requestFolderAccess(sut, miner);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({
      success: false,
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(refused.headers['retry-after']).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
    const message = refused.json<{ message: string }>().message;
    expect(message).toContain('Storage is unavailable');
    expect(message).toContain(s3.endpoint);
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain(`retry in ${STORAGE_RETRY_AFTER_SECONDS} s`);
    // A miner retrying through the outage does not spend its grants: refusals are not counted.
    for (let retry = 0; retry < GRANTS_PER_DAY + 2; retry++) {
      expect((await requestFolderAccess(sut, miner)).json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    }
    expect((await readSubmissions(sut, validator)).json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    expect((await readCurrent(sut, miner)).statusCode).toBe(200);
    const degraded = await health(sut);
    expect(degraded.status).toBe('degraded');
    expect(degraded.storage).toMatchObject({ status: 'down', backend: 's3' });
    expect(degraded.database.status).toBe('ok');

    s3 = await startEmbeddedS3({ directory, bucket: 'resi-data', port });
    const granted = await requestFolderAccess(sut, miner);
    expect(granted.statusCode).toBe(200);
    // One grant before the outage, this one after: the refusals in between cost nothing.
    expect(granted.headers['x-ratelimit-remaining']).toBe(String(GRANTS_PER_DAY - 2));
    expect((await health(sut)).status).toBe('ok');
  });
});

describe('S3 unreachable from the start', () => {
  let sut: TestApi;
  let miner: TestIdentity;

  beforeAll(async () => {
    miner = await makeIdentity();
    // Credentials from the AWS default chain, as in production; the endpoint has nothing behind it.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test-access-key');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret-key');
    sut = await createTestApi({
      now: NOW,
      neurons: [neuronOf(miner, 1)],
      env: { S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, S3_APPLY_LIFECYCLE: 'true' },
    });
  });
  afterAll(async () => {
    await sut.close();
    vi.unstubAllEnvs();
  });

  it('starts anyway, says degraded and answers storage routes with 503', async () => {
    const report = await health(sut);
    expect(report.status).toBe('degraded');
    expect(report.storage).toMatchObject({ status: 'down', backend: 's3' });
    const res = await requestFolderAccess(sut, miner);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((await readCurrent(sut, miner)).statusCode).toBe(200);
  });
});

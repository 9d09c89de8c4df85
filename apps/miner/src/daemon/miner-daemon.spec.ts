import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Signer, parseMinerUploadMetadata, readListingsParquet, sha256Hex } from '@resi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MinerApiClient } from '../api/miner-api-client.js';
import { createLogger, silentLogger } from '@resi/client';
import { FileListingSource, type ListingSource } from '@resi/sources';
import { WorkStore } from '../store/work-store.js';
import { sampleListing } from '../../../../packages/sources/src/testing/listing-fixtures.test-utils.js';
import { type ProtocolDouble, startProtocolDouble } from '../testing/protocol-double.test-utils.js';
import { assignmentFixture, makeTestSigner } from '../testing/protocol-fixtures.test-utils.js';
import { listingsPartName } from '../upload/package-epoch.js';
import { Uploader } from '../upload/uploader.js';
import { MinerDaemon, type MinerDaemonOptions } from './miner-daemon.js';

let dir: string;
let double: ProtocolDouble | undefined;
let signer: Signer;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resi-daemon-'));
  signer = await makeTestSigner();
});
afterEach(async () => {
  await double?.close();
  double = undefined;
  await rm(dir, { recursive: true, force: true });
});

const ZIPCODES = Array.from({ length: 11 }, (_, index) => String(19_100 + index));

function activeAssignment(zipcodes = ZIPCODES, endInMs = 3_600_000) {
  const now = Date.now();
  return assignmentFixture({
    epochId: new Date(Math.floor(now / 60_000) * 60_000).toISOString().slice(0, 16).replace(':', '-') + '-00',
    zipcodes,
    start: new Date(now - 60_000),
    end: new Date(now + endInMs),
  });
}

async function writeFeed(perZipcode: number): Promise<string> {
  const path = join(dir, 'feed.json');
  const listings = ZIPCODES.flatMap((zipcode) =>
    Array.from({ length: perZipcode }, (_, index) => sampleListing(zipcode, index)),
  );
  await writeFile(path, JSON.stringify(listings));
  return path;
}

function daemonFor(source: ListingSource, overrides: Partial<MinerDaemonOptions> = {}) {
  const api = new MinerApiClient({
    baseUrl: double!.url,
    signer,
    backoff: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
  });
  return new MinerDaemon({
    api,
    source,
    store: new WorkStore(join(dir, 'state')),
    uploader: new Uploader(api, { method: 'per-file', backoff: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } }),
    log: silentLogger,
    pollIntervalMs: 1_000,
    minStatusIntervalMs: 0,
    once: true,
    ...overrides,
  });
}

const run = (daemon: MinerDaemon) => daemon.run(new AbortController().signal);

describe('MinerDaemon', () => {
  it('completes an epoch: IN_PROGRESS, progress every 5 zipcodes, Parquet and metadata uploaded, COMPLETED', async () => {
    const assignment = activeAssignment();
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    await run(daemonFor(new FileListingSource({ path: await writeFeed(3) })));

    const statuses = double.statuses as {
      status: string;
      listingsScraped: number;
      zipcodesCompleted?: unknown[];
      s3UploadComplete: boolean;
    }[];
    expect(statuses[0]).toMatchObject({ status: 'IN_PROGRESS', listingsScraped: 0, s3UploadComplete: false });
    const progress = statuses.slice(1, -1).map((status) => status.zipcodesCompleted?.length ?? 0);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.every((count, index) => count >= 5 && count >= (progress[index - 1] ?? 0))).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ status: 'COMPLETED', listingsScraped: 33, s3UploadComplete: true });
    expect(statuses.at(-1)!.zipcodesCompleted).toHaveLength(11);

    const prefix = `data/hotkey=${signer.address}/epoch=${assignment.epochId}/`;
    expect([...double.objects.keys()].sort()).toEqual([`${prefix}listings.parquet`, `${prefix}metadata.json`]);
    expect(double.writes.map((write) => write.key)).toEqual([`${prefix}listings.parquet`, `${prefix}metadata.json`]);
    const parquet = new Uint8Array(double.objects.get(`${prefix}listings.parquet`)!);
    const { rows, schemaProblems } = await readListingsParquet(parquet);
    expect(schemaProblems).toEqual([]);
    expect(rows).toHaveLength(33);
    const metadata = parseMinerUploadMetadata(double.objects.get(`${prefix}metadata.json`)!);
    expect(metadata).toMatchObject({
      epoch_id: assignment.epochId,
      epoch_nonce: assignment.nonce,
      miner_hotkey: signer.address,
      total_listings: 33,
      zipcodes_completed: 11,
      files: { 'listings.parquet': { sha256: sha256Hex(parquet), bytes: parquet.byteLength, rows: 33 } },
    });
  });

  it('uploads an epoch over the row limit in parts, every part before metadata.json, which lists them all', async () => {
    const assignment = activeAssignment();
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    await run(daemonFor(new FileListingSource({ path: await writeFeed(3) }), { maxRowsPerFile: 10 }));

    expect(double.statuses.at(-1)).toMatchObject({ status: 'COMPLETED', listingsScraped: 33, s3UploadComplete: true });
    const prefix = `data/hotkey=${signer.address}/epoch=${assignment.epochId}/`;
    const parts = ['listings-0001.parquet', 'listings-0002.parquet', 'listings-0003.parquet', 'listings-0004.parquet'];
    expect(double.writes.map((write) => write.key)).toEqual([...parts, 'metadata.json'].map((name) => prefix + name));
    const metadata = parseMinerUploadMetadata(double.objects.get(`${prefix}metadata.json`)!);
    expect(metadata.total_listings).toBe(33);
    expect(Object.keys(metadata.files)).toEqual(parts);
    const zipcodes: (string | null)[] = [];
    for (const [index, name] of parts.entries()) {
      const parquet = new Uint8Array(double.objects.get(prefix + name)!);
      const { rows } = await readListingsParquet(parquet);
      expect(rows).toHaveLength(index < 3 ? 10 : 3);
      expect(metadata.files[name]).toEqual({
        sha256: sha256Hex(parquet),
        bytes: parquet.byteLength,
        rows: rows.length,
      });
      zipcodes.push(...rows.map((row) => row.zipcode));
    }
    expect(zipcodes).toEqual(ZIPCODES.flatMap((zipcode) => [zipcode, zipcode, zipcode]));
  });

  it('asks for upload grants in batches the API accepts when the parts outnumber them', async () => {
    const assignment = activeAssignment();
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    await run(daemonFor(new FileListingSource({ path: await writeFeed(6) }), { maxRowsPerFile: 1 }));

    expect(double.statuses.at(-1)).toMatchObject({ status: 'COMPLETED', listingsScraped: 66, s3UploadComplete: true });
    const grants = double.requests.filter((request) => request.url.pathname === '/api/v1/s3-access/miner-upload');
    expect(grants).toHaveLength(2);
    const names = double.writes.map((write) => write.key.split('/').at(-1));
    expect(names).toEqual([...Array.from({ length: 66 }, (_, index) => listingsPartName(index + 1)), 'metadata.json']);
    const prefix = `data/hotkey=${signer.address}/epoch=${assignment.epochId}/`;
    const metadata = parseMinerUploadMetadata(double.objects.get(`${prefix}metadata.json`)!);
    expect(Object.keys(metadata.files)).toHaveLength(66);
  });

  it('does nothing more for an epoch it already finished', async () => {
    const assignment = activeAssignment();
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    const feed = await writeFeed(1);
    await run(daemonFor(new FileListingSource({ path: feed })));
    const calls = double.requests.length;
    const statuses = double.statuses.length;
    const lines: string[] = [];
    const log = createLogger({ level: 'info', json: true, sink: { write: (line) => lines.push(line) } });
    await run(daemonFor(new FileListingSource({ path: feed }), { log }));
    // A restarted miner says why it is idle, once.
    const waiting = lines.filter((line) => line.includes('epoch already finished by this miner'));
    expect(waiting).toHaveLength(1);
    expect(JSON.parse(waiting[0]!)).toMatchObject({ epochId: assignment.epochId, status: 'COMPLETED' });
    expect(double.statuses).toHaveLength(statuses);
    expect(double.writes).toHaveLength(2);
    expect(double.requests.slice(calls).map((request) => request.url.pathname)).not.toContain(
      '/api/v1/zipcode-assignments/current',
    );
  });

  it('stops collecting at the upload reserve and submits what it has', async () => {
    const assignment = activeAssignment(['19103', '19104'], 2_000);
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    let served = 0;
    const endless: ListingSource = {
      name: 'endless',
      async *fetchZipcode(request) {
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (request.signal.aborted) return;
          served += 1;
          yield [sampleListing(request.zipcode, served)];
        }
      },
    };
    const started = Date.now();
    await run(daemonFor(endless, { uploadReserveMs: 1_500, zipcodeConcurrency: 2 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    const final = double.statuses.at(-1) as { status: string; listingsScraped: number };
    expect(final.status).toBe('COMPLETED');
    expect(final.listingsScraped).toBe(served);
    expect(served).toBeGreaterThan(0);
  });

  it('reports FAILED when storage refuses the upload', async () => {
    const assignment = activeAssignment(['19103']);
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    const api = new MinerApiClient({ baseUrl: double.url, signer });
    const refusingUploader = new Uploader(api, {
      method: 'per-file',
      fetch: () => Promise.resolve(new Response('AccessDenied', { status: 403 })),
    });
    const store = new WorkStore(join(dir, 'state'));
    await run(daemonFor(new FileListingSource({ path: await writeFeed(2) }), { uploader: refusingUploader, store }));
    expect(double.statuses.at(-1)).toMatchObject({ status: 'FAILED', s3UploadComplete: false });
    const work = await store.loadEpoch(assignment.epochId);
    expect(work?.state.finalStatus).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('HTTP 403') });
  });

  it('keeps the epoch through a storage outage mid-upload and completes once storage answers again', async () => {
    const assignment = activeAssignment(['19103']);
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    const api = new MinerApiClient({ baseUrl: double.url, signer });
    // The store refuses connections for the first attempts (down, then restarting with 503s).
    let failures = 0;
    const flakyUploader = new Uploader(api, {
      method: 'per-file',
      backoff: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
      fetch: (input, init) => {
        failures += 1;
        if (failures <= 4) return Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED'));
        if (failures <= 7) return Promise.resolve(new Response('SlowDown', { status: 503 }));
        return fetch(input, init);
      },
    });
    const store = new WorkStore(join(dir, 'state'));
    await run(daemonFor(new FileListingSource({ path: await writeFeed(2) }), { uploader: flakyUploader, store }));
    expect(failures).toBeGreaterThan(7);
    expect(double.statuses.at(-1)).toMatchObject({ status: 'COMPLETED', listingsScraped: 2, s3UploadComplete: true });
    const prefix = `data/hotkey=${signer.address}/epoch=${assignment.epochId}/`;
    expect([...double.objects.keys()].sort()).toEqual([`${prefix}listings.parquet`, `${prefix}metadata.json`]);
    expect((await store.loadEpoch(assignment.epochId))?.state.finalStatus).toMatchObject({ status: 'COMPLETED' });
  });

  it('waits for the API at start-up until it answers, then mines', async () => {
    const assignment = activeAssignment(['19103']);
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address], failedHealthChecks: 2 });
    const api = new MinerApiClient({
      baseUrl: double.url,
      signer,
      backoff: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await run(daemonFor(new FileListingSource({ path: await writeFeed(1) }), { api, healthRetryMs: 20 }));
    const paths = double.requests.map((request) => request.url.pathname);
    expect(paths.slice(0, 3)).toEqual(['/healthcheck', '/healthcheck', '/healthcheck']);
    expect(double.statuses.at(-1)).toMatchObject({ status: 'COMPLETED' });
  });

  it('finishes an earlier epoch left unfinished: TIMEOUT once its grace has passed, without uploading', async () => {
    const assignment = activeAssignment(['19103']);
    double = await startProtocolDouble({ assignment, hotkeys: [signer.address] });
    const store = new WorkStore(join(dir, 'state'));
    const stale = await store.openEpoch(
      assignmentFixture({
        epochId: '2025-10-01T12-00-00',
        start: new Date(Date.now() - 5 * 3_600_000),
        end: new Date(Date.now() - 3_600_000),
      }),
    );
    await stale.savePackage([{ name: 'listings.parquet', content: new Uint8Array([1, 2, 3]) }], 0);
    await run(daemonFor(new FileListingSource({ path: await writeFeed(1) }), { store }));
    expect((await store.loadEpoch('2025-10-01T12-00-00'))?.state.finalStatus).toMatchObject({ status: 'TIMEOUT' });
    expect(double.writes.map((write) => write.key)).not.toContainEqual(expect.stringContaining('2025-10-01T12-00-00'));
    expect(double.statuses.at(-1)).toMatchObject({ epochId: assignment.epochId, status: 'COMPLETED' });
  });

  it('resumes an earlier epoch still in its grace period: uploads it and reports COMPLETED', async () => {
    const current = activeAssignment(['19104']);
    double = await startProtocolDouble({ assignment: current, hotkeys: [signer.address] });
    const store = new WorkStore(join(dir, 'state'));
    // Ended five minutes ago; the double serves no summary for it, so the default 15-minute grace applies.
    const earlier = assignmentFixture({
      epochId: '2025-10-01T12-00-00',
      nonce: current.nonce,
      zipcodes: ['19103'],
      start: new Date(Date.now() - 3_900_000),
      end: new Date(Date.now() - 300_000),
    });
    const work = await store.openEpoch(earlier);
    await work.saveZipcode({
      zipcode: '19103',
      completedAt: new Date().toISOString(),
      cutShort: false,
      rejects: {},
      duplicates: 0,
      listings: [sampleListing('19103', 1)],
    });
    await run(daemonFor(new FileListingSource({ path: await writeFeed(1) }), { store }));
    expect((await store.loadEpoch('2025-10-01T12-00-00'))?.state.finalStatus).toMatchObject({ status: 'COMPLETED' });
    const earlierStatuses = double.statuses.filter((status) => status.epochId === '2025-10-01T12-00-00');
    expect(earlierStatuses.at(-1)).toMatchObject({ status: 'COMPLETED', listingsScraped: 1, s3UploadComplete: true });
    expect(double.writes.filter((write) => write.key.includes('epoch=2025-10-01T12-00-00'))).toHaveLength(2);
  });
});

import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MinerSubmission, minerEpochUploadCaps, parseValidationResultsFile } from '@resi/core';
import { FileListingSource } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpObjectFetcher, LocalObjectFetcher } from '../download/object-fetcher.js';
import {
  defaultMinerTimeLimitMs,
  MINER_TIME_LIMIT_BASE_MS,
  PLANNED_STORAGE_BYTES_PER_SECOND,
} from '../download/miner-time-limit.js';
import {
  CRAFTED_ZIPCODES,
  at,
  buildMarket,
  epochResponse,
  fabricatedListings,
  honestListings,
  hotkeyOf,
  submissionsResponse,
  writeMarketFeed,
  writeUpload,
} from '../testing/synthetic-epoch.test-utils.js';
import { ZipcodeFeedAuditSources } from '../verification/verification-source.js';
import { type EpochScoringOutcome, scoreEpochSubmissions } from './score-epoch.js';

const VALIDATOR = hotkeyOf('validator');
const SKIPPED = ['check_skipped_nonce_binding', 'check_skipped_declared_files', 'check_skipped_declared_rows'];
const codesOf = (result: { reasons: { code: string }[] }) => result.reasons.map((reason) => reason.code);

/**
 * Uploads whose metadata.json is the seed's (no epoch_nonce, no per-file list), as the deployed
 * Python miners write it, next to this protocol's, in one epoch: a seed-format upload is scored
 * with the checks its format allows and says which it skipped, and pretending to be one gains a
 * miner nothing (no early credit, no escape from the audit, the upload declaration still binds).
 */
describe('scoreEpochSubmissions: seed-format uploads', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-seed-format-'));
    const market = buildMarket(CRAFTED_ZIPCODES);
    const bucket = join(root, 'bucket');
    const upload = (spec: Parameters<typeof writeUpload>[1]) => writeUpload(bucket, spec);
    const everything = honestListings(market, at('16:20:00'));
    const declaredElsewhere = await upload({
      label: 'seed-declared',
      listings: honestListings(market, at('16:40:00')),
      uploadedAt: at('19:50:00'),
      seedFormat: true,
      uid: 7,
    });
    const submissions: MinerSubmission[] = [
      // An honest Python miner of two zipcodes, first to upload them.
      await upload({
        label: 'seed',
        listings: honestListings(market, at('16:10:00'), { zipcodes: ['62701', '62702'] }),
        uploadedAt: at('18:00:00'),
        seedFormat: true,
        uid: 1,
      }),
      await upload({ label: 'modern', listings: everything, uploadedAt: at('19:00:00'), uid: 2 }),
      // Everything stored before the epoch began, the scrape instants (written freely) set inside
      // it: with no nonce to prove otherwise, not this epoch's work, so it cannot take the credit
      // of the listings from the miners above by being the earliest upload.
      await upload({
        label: 'seed-early',
        listings: honestListings(market, at('16:05:00')),
        uploadedAt: at('15:30:00'),
        seedFormat: true,
        uid: 3,
      }),
      await upload({
        label: 'seed-copier',
        listings: everything,
        uploadedAt: at('19:45:00'),
        seedFormat: true,
        uid: 4,
      }),
      await upload({
        label: 'seed-fabricator',
        listings: [...honestListings(market, at('16:30:00')), ...fabricatedListings('62703', 60, at('17:00:00'))],
        uploadedAt: at('18:30:00'),
        seedFormat: true,
        uid: 5,
      }),
      await upload({
        label: 'seed-other-epoch',
        listings: everything,
        uploadedAt: at('18:40:00'),
        seedFormat: true,
        metadataEpochId: '2025-10-01T12-00-00',
        uid: 6,
      }),
      // Declared through the per-file route with other content: the declaration still binds.
      {
        ...declaredElsewhere,
        manifest: [
          { name: 'listings.parquet', bytes: declaredElsewhere.objects[0]!.size, sha256: 'f'.repeat(64) },
          { name: 'metadata.json', bytes: declaredElsewhere.objects[1]!.size, sha256: 'e'.repeat(64) },
        ],
      },
    ];
    const marketPath = join(root, 'market.json');
    await writeMarketFeed(marketPath, market);
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(bucket),
        verification: new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath })),
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('scores an honest seed-format upload and names each check it skipped, with what held instead', () => {
    expect(parseValidationResultsFile(outcome.text).results_sha256).toBe(outcome.file.results_sha256);
    const seed = result('seed');
    expect(seed.outcome).toBe('scored');
    expect(seed.score.total_score).toBeGreaterThan(0.5);
    expect(seed.audit).toMatchObject({ rows: 100, verified: 100, fabricated: 0 });
    expect(seed.listings).toMatchObject({ rows: 100, valid_rows: 100, credited_rows: 100 });
    expect(seed.weight).toBeGreaterThan(0);
    expect(codesOf(seed)).toEqual(expect.arrayContaining(SKIPPED));
    expect(seed.reasons.find((reason) => reason.code === 'check_skipped_nonce_binding')!.message).toContain(
      'recorded at or after the epoch start',
    );
    // This protocol's uploads skip nothing.
    expect(codesOf(result('modern')).filter((code) => code.startsWith('check_skipped'))).toEqual([]);
  });

  it('credits listings by storage time whatever the format: the later modern upload gets only what was new', () => {
    expect(result('modern')).toMatchObject({ outcome: 'scored', listings: { credited_rows: 100, overlap_rows: 100 } });
    expect(result('seed-copier')).toMatchObject({ outcome: 'scored', weight: 0, listings: { credited_rows: 0 } });
  });

  it('does not score files stored before the epoch began, so they take no credit from anyone', () => {
    const early = result('seed-early');
    expect(early).toMatchObject({ outcome: 'rejected', weight: 0, listings: null });
    expect(codesOf(early)).toEqual(expect.arrayContaining(['missing_file', 'files_stored_before_epoch']));
    expect(early.reasons[0]!.message).toContain('stored before the epoch started');
  });

  it('audits a seed-format upload like any other: invented listings are fabrication', () => {
    expect(result('seed-fabricator')).toMatchObject({ outcome: 'fabricated', weight: 0 });
    expect(codesOf(result('seed-fabricator'))[0]).toBe('fabricated_listings');
  });

  it("refuses a seed-format metadata.json naming another epoch, and files that differ from the miner's declaration", () => {
    expect(result('seed-other-epoch')).toMatchObject({
      outcome: 'rejected',
      reasons: expect.arrayContaining([expect.objectContaining({ code: 'metadata_mismatch' })]) as unknown,
    });
    // A file that is not the one its SHA-256 declared is treated as swapped: fabrication.
    expect(result('seed-declared')).toMatchObject({
      outcome: 'fabricated',
      reasons: expect.arrayContaining([expect.objectContaining({ code: 'sha256_mismatch' })]) as unknown,
    });
  });
});

/** Serves `<root>/<key>`, `bytesPerSecond` slow for keys containing `slowPart`. */
async function startStorageServer(
  root: string,
  slowPart: string,
  bytesPerSecond: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const key = decodeURIComponent(new URL(request.url ?? '/', 'http://storage').pathname.slice(1));
    const path = join(root, key);
    stat(path).then(
      async (info) => {
        response.writeHead(200, { 'content-length': info.size });
        if (!key.includes(slowPart)) {
          createReadStream(path).pipe(response);
          return;
        }
        const chunk = Math.max(1, Math.floor(bytesPerSecond / 10));
        for await (const piece of createReadStream(path, { highWaterMark: chunk })) {
          if (response.destroyed) return;
          response.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        response.end();
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('scoreEpochSubmissions: the per-miner time limit', () => {
  let root: string;
  let storage: { server: Server; url: string };
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-time-limit-'));
    const market = buildMarket(CRAFTED_ZIPCODES);
    const bucket = join(root, 'bucket');
    const slow = hotkeyOf('slow-storage');
    // 100 bytes a second for the slow miner's objects: its ~20 KB file would need minutes, the
    // limit is 3 s, ample for the other miner's download even on a busy machine.
    storage = await startStorageServer(bucket, slow, 100);
    const submissions: MinerSubmission[] = [];
    for (const [label, uid] of [
      ['fast', 1],
      ['slow-storage', 2],
    ] as const) {
      const submission = await writeUpload(bucket, {
        label,
        listings: honestListings(market, at('16:10:00')),
        uploadedAt: at(label === 'fast' ? '18:00:00' : '17:00:00'),
        uid,
      });
      submissions.push({
        ...submission,
        objects: submission.objects.map((object) => ({ ...object, url: `${storage.url}/${object.key}` })),
      });
    }
    const marketPath = join(root, 'market.json');
    await writeMarketFeed(marketPath, market);
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
        credibility: {
          lastEpochId: '2025-10-01T12-00-00',
          miners: { [slow]: { ema: 0.4, uid: 2, penaltyEpochsLeft: 0, lastEpochId: '2025-10-01T12-00-00' } },
        },
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new HttpObjectFetcher(),
        verification: new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath })),
        minerTimeLimitMs: 3000,
        duckdb: { threads: 2 },
      },
    );
  }, 30_000);

  afterAll(async () => {
    storage?.server.closeAllConnections();
    await new Promise((resolve) => storage?.server.close(resolve));
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('gives a miner whose download outruns the limit no verdict, keeps its credibility, and scores the others', () => {
    expect(result('slow-storage')).toMatchObject({
      outcome: 'abstained',
      weight: 0,
      listings: null,
      credibility: { before: 0.4, after: 0.4 },
      reasons: [{ code: 'time_limit_exceeded' }],
    });
    expect(result('slow-storage').reasons[0]!.message).toContain('limit of 3 s per miner');
    // Its earlier upload is not credited, so the fast miner is credited every listing.
    expect(result('fast')).toMatchObject({ outcome: 'scored', listings: { credited_rows: 200 } });
    expect(outcome.file.summary.abstained_miners).toBe(1);
  });

  it('derives the default from the epoch caps, so a full-cap upload fits at the planned storage rate', () => {
    const caps = minerEpochUploadCaps(10_000);
    const limit = defaultMinerTimeLimitMs(caps);
    expect(limit).toBe(129_000);
    const fullCapMs = (caps.maxBytes / PLANNED_STORAGE_BYTES_PER_SECOND) * 1000;
    expect(fullCapMs).toBeLessThanOrEqual(limit - MINER_TIME_LIMIT_BASE_MS);
    // A typical honest upload (300 bytes a listing, the target) needs a few seconds of it.
    expect((10_000 * 300 * 1000) / PLANNED_STORAGE_BYTES_PER_SECOND).toBeLessThan(limit / 40);
  });
});

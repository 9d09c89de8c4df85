import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredObject } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingObjectError, type ObjectFetcher, TransientFetchError } from './object-fetcher.js';
import { DownloadFailure, type DownloadLimits, DownloadRefusal, downloadVerified } from './verified-download.js';

const CONTENT = Buffer.from('PAR1 pretend parquet bytes PAR1');
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');
const LIMITS: DownloadLimits = { maxFileBytes: 1024, attempts: 3, timeoutMs: 5_000 };

function object(size = CONTENT.length): StoredObject {
  return {
    key: 'data/hotkey=x/epoch=y/listings.parquet',
    size,
    etag: '"x"',
    lastModified: '2025-10-01T19:00:00.000Z',
    url: 'https://storage.invalid/x',
  };
}

/** Serves `chunks` and counts how many times it was opened and how many bytes it handed out. */
class CountingFetcher implements ObjectFetcher {
  opened = 0;
  served = 0;
  constructor(
    private readonly chunks: () => Uint8Array[],
    private readonly failFirst = 0,
  ) {}
  open(): Promise<AsyncIterable<Uint8Array>> {
    this.opened += 1;
    if (this.opened <= this.failFirst) return Promise.reject(new TransientFetchError('connection reset'));
    return Promise.resolve(this.stream(this.chunks()));
  }
  private async *stream(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
    for (const chunk of chunks) {
      this.served += chunk.byteLength;
      await Promise.resolve();
      yield chunk;
    }
  }
}

describe('downloadVerified', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'resi-download-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const refusalOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DownloadRefusal);
    return error as DownloadRefusal;
  };

  it('stores the file under its name once size and SHA-256 match, and leaves no partial file', async () => {
    const path = join(directory, 'ok', 'listings.parquet');
    const fetcher = new CountingFetcher(() => [CONTENT.subarray(0, 10), CONTENT.subarray(10)]);
    expect(await downloadVerified(fetcher, object(), { bytes: CONTENT.length, sha256: SHA256 }, path, LIMITS)).toBe(
      SHA256,
    );
    expect((await readFile(path)).equals(CONTENT)).toBe(true);
    expect(await readdir(join(directory, 'ok'))).toEqual(['listings.parquet']);
  });

  it('refuses an oversize file from its declared size without opening it', async () => {
    const fetcher = new CountingFetcher(() => [CONTENT]);
    const refusal = await refusalOf(
      downloadVerified(fetcher, object(5_000), { bytes: 5_000 }, join(directory, 'big.parquet'), LIMITS),
    );
    expect(refusal.code).toBe('file_too_large');
    expect(fetcher.opened).toBe(0);
  });

  it('refuses a stored size that differs from the declaration without opening it', async () => {
    const fetcher = new CountingFetcher(() => [CONTENT]);
    const refusal = await refusalOf(downloadVerified(fetcher, object(40), { bytes: 39 }, join(directory, 'x'), LIMITS));
    expect(refusal.code).toBe('size_mismatch');
    expect(fetcher.opened).toBe(0);
  });

  it('stops reading as soon as the stream grows past the declared size', async () => {
    const chunk = new Uint8Array(100);
    const fetcher = new CountingFetcher(() => Array.from({ length: 1_000 }, () => chunk));
    const refusal = await refusalOf(
      downloadVerified(fetcher, object(150), { bytes: 150 }, join(directory, 'grows.parquet'), LIMITS),
    );
    expect(refusal.code).toBe('size_mismatch');
    expect(fetcher.served).toBeLessThanOrEqual(200);
    expect(await readdir(directory)).not.toContain('grows.parquet');
  });

  it('refuses different bytes of the right size', async () => {
    const other = Buffer.from(CONTENT);
    other[5] = 0x21;
    const fetcher = new CountingFetcher(() => [other]);
    const refusal = await refusalOf(
      downloadVerified(fetcher, object(), { bytes: CONTENT.length, sha256: SHA256 }, join(directory, 'swap'), LIMITS),
    );
    expect(refusal.code).toBe('sha256_mismatch');
  });

  it("retries failures on the way, then gives up as the validator's fault, not a refusal", async () => {
    const flaky = new CountingFetcher(() => [CONTENT], 2);
    await downloadVerified(
      flaky,
      object(),
      { bytes: CONTENT.length, sha256: SHA256 },
      join(directory, 'flaky'),
      LIMITS,
    );
    expect(flaky.opened).toBe(3);
    const down = new CountingFetcher(() => [CONTENT], 99);
    const failure = await downloadVerified(
      down,
      object(),
      { bytes: CONTENT.length },
      join(directory, 'down'),
      LIMITS,
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(failure).toBeInstanceOf(DownloadFailure);
    expect((failure as Error).message).toContain('connection reset');
    expect(down.opened).toBe(3);
  });

  it("refuses a declared object storage does not have as the miner's missing file", async () => {
    const missing: ObjectFetcher = { open: () => Promise.reject(new MissingObjectError('HTTP 404')) };
    const refusal = await refusalOf(
      downloadVerified(missing, object(), { bytes: CONTENT.length }, join(directory, 'missing'), LIMITS),
    );
    expect(refusal.code).toBe('missing_file');
  });
});

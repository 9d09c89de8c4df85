import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredObject } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpObjectFetcher,
  LocalObjectFetcher,
  MissingObjectError,
  type ObjectFetcher,
  TransientFetchError,
} from './object-fetcher.js';
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
    expect(refusal.code).toBe('modified_after_grace');
    expect(refusal.message).toBe(
      'listings.parquet changed after the grace end: listed with 150 bytes, storage now serves more',
    );
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

  it('refuses a listed object storage no longer has as removed after the grace end', async () => {
    const missing: ObjectFetcher = { open: () => Promise.reject(new MissingObjectError('HTTP 404')) };
    const refusal = await refusalOf(
      downloadVerified(missing, object(), { bytes: CONTENT.length }, join(directory, 'missing'), LIMITS),
    );
    expect(refusal.code).toBe('modified_after_grace');
    expect(refusal.message).toBe(
      'listings.parquet is listed for the epoch but storage no longer has it: removed after the grace end',
    );
  });
});

describe('downloadVerified: storage must still hold the object listed at the grace end', () => {
  const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
  const CHANGED = Buffer.from(CONTENT).fill(0x21, 5, 6);
  const LONGER = Buffer.concat([CONTENT, Buffer.from('and a few more rows')]);
  const HTTP_LIMITS: DownloadLimits = { maxFileBytes: 1024, attempts: 3, timeoutMs: 300 };
  let directory: string;
  let server: Server;
  let base: string;
  const requests = new Map<string, number>();

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'resi-listed-'));
    server = createServer((request, response) => {
      const path = request.url ?? '/';
      requests.set(path, (requests.get(path) ?? 0) + 1);
      const serve = (body: Buffer, etag: string | null, lastModified?: string) => {
        response.writeHead(200, {
          'content-length': body.length,
          ...(etag === null ? {} : { etag }),
          ...(lastModified === undefined ? {} : { 'last-modified': lastModified }),
        });
        response.end(body);
      };
      // The listed object was stored at 2025-10-01T19:00:00.000Z; HTTP dates are whole seconds.
      if (path === '/same') return serve(CONTENT, `"${md5(CONTENT)}"`, 'Wed, 01 Oct 2025 19:00:00 GMT');
      // An MD5 twin: other bytes under the listed ETag, as two files made to collide would be.
      if (path === '/twin-rewritten') return serve(CHANGED, `"${md5(CONTENT)}"`, 'Wed, 01 Oct 2025 19:00:01 GMT');
      if (path === '/twin-undated') return serve(CHANGED, `"${md5(CONTENT)}"`);
      if (path === '/rewritten') return serve(CONTENT, `"${md5(CONTENT)}"`, 'Thu, 02 Oct 2025 08:15:00 GMT');
      if (path === '/weak') return serve(CONTENT, `W/"${md5(CONTENT).toUpperCase()}"`);
      if (path === '/no-etag') return serve(CONTENT, null);
      if (path === '/changed') return serve(CHANGED, `"${md5(CHANGED)}"`);
      if (path === '/longer') return serve(LONGER, `"${md5(LONGER)}"`);
      if (path === '/gone') {
        response.writeHead(404, { 'content-type': 'application/xml' });
        return response.end('<Error><Code>NoSuchKey</Code></Error>');
      }
      if (path === '/expired') return response.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
      if (path === '/broken') return response.writeHead(500).end();
      // '/silent': never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  const listed = (path: string): StoredObject => ({ ...object(), etag: `"${md5(CONTENT)}"`, url: `${base}${path}` });
  const download = (path: string) =>
    downloadVerified(
      new HttpObjectFetcher(),
      listed(path),
      { bytes: CONTENT.length, sha256: SHA256 },
      join(directory, path.slice(1)),
      HTTP_LIMITS,
    );
  const outcomeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: unknown) => (error instanceof DownloadRefusal ? error : (error as Error)),
    );

  it('accepts the same bytes, ETag compared without quotes, weak prefix or case; without an ETag the size and digest decide', async () => {
    expect(await download('/same')).toBe(SHA256);
    expect(await download('/weak')).toBe(SHA256);
    expect(await download('/no-etag')).toBe(SHA256);
  });

  it('refuses changed bytes of the same size as modified after the grace end, naming listed and found ETags, without retrying', async () => {
    const refusal = await outcomeOf(download('/changed'));
    expect(refusal).toBeInstanceOf(DownloadRefusal);
    expect(refusal).toMatchObject({
      code: 'modified_after_grace',
      message: `listings.parquet changed after the grace end: listed with ETag ${md5(CONTENT)} and ${CONTENT.length} bytes, storage now holds ETag ${md5(CHANGED)} and ${CHANGED.length} bytes`,
    });
    expect(requests.get('/changed')).toBe(1);
  });

  it('refuses an object storage wrote again after the listing, even under the listed ETag and size', async () => {
    // Uploads in the seed format declare no SHA-256, so an MD5 twin passes ETag, size and digest:
    const undeclared = (path: string) =>
      outcomeOf(
        downloadVerified(
          new HttpObjectFetcher(),
          listed(path),
          { bytes: CONTENT.length },
          join(directory, `undeclared${path.replace('/', '-')}`),
          HTTP_LIMITS,
        ),
      );
    expect(await undeclared('/twin-undated')).toBe('accepted');
    // but storage stamps the rewrite with a later Last-Modified, which the miner cannot set.
    expect(await undeclared('/twin-rewritten')).toMatchObject({
      code: 'modified_after_grace',
      message:
        'listings.parquet was written again after the grace end: listed as stored at 2025-10-01T19:00:00.000Z, storage now says 2025-10-01T19:00:01.000Z',
    });
    // The same bytes written again are refused too: what they replaced is not known.
    expect(await outcomeOf(download('/rewritten'))).toMatchObject({ code: 'modified_after_grace' });
    expect(requests.get('/rewritten')).toBe(1);
  });

  it('refuses a longer file as modified after the grace end', async () => {
    const refusal = await outcomeOf(download('/longer'));
    expect(refusal).toMatchObject({ code: 'modified_after_grace' });
    expect((refusal as Error).message).toContain(
      `${CONTENT.length} bytes, storage now holds ETag ${md5(LONGER)} and ${LONGER.length} bytes`,
    );
  });

  it('refuses a listed object answered 404 as removed after the grace end', async () => {
    const refusal = await outcomeOf(download('/gone'));
    expect(refusal).toMatchObject({
      code: 'modified_after_grace',
      message: 'listings.parquet is listed for the epoch but storage no longer has it: removed after the grace end',
    });
  });

  it("gives no verdict for a 500, a 403 (an expired URL) or a timeout, after retrying: the validator's fault", async () => {
    for (const path of ['/broken', '/expired', '/silent']) {
      const failure = await outcomeOf(download(path));
      expect(failure, path).toBeInstanceOf(DownloadFailure);
      expect(requests.get(path), path).toBe(3);
    }
  });

  it('checks a local mirror the same way: an overwritten file is refused, the listed one accepted', async () => {
    const root = join(directory, 'bucket');
    const key = object().key;
    await mkdir(join(root, key, '..'), { recursive: true });
    await writeFile(join(root, key), CONTENT);
    const local = new LocalObjectFetcher(root);
    const expected = { bytes: CONTENT.length, sha256: SHA256 };
    const entry = listed('/unused');
    expect(await downloadVerified(local, entry, expected, join(directory, 'local-ok'), LIMITS)).toBe(SHA256);
    await writeFile(join(root, key), CHANGED);
    const refusal = await outcomeOf(downloadVerified(local, entry, expected, join(directory, 'local-changed'), LIMITS));
    expect(refusal).toMatchObject({ code: 'modified_after_grace' });
    await rm(join(root, key));
    const removed = await outcomeOf(downloadVerified(local, entry, expected, join(directory, 'local-gone'), LIMITS));
    expect(removed).toMatchObject({ code: 'modified_after_grace' });
  });
});

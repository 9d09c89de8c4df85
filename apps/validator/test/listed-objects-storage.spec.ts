import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredObject } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, type EmbeddedS3, startEmbeddedS3 } from '../../api/src/repositories/embedded-s3.js';
import { S3StorageRepository } from '../../api/src/repositories/storage.repository.js';
import { HttpObjectFetcher, normaliseEtag } from '../src/download/object-fetcher.js';
import { DownloadRefusal, downloadVerified } from '../src/download/verified-download.js';

/**
 * The check that an upload is final at the grace end, against the storage the API runs locally
 * (embedded s3rver, as in devnet): objects uploaded through a presigned POST as miners do, listed
 * as the API lists them, downloaded through presigned GET URLs. A GET answers the listed ETag, so
 * the same bytes pass; an overwrite or a missing key is `modified_after_grace`.
 */
describe('listed objects against the embedded storage', () => {
  const KEY = 'data/hotkey=5Tamper/epoch=2025-10-01T16-00-00/listings.parquet';
  const LISTED = Buffer.from('PAR1 the rows stored by the grace end PAR1');
  const LIMITS = { maxFileBytes: 1024, attempts: 2, timeoutMs: 5_000 };
  let directory: string;
  let s3: EmbeddedS3;
  let storage: S3StorageRepository;

  const upload = async (bytes: Buffer) => {
    const grant = await storage.presignPost({
      target: { key: KEY },
      minBytes: 1,
      maxBytes: 1024,
      expiresInSeconds: 60,
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
    form.append('file', new Blob([bytes]));
    const response = await fetch(grant.url, { method: 'POST', body: form });
    expect(response.ok).toBe(true);
  };
  const listed = async (): Promise<StoredObject> => {
    const [info] = await storage.listObjects(KEY);
    return {
      key: info!.key,
      size: info!.size,
      etag: info!.etag,
      lastModified: info!.lastModified.toISOString(),
      url: await storage.presignGet(info!.key, 60),
    };
  };
  const download = (object: StoredObject, name: string) =>
    downloadVerified(
      new HttpObjectFetcher(),
      object,
      { bytes: LISTED.length, sha256: createHash('sha256').update(LISTED).digest('hex') },
      join(directory, 'downloads', name),
      LIMITS,
    ).then(
      () => 'accepted',
      (error: unknown) => error as Error,
    );

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'resi-listed-s3-'));
    s3 = await startEmbeddedS3({ directory: join(directory, 's3'), bucket: 'resi-data' });
    storage = new S3StorageRepository({
      backend: 's3rver',
      endpoint: s3.endpoint,
      bucket: 'resi-data',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: EMBEDDED_S3_CREDENTIALS,
    });
    await upload(LISTED);
  });
  afterAll(async () => {
    await storage.close();
    await s3.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers a GET with the ETag and size it lists, so the same bytes are accepted', async () => {
    const object = await listed();
    const response = await fetch(object.url);
    expect(response.headers.get('etag')).not.toBeNull();
    expect(normaliseEtag(response.headers.get('etag')!)).toBe(normaliseEtag(object.etag));
    expect(Number(response.headers.get('content-length'))).toBe(object.size);
    await response.body?.cancel();
    expect(await download(object, 'same')).toBe('accepted');
  });

  it('refuses the same bytes written again after the listing: storage dates the rewrite, the miner cannot', async () => {
    const atGraceEnd = await listed();
    // Last-Modified has whole seconds: write again in a later second than the one listed.
    const listedSecond = Math.floor(Date.parse(atGraceEnd.lastModified) / 1000);
    while (Math.floor(Date.now() / 1000) <= listedSecond) await new Promise((resolve) => setTimeout(resolve, 50));
    await upload(LISTED);
    const again = await listed();
    expect(normaliseEtag(again.etag)).toBe(normaliseEtag(atGraceEnd.etag));
    expect(again.size).toBe(atGraceEnd.size);
    const rewritten = await download(atGraceEnd, 'rewritten');
    expect(rewritten).toBeInstanceOf(DownloadRefusal);
    expect(rewritten).toMatchObject({ code: 'modified_after_grace' });
    expect((rewritten as Error).message).toContain('was written again after the grace end');
    // The listing taken after the rewrite names it, and its bytes are accepted.
    expect(await download(again, 'again')).toBe('accepted');
  });

  it('reads the bytes stored under a Content-Encoding the uploader set, rather than failing to decode them', async () => {
    // A presigned PUT signs the length and the SHA-256, not Content-Encoding: storage keeps the
    // header the miner sends and serves it back. Decoding a body that is not gzip fails on every
    // attempt, which would give the miner no verdict (credibility kept) whatever its rows were.
    const key = KEY.replace('listings.parquet', 'listings-0003.parquet');
    const grant = await storage.presignPut({
      key,
      bytes: LISTED.length,
      sha256Hex: createHash('sha256').update(LISTED).digest('hex'),
      expiresInSeconds: 60,
    });
    const put = await fetch(grant.url, {
      method: 'PUT',
      headers: { ...grant.headers, 'content-encoding': 'gzip' },
      body: LISTED,
    });
    expect(put.ok).toBe(true);
    const [info] = await storage.listObjects(key);
    const object: StoredObject = {
      key,
      size: info!.size,
      etag: info!.etag,
      lastModified: info!.lastModified.toISOString(),
      url: await storage.presignGet(key, 60),
    };
    expect(await fetch(object.url).then((response) => response.headers.get('content-encoding'))).toBe('gzip');
    expect(await download(object, 'encoded')).toBe('accepted');
  });

  it('refuses an object overwritten after the listing, and one storage no longer has, as modified after the grace end', async () => {
    const atGraceEnd = await listed();
    // Same size, other bytes: only the ETag tells them apart.
    await upload(Buffer.from(LISTED).fill(0x21, 5, 8));
    const changed = await download(atGraceEnd, 'changed');
    expect(changed).toBeInstanceOf(DownloadRefusal);
    expect(changed).toMatchObject({ code: 'modified_after_grace' });
    expect((changed as Error).message).toContain(`listed with ETag ${normaliseEtag(atGraceEnd.etag)}`);

    const removedKey = KEY.replace('listings.parquet', 'listings-0002.parquet');
    const removed = await download(
      { ...atGraceEnd, key: removedKey, url: await storage.presignGet(removedKey, 60) },
      'gone',
    );
    expect(removed).toMatchObject({
      code: 'modified_after_grace',
      message:
        'listings-0002.parquet is listed for the epoch but storage no longer has it: removed after the grace end',
    });
  });
});

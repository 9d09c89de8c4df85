import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { StoredObject } from '@resi/core';

/**
 * Streams a listed object's bytes, after checking that storage still holds the object listed
 * (`checkListedObject`): a fetcher never hands out bytes of another object under the same key.
 */
export interface ObjectFetcher {
  open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/**
 * A download failed for a reason on the way, not in the miner's upload (network, 5xx, throttling,
 * an expired or refused presigned URL): retried, and after the last attempt no verdict, never the
 * miner's penalty.
 */
export class TransientFetchError extends Error {
  override readonly name = 'TransientFetchError';
}

/**
 * Storage says a listed object does not exist (404, NoSuchKey): the miner removed it after the
 * listing, which is taken at or after the grace end.
 */
export class MissingObjectError extends Error {
  override readonly name = 'MissingObjectError';
}

/**
 * Storage answers for a listed key with another object than the one listed (its ETag or size
 * differ): the miner overwrote it after the listing, which is taken at or after the grace end.
 */
export class ModifiedObjectError extends Error {
  override readonly name = 'ModifiedObjectError';
}

/** An ETag as comparable text: no weak prefix (`W/`), no quotes, lowercase. */
export function normaliseEtag(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//i, '')
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
}

/** What storage answered for an object; null where it did not say. */
export interface FoundObject {
  readonly etag: string | null;
  readonly size: number | null;
  /** When storage last wrote the object, in epoch milliseconds (HTTP `Last-Modified`: whole seconds). */
  readonly lastModifiedMs?: number | null;
}

/** Whole seconds: HTTP dates carry no finer time, listings may. */
const toSecond = (ms: number) => Math.floor(ms / 1000);

/**
 * Throws {@link ModifiedObjectError} when what storage answered is not the object listed: its
 * ETag (normalised, see {@link normaliseEtag}) or its size differ, or storage wrote it again in a
 * later second than the one listed. The last binds uploads whose metadata declares no SHA-256
 * (the seed format): their ETag is an MD5, and two files made to share one would pass the other
 * checks, but writing the second one stamps a new `Last-Modified`, which storage sets and the
 * miner cannot. A rewrite of the very same bytes is refused too: after the grace end nothing may
 * be written, and the bytes it replaced are not known. What storage did not say is not compared,
 * so a storage without ETags or dates never condemns a miner.
 */
export function checkListedObject(object: StoredObject, found: FoundObject): void {
  const etagDiffers = found.etag !== null && normaliseEtag(found.etag) !== normaliseEtag(object.etag);
  const sizeDiffers = found.size !== null && found.size !== object.size;
  const listedMs = Date.parse(object.lastModified);
  const foundMs = found.lastModifiedMs ?? null;
  const rewrittenAtMs =
    foundMs !== null && Number.isFinite(listedMs) && toSecond(foundMs) > toSecond(listedMs) ? foundMs : null;
  if (!etagDiffers && !sizeDiffers && rewrittenAtMs === null) return;
  const name = object.key.slice(object.key.lastIndexOf('/') + 1);
  if (!etagDiffers && !sizeDiffers && rewrittenAtMs !== null) {
    throw new ModifiedObjectError(
      `${name} was written again after the grace end: listed as stored at ${new Date(toSecond(listedMs) * 1000).toISOString()}, storage now says ${new Date(rewrittenAtMs).toISOString()}`,
    );
  }
  const listed = [`ETag ${normaliseEtag(object.etag)}`, `${object.size} bytes`];
  const now = [
    found.etag === null ? undefined : `ETag ${normaliseEtag(found.etag)}`,
    found.size === null ? undefined : `${found.size} bytes`,
  ].filter((part) => part !== undefined);
  throw new ModifiedObjectError(
    `${name} changed after the grace end: listed with ${listed.join(' and ')}, storage now holds ${now.join(' and ')}`,
  );
}

/** A response header as one string; null when absent. */
function headerOf(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/** The instant a response's `Last-Modified` names, or null when it names none. */
function lastModifiedOf(response: IncomingMessage): number | null {
  const header = headerOf(response, 'last-modified');
  const ms = header === null ? Number.NaN : Date.parse(header);
  return Number.isFinite(ms) ? ms : null;
}

/** The size a response declares for its body (read as sent: never decoded here). */
function declaredSize(response: IncomingMessage): number | null {
  const length = headerOf(response, 'content-length');
  return length !== null && /^\d+$/.test(length.trim()) ? Number(length) : null;
}

/** Redirects a GET follows at most (a store answering for another region, say). */
const MAX_REDIRECTS = 5;

/**
 * A GET whose body is the bytes as sent. Not `fetch`: it decodes a body by its `Content-Encoding`,
 * and that header is the uploader's to set (a presigned PUT does not sign it), so a miner could
 * store its files as "gzip" that are not, make every download fail and get no verdict.
 */
function rawGet(url: string, signal: AbortSignal, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new TransientFetchError(`${url} is not a URL`));
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null;
    if (send === null) {
      reject(new TransientFetchError(`${target.protocol} URLs are not fetched`));
      return;
    }
    const request = send(target, { method: 'GET', signal, headers: { 'accept-encoding': 'identity' } }, (response) => {
      const location = headerOf(response, 'location');
      const status = response.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && location !== null && redirects < MAX_REDIRECTS) {
        response.resume();
        resolve(rawGet(new URL(location, target).href, signal, redirects + 1));
        return;
      }
      resolve(response);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Fetches through the object's presigned GET URL (PROTOCOL.md §6), reading the stored bytes as they are. */
export class HttpObjectFetcher implements ObjectFetcher {
  async open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    let response: IncomingMessage;
    try {
      response = await rawGet(object.url, signal);
    } catch (error) {
      if (error instanceof TransientFetchError) throw error;
      throw new TransientFetchError(`GET ${object.key} failed: ${(error as Error).message}`);
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      response.destroy();
      const message = `GET ${object.key} answered HTTP ${status}`;
      if (status === 404) throw new MissingObjectError(message);
      // 403 (an expired or refused URL), 5xx, 429, ...: the validator's trouble, not the upload's.
      throw new TransientFetchError(message);
    }
    try {
      checkListedObject(object, {
        etag: headerOf(response, 'etag'),
        size: declaredSize(response),
        lastModifiedMs: lastModifiedOf(response),
      });
    } catch (error) {
      response.destroy();
      throw error;
    }
    return response;
  }
}

/** The single-part S3 ETag of a file (its MD5). */
async function fileMd5(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads objects from a local directory laid out like the bucket (`<root>/<key>`): for tests, the
 * benchmark and validators that mirror the bucket themselves. The file's size, and its MD5 where
 * the listed ETag is a single-part one, are checked against the listing as storage's would be.
 */
export class LocalObjectFetcher implements ObjectFetcher {
  constructor(private readonly root: string) {}

  async open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const path = `${this.root}/${object.key}`;
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw new MissingObjectError(`${object.key} does not exist`);
    }
    const singlePart = /^[0-9a-f]{32}$/.test(normaliseEtag(object.etag));
    checkListedObject(object, { etag: singlePart && size === object.size ? await fileMd5(path, signal) : null, size });
    return createReadStream(path, { signal });
  }
}

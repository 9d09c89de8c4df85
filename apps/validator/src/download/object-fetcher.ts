import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { StoredObject } from '@resi/core';

/** Streams a stored object's bytes. */
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

/** Storage says the object does not exist (404, NoSuchKey): the miner declared a file it did not upload. */
export class MissingObjectError extends Error {
  override readonly name = 'MissingObjectError';
}

/** Fetches through the object's presigned GET URL (PROTOCOL.md §6). */
export class HttpObjectFetcher implements ObjectFetcher {
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    let response: Response;
    try {
      response = await this.fetchImpl(object.url, { signal });
    } catch (error) {
      throw new TransientFetchError(`GET ${object.key} failed: ${(error as Error).message}`);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      const message = `GET ${object.key} answered HTTP ${response.status}`;
      if (response.status === 404) throw new MissingObjectError(message);
      // 403 (an expired or refused URL), 5xx, 429, ...: the validator's trouble, not the upload's.
      throw new TransientFetchError(message);
    }
    return response.body;
  }
}

/**
 * Reads objects from a local directory laid out like the bucket (`<root>/<key>`): for tests, the
 * benchmark and validators that mirror the bucket themselves.
 */
export class LocalObjectFetcher implements ObjectFetcher {
  constructor(private readonly root: string) {}

  async open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const path = `${this.root}/${object.key}`;
    try {
      await access(path);
    } catch {
      throw new MissingObjectError(`${object.key} does not exist`);
    }
    return createReadStream(path, { signal });
  }
}

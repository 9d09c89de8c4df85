import { createReadStream } from 'node:fs';
import type { StoredObject } from '@resi/core';

/** Streams a stored object's bytes. */
export interface ObjectFetcher {
  open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** A download failed for a reason a retry may cure (network, 5xx, throttling). */
export class TransientFetchError extends Error {
  override readonly name = 'TransientFetchError';
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
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        throw new TransientFetchError(message);
      }
      throw new Error(message);
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

  open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    return Promise.resolve(createReadStream(`${this.root}/${object.key}`, { signal }));
  }
}

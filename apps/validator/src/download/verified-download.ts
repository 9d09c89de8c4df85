import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { StoredObject } from '@resi/core';
import { MissingObjectError, ModifiedObjectError, type ObjectFetcher, TransientFetchError } from './object-fetcher.js';

/**
 * Why a downloaded object is not the file the miner declared, or no longer the one listed: the
 * miner's fault (`MinerRejectionCode`s).
 */
export class DownloadRefusal extends Error {
  override readonly name = 'DownloadRefusal';

  constructor(
    readonly code: 'file_too_large' | 'size_mismatch' | 'sha256_mismatch' | 'modified_after_grace',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A download that failed on the way after every retry (network, 5xx, timeouts, expired URLs): the
 * validator's fault, so the miner gets no verdict (`download_failed`), never a penalty.
 */
export class DownloadFailure extends Error {
  override readonly name = 'DownloadFailure';
}

/**
 * One miner's download and verification outran the validator's per-miner time limit: the
 * storage was too slow for an upload within the caps, a fault on the validator's side, so the
 * miner gets no verdict (`time_limit_exceeded`), never a penalty.
 */
export class MinerTimeLimitExceeded extends Error {
  override readonly name = 'MinerTimeLimitExceeded';
}

export interface DownloadLimits {
  /** Largest listings file accepted; larger ones are refused from their declared size, unread. */
  readonly maxFileBytes: number;
  /** Attempts per object before giving up (network trouble only; a wrong file is not retried). */
  readonly attempts: number;
  /** Per-attempt timeout. */
  readonly timeoutMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  attempts: 3,
  timeoutMs: 120_000,
};

/** What the object must be. */
export interface ExpectedObject {
  readonly bytes: number;
  /** Lowercase hex; omitted, the digest is computed but not compared. */
  readonly sha256?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The refusal for a listed object storage no longer holds, or holds changed (ETag or size), or
 * `undefined` for any other error. The listing is taken at or after the grace end, when an upload
 * is final, so either is the miner's doing after it: `modified_after_grace`.
 */
export function listedObjectRefusal(error: unknown, name: string): DownloadRefusal | undefined {
  if (error instanceof ModifiedObjectError) return new DownloadRefusal('modified_after_grace', error.message);
  if (error instanceof MissingObjectError) {
    return new DownloadRefusal(
      'modified_after_grace',
      `${name} is listed for the epoch but storage no longer has it: removed after the grace end`,
    );
  }
  return undefined;
}

/**
 * Downloads `object` to `path` and proves it is the expected file: refused without a request when
 * the declared or stored size exceeds the limit or disagree; opened only while storage still holds
 * the listed object (its ETag and size, else `modified_after_grace`); streamed with a running
 * SHA-256 and aborted as soon as it grows past the listed size, so an oversize file is never read
 * whole; then size and digest compared. Written to a temporary name and renamed, so a crash never leaves
 * a half file under the real name. Transient failures are retried with backoff.
 * @returns the SHA-256 of the bytes.
 */
export async function downloadVerified(
  fetcher: ObjectFetcher,
  object: StoredObject,
  expected: ExpectedObject,
  path: string,
  limits: DownloadLimits = DEFAULT_DOWNLOAD_LIMITS,
  /** Aborted with a `MinerTimeLimitExceeded` when the miner's time is up: no retry after it. */
  deadline?: AbortSignal,
): Promise<string> {
  const name = object.key.slice(object.key.lastIndexOf('/') + 1);
  if (expected.bytes > limits.maxFileBytes || object.size > limits.maxFileBytes) {
    throw new DownloadRefusal(
      'file_too_large',
      `${name} is ${Math.max(expected.bytes, object.size)} bytes; validators read at most ${limits.maxFileBytes}`,
    );
  }
  if (object.size !== expected.bytes) {
    throw new DownloadRefusal(
      'size_mismatch',
      `${name}: metadata.json declares ${expected.bytes} bytes, storage holds ${object.size}`,
    );
  }
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  for (let attempt = 1; ; attempt++) {
    try {
      if (deadline?.aborted) throw deadline.reason as Error;
      const sha256 = await streamToFile(fetcher, object, object.size, partial, limits.timeoutMs, name, deadline);
      if (expected.sha256 !== undefined && sha256 !== expected.sha256) {
        throw new DownloadRefusal(
          'sha256_mismatch',
          `${name}: SHA-256 is ${sha256}, metadata.json declares ${expected.sha256}`,
        );
      }
      await rename(partial, path);
      return sha256;
    } catch (error) {
      await rm(partial, { force: true });
      if (deadline?.aborted) throw deadline.reason as Error;
      if (error instanceof DownloadRefusal) throw error;
      const changed = listedObjectRefusal(error, name);
      if (changed) throw changed;
      if (attempt >= limits.attempts) {
        throw new DownloadFailure(`${name} could not be downloaded: ${(error as Error).message}`);
      }
      await sleep(250 * 2 ** (attempt - 1));
    }
  }
}

async function streamToFile(
  fetcher: ObjectFetcher,
  object: StoredObject,
  limit: number,
  path: string,
  timeoutMs: number,
  name: string,
  deadline: AbortSignal | undefined,
): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TransientFetchError(`${name}: no complete answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onDeadline = () => controller.abort(deadline?.reason);
  deadline?.addEventListener('abort', onDeadline, { once: true });
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  let writeError: Error | undefined;
  out.on('error', (error) => (writeError ??= error));
  let received = 0;
  try {
    const body = await fetcher.open(object, controller.signal);
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > limit) {
        controller.abort();
        throw new ModifiedObjectError(
          `${name} changed after the grace end: listed with ${limit} bytes, storage now serves more`,
        );
      }
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (writeError) throw writeError;
    if (received !== limit) {
      throw new ModifiedObjectError(
        `${name} changed after the grace end: listed with ${limit} bytes, storage now serves ${received}`,
      );
    }
    return hash.digest('hex');
  } catch (error) {
    if (
      controller.signal.aborted &&
      (controller.signal.reason instanceof TransientFetchError ||
        controller.signal.reason instanceof MinerTimeLimitExceeded)
    )
      throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    deadline?.removeEventListener('abort', onDeadline);
    out.end();
    await once(out, 'close');
  }
}

/**
 * Retry timing shared by the API client and the listing sources: exponential backoff with full
 * jitter (a random delay between 0 and the exponential cap), so many miners that fail at the same
 * moment do not retry in lockstep, and `Retry-After` parsing for 429/503 answers.
 */

/** How retries are spaced. */
export interface BackoffPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  /** Cap of the first retry's delay; doubles per retry. */
  readonly baseDelayMs: number;
  /** No single delay exceeds this. */
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 });

/**
 * Delay before retry number `retry` (1 for the first retry): uniformly random in
 * `[0, min(maxDelayMs, baseDelayMs * 2^(retry-1))]` ("full jitter").
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}

/**
 * Milliseconds to wait according to a `Retry-After` header: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable; never negative.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

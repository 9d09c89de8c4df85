import { type ErrorCode, errorBodySchema } from '@resi/core';
import type { z } from 'zod';
import { retryAfterMs } from './backoff.js';

/**
 * A request to the API that did not succeed. `code` is the API's stable error code when it sent
 * one (`NONCE_MISMATCH`, `EPOCH_CLOSED`, ...), or one of the client's own: `NETWORK_ERROR`
 * (connection refused, reset, timeout) and `INVALID_RESPONSE` (a 2xx body the protocol schema
 * refuses).
 */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';

  constructor(
    readonly route: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK_ERROR' | 'INVALID_RESPONSE' | 'HTTP_ERROR',
    message: string,
    /** Whether sending the request again (re-signed) may succeed. */
    readonly retryable: boolean,
    /** For 429: when the API said to come back, epoch milliseconds. */
    readonly retryAtMs?: number,
  ) {
    super(`${route}: ${message}`);
  }
}

/** True for failures worth retrying: no response, timeouts, 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * The error a non-2xx answer stands for: the API's own code and sentence when it sent the
 * protocol error body, whether a re-signed retry may succeed, and when a 429/503 said to return.
 */
export function apiErrorOf(
  route: string,
  response: { status: number; headers: { get(name: string): string | null } },
  text: string,
): ApiRequestError {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  const errorBody = errorBodySchema.safeParse(document);
  const code = errorBody.success ? errorBody.data.code : 'HTTP_ERROR';
  const message = errorBody.success
    ? `${response.status} ${errorBody.data.code}: ${errorBody.data.message}`
    : `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const waitMs =
    response.status === 429 || response.status === 503 ? retryAfterMs(response.headers.get('retry-after')) : undefined;
  // A timestamp outside the window means our clock is off (corrected from the Date header), so a
  // freshly signed retry succeeds. A replay means the first attempt arrived: re-signing is safe.
  const retryable =
    isRetryableStatus(response.status) || code === 'TIMESTAMP_OUT_OF_WINDOW' || code === 'SIGNATURE_REPLAYED';
  return new ApiRequestError(
    route,
    response.status,
    code,
    message,
    retryable,
    waitMs === undefined ? undefined : Date.now() + waitMs,
  );
}

/** A 2xx answer's body checked against the route's protocol schema; INVALID_RESPONSE otherwise. */
export function parseApiAnswer<S extends z.ZodType>(
  route: string,
  status: number,
  text: string,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiRequestError(route, status, 'INVALID_RESPONSE', 'the answer is not JSON', false);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`)
      .join('; ');
    throw new ApiRequestError(route, status, 'INVALID_RESPONSE', `unexpected answer: ${issues}`, false);
  }
  return parsed.data;
}

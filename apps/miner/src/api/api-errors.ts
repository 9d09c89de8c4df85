import type { ErrorCode } from '@resi/core';

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

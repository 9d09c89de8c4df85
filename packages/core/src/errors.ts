/**
 * Stable error codes of the wire protocol (PROTOCOL.md §1). Clients branch on `code`, never on
 * the message, so a code, once published, never changes meaning.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  TIMESTAMP_OUT_OF_WINDOW: 401,
  SIGNATURE_INVALID: 401,
  SIGNATURE_REPLAYED: 409,
  HOTKEY_NOT_REGISTERED: 403,
  COLDKEY_MISMATCH: 403,
  NOT_A_VALIDATOR: 403,
  EPOCH_NOT_FOUND: 404,
  NOT_FOUND: 404,
  EPOCH_CLOSED: 409,
  EPOCH_NOT_OPEN: 409,
  NONCE_MISMATCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** HTTP reason phrases for the statuses we use, for the `error` field of the error body. */
export const HTTP_REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * A domain error with a stable code. Thrown by services and by core's validators; the API's one
 * exception filter turns it into `{success:false, statusCode, error, code, message}`.
 */
export class ResiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ResiError';
    this.code = code;
    this.statusCode = ERROR_CODES[code];
    this.details = details;
  }
}

export function isResiError(value: unknown): value is ResiError {
  return value instanceof ResiError;
}

import { ERROR_CODES, HTTP_REASONS, ResiError, type ErrorCode } from '@resi/core';
import { ZodError } from 'zod';

/** The one error body of the protocol (PROTOCOL.md §1). */
export interface ErrorBody {
  success: false;
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  [extra: string]: unknown;
}

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  const statusCode = ERROR_CODES[code];
  return { success: false, statusCode, error: HTTP_REASONS[statusCode] ?? 'Error', code, message, ...extra };
}

/** Describes zod issues as one sentence naming each bad field. */
export function describeZodError(error: ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : 'body';
    if (issue.code === 'unrecognized_keys') {
      return `${field}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${field}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return `Invalid request: ${parts.join('; ')}${more}.`;
}

export interface RateLimitHeaderState {
  limit: number;
  remaining: number;
  reset: number;
}

/** The X-RateLimit-* headers of PROTOCOL.md §9. */
export function rateLimitHeaders(state: RateLimitHeaderState): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': String(state.reset),
  };
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Maps anything thrown while serving a request to the protocol's error body. Unknown errors
 * become a 500 whose details stay in the log, never in the response.
 */
export function toErrorBody(error: unknown): { body: ErrorBody; headers: Record<string, string>; internal: boolean } {
  if (error instanceof ResiError) {
    const headers: Record<string, string> = {};
    const { retryAfterSeconds, rateLimit, ...extra } = error.details ?? {};
    if (typeof retryAfterSeconds === 'number') headers['Retry-After'] = String(retryAfterSeconds);
    if (rateLimit && typeof rateLimit === 'object')
      Object.assign(headers, rateLimitHeaders(rateLimit as RateLimitHeaderState));
    return { body: errorBody(error.code, error.message, extra), headers, internal: false };
  }
  if (error instanceof ZodError) {
    return { body: errorBody('VALIDATION_FAILED', describeZodError(error)), headers: {}, internal: false };
  }
  const e = (error ?? {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        body: errorBody('PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts; send less data.'),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        body: errorBody('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON with Content-Type: application/json.'),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        body: errorBody(
          'VALIDATION_FAILED',
          'The URL path is not valid here (a segment is malformed or too long); see /docs for the routes and their parameters.',
        ),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        body: errorBody('VALIDATION_FAILED', `The request body is not valid JSON: ${e.message ?? 'parse error'}.`),
        headers: {},
        internal: false,
      };
  }
  if (error instanceof SyntaxError) {
    return {
      body: errorBody('VALIDATION_FAILED', `The request body is not valid JSON: ${error.message}.`),
      headers: {},
      internal: false,
    };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return toErrorBody({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
  if (status === 415) return toErrorBody({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
  if (status === 404) {
    return { body: errorBody('NOT_FOUND', 'No such route. See /docs for the API.'), headers: {}, internal: false };
  }
  if (status >= 400 && status < 500) {
    return {
      body: errorBody('VALIDATION_FAILED', e.message ?? 'The request was not understood.'),
      headers: {},
      internal: false,
    };
  }
  return {
    body: errorBody('INTERNAL_ERROR', 'The server failed to handle this request; it has been logged.'),
    headers: {},
    internal: true,
  };
}

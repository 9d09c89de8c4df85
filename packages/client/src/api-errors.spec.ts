import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { apiErrorOf, parseApiAnswer } from './api-errors.js';

const answer = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
});

describe('apiErrorOf', () => {
  it('keeps the protocol code and sentence, and when to come back after a 429', () => {
    const body = JSON.stringify({
      success: false,
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
      message: 'slow down',
    });
    const sut = apiErrorOf('current', answer(429, { 'retry-after': '7' }), body);
    expect(sut).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryable: true });
    expect(sut.message).toContain('429 RATE_LIMITED: slow down');
    expect(sut.retryAtMs! - Date.now()).toBeGreaterThan(6_000);
  });

  it('retries a clock or replay refusal re-signed, never a nonce mismatch', () => {
    const body = (code: string, status: number) =>
      JSON.stringify({ success: false, statusCode: status, error: 'x', code, message: 'm' });
    expect(apiErrorOf('r', answer(401), body('TIMESTAMP_OUT_OF_WINDOW', 401)).retryable).toBe(true);
    expect(apiErrorOf('r', answer(409), body('SIGNATURE_REPLAYED', 409)).retryable).toBe(true);
    expect(apiErrorOf('r', answer(409), body('NONCE_MISMATCH', 409)).retryable).toBe(false);
  });

  it('describes a body that is not the protocol error', () => {
    expect(apiErrorOf('r', answer(502), '<html>bad gateway</html>')).toMatchObject({
      code: 'HTTP_ERROR',
      retryable: true,
    });
  });
});

describe('parseApiAnswer', () => {
  const schema = z.object({ success: z.literal(true), n: z.number() });
  it('returns the parsed body', () => {
    expect(parseApiAnswer('r', 200, '{"success":true,"n":3}', schema)).toEqual({ success: true, n: 3 });
  });
  it('refuses non-JSON and off-schema answers as INVALID_RESPONSE naming the field', () => {
    expect(() => parseApiAnswer('r', 200, 'nope', schema)).toThrow(/not JSON/);
    expect(() => parseApiAnswer('r', 200, '{"success":true,"n":"3"}', schema)).toThrow(/unexpected answer: n /);
  });
});

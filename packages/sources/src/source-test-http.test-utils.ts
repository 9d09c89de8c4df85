import { SourceHttpClient, type SourceHttpOptions } from './source-http.js';

/** A polite HTTP client for tests: no rate limit, fast retries. */
export function testSourceHttp(source: string, overrides: Partial<SourceHttpOptions> = {}): SourceHttpClient {
  return new SourceHttpClient({
    source,
    userAgent: 'resi-test/1.0',
    requestsPerMinute: 0,
    maxConcurrent: 4,
    timeoutMs: 2_000,
    backoff: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    env: {},
    ...overrides,
  });
}

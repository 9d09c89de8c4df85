import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent, fetch as undiciFetch } from 'undici';
import { type BackoffPolicy, backoffDelayMs, retryAfterMs, sleep } from '@resi/client';
import { SourceError } from './listing-source.js';

/** How politely a source talks to its site. */
export interface SourceHttpOptions {
  /** The source's name, for errors and metrics. */
  readonly source: string;
  readonly userAgent: string;
  /** Request starts per minute across the whole source; 0 for no limit. */
  readonly requestsPerMinute: number;
  /** Requests in flight at once. */
  readonly maxConcurrent: number;
  readonly timeoutMs: number;
  readonly backoff: BackoffPolicy;
  /** Longest `Retry-After` waited out before giving the zipcode up. */
  readonly maxRetryAfterMs?: number;
  /**
   * Proxy for every request (`http://user:pass@host:port`). Unset: `HTTPS_PROXY`/`HTTP_PROXY`
   * from the environment, honouring `NO_PROXY`.
   */
  readonly proxyUrl?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly random?: () => number;
  /** Called after every attempt, for metrics. */
  readonly onAttempt?: (observation: { source: string; status: number; durationMs: number }) => void;
}

/** A successful (2xx) answer, body read as text. */
export interface SourceResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface SourceRequestInit {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

function dispatcherFor(options: SourceHttpOptions): Dispatcher {
  if (options.proxyUrl) return new ProxyAgent({ uri: options.proxyUrl });
  const env = options.env ?? process.env;
  const fromEnv = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (fromEnv) {
    return new EnvHttpProxyAgent({
      httpProxy: env.HTTP_PROXY ?? env.http_proxy,
      httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
      noProxy: env.NO_PROXY ?? env.no_proxy,
    });
  }
  return new Agent({ keepAliveTimeout: 10_000 });
}

/**
 * HTTP for listing sources: a request-rate limit and a concurrency cap per source, a proxy when
 * configured, the operator's User-Agent, a per-attempt timeout, and retries with backoff and
 * jitter on network errors, 429 (honouring `Retry-After`) and 5xx. Other statuses fail at once
 * with a {@link SourceError} of kind `http_<status>`: a 403 means blocked, and retrying a block
 * only makes it longer.
 */
export class SourceHttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly intervalMs: number;
  private nextStartMs = 0;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: SourceHttpOptions) {
    this.dispatcher = dispatcherFor(options);
    this.intervalMs = options.requestsPerMinute > 0 ? 60_000 / options.requestsPerMinute : 0;
  }

  /** Fetches `url`, retrying what is worth retrying; resolves only with a 2xx answer. */
  async fetchText(url: string | URL, init: SourceRequestInit): Promise<SourceResponse> {
    const { backoff } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(url, init);
      if ('response' in outcome) return outcome.response;
      const { error, waitMs } = outcome;
      if (attempt >= backoff.maxAttempts) throw error;
      const delay = waitMs ?? backoffDelayMs(attempt, backoff, this.options.random);
      if (delay > (this.options.maxRetryAfterMs ?? 300_000)) throw error;
      await sleep(delay, init.signal);
    }
  }

  /** {@link fetchText}, then JSON; a body that is not JSON is a `malformed` {@link SourceError}. */
  async fetchJson(url: string | URL, init: SourceRequestInit): Promise<unknown> {
    const response = await this.fetchText(url, init);
    try {
      return JSON.parse(response.text) as unknown;
    } catch {
      throw new SourceError(this.options.source, 'malformed', `answer from ${hostOf(url)} is not JSON`);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async attempt(
    url: string | URL,
    init: SourceRequestInit,
  ): Promise<{ response: SourceResponse } | { error: SourceError; waitMs?: number }> {
    await this.acquire(init.signal);
    const started = performance.now();
    let status = 0;
    try {
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      const response = await undiciFetch(url, {
        method: init.method ?? 'GET',
        headers: { 'user-agent': this.options.userAgent, ...init.headers },
        body: init.body,
        signal: AbortSignal.any([init.signal, timeout]),
        dispatcher: this.dispatcher,
      });
      status = response.status;
      const text = await response.text();
      const headers = response.headers as unknown as Headers;
      if (response.ok) return { response: { status, headers, text } };
      const error = new SourceError(this.options.source, `http_${status}`, describeRefusal(status, url));
      if (status === 429 || status >= 500) return { error, waitMs: retryAfterMs(headers.get('retry-after')) };
      throw error;
    } catch (error) {
      if (error instanceof SourceError) throw error;
      if (init.signal.aborted) throw init.signal.reason as Error;
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      return { error: new SourceError(this.options.source, 'network', `cannot reach ${hostOf(url)}: ${reason}`) };
    } finally {
      this.options.onAttempt?.({ source: this.options.source, status, durationMs: performance.now() - started });
      this.release();
    }
  }

  /** Waits for a concurrency slot, then for the next start time the rate limit allows. */
  private async acquire(signal: AbortSignal): Promise<void> {
    if (this.inFlight >= this.options.maxConcurrent) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = this.waiting.indexOf(grant);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason as Error);
        };
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.inFlight += 1;
    }
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartMs);
    this.nextStartMs = startAt + this.intervalMs;
    try {
      if (startAt > now) await sleep(startAt - now, signal);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}

function hostOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return String(url);
  }
}

function describeRefusal(status: number, url: string | URL): string {
  const host = hostOf(url);
  if (status === 403)
    return `${host} refused the request (403): blocked; use a proxy (HTTPS_PROXY) or lower the request rate`;
  if (status === 401) return `${host} refused the credentials (401): check the API key`;
  if (status === 429) return `${host} is rate limiting (429)`;
  return `${host} answered HTTP ${status}`;
}

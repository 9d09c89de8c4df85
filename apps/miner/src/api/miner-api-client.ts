import {
  type CurrentAssignmentsResponse,
  type DeclaredFile,
  type FolderAccessResponse,
  type HealthcheckResponse,
  type MinerUploadResponse,
  type Signer,
  type StatsResponse,
  type StatusUpdateRequest,
  type StatusUpdateResponse,
  assignmentCurrentCommitment,
  currentAssignmentsResponseSchema,
  folderAccessCommitment,
  folderAccessResponseSchema,
  healthcheckResponseSchema,
  minerUploadCommitment,
  minerUploadResponseSchema,
  statsResponseSchema,
  statusCommitment,
  statusUpdateResponseSchema,
} from '@resi/core';
import type { z } from 'zod';
import {
  ApiRequestError,
  type BackoffPolicy,
  CircuitBreaker,
  type CircuitBreakerOptions,
  DEFAULT_BACKOFF,
  apiErrorOf,
  backoffDelayMs,
  parseApiAnswer,
  sleep,
} from '@resi/client';

/** The API routes the miner calls, named for logs, metrics and rate-limit bookkeeping. */
export type MinerApiRoute = 'healthcheck' | 'stats' | 'assignments' | 'status' | 'miner-upload' | 'folder-access';

/** One finished HTTP exchange, for metrics. */
export interface ApiCallObservation {
  readonly route: MinerApiRoute;
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  readonly durationMs: number;
}

export interface MinerApiClientOptions {
  /** e.g. `https://api.resilabs.ai`; no trailing path. */
  readonly baseUrl: string;
  readonly signer: Signer;
  /** The wallet's coldkey address; needed only for the legacy `/get-folder-access`. */
  readonly coldkey?: string;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly breaker?: Omit<CircuitBreakerOptions, 'now'>;
  /**
   * Longest `Retry-After` the client waits out by itself; a longer one (the daily upload limit)
   * is returned to the caller as a `RATE_LIMITED` error carrying `retryAtMs`.
   */
  readonly maxRetryAfterMs?: number;
  readonly userAgent?: string;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
  readonly onCall?: (observation: ApiCallObservation) => void;
}

/** The status update's own fields; the client adds `hotkey`, `signature` and `timestamp`. */
export type StatusUpdate = Omit<StatusUpdateRequest, 'hotkey' | 'signature' | 'timestamp'>;

interface RequestSpec<Schema extends z.ZodType> {
  readonly route: MinerApiRoute;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly schema: Schema;
  /** Builds the signed query (GET) or body (POST) for one attempt; called again for every retry. */
  readonly signed?: (timestamp: number) => Record<string, unknown>;
  readonly body?: Record<string, unknown>;
  readonly signal?: AbortSignal;
}

/** Signatures remembered to prove none is sent twice; a few hundred covers any retry burst. */
const USED_SIGNATURE_MEMORY = 512;
/** Clock differences under this are noise from the Date header's one-second resolution. */
const CLOCK_SKEW_TOLERANCE_MS = 2_000;

/**
 * The miner's side of the wire protocol (PROTOCOL.md §2-6, 9-10). Every signed request is signed
 * afresh per attempt (new timestamp, new sr25519 signature: a signature is never sent twice, so
 * the API's replay cache never refuses a retry). Retries network errors, timeouts, 408, 429 and
 * 5xx with exponential backoff and full jitter, waits out `Retry-After` and an exhausted
 * `X-RateLimit-Remaining` window before the next call on that route, and stops calling an API
 * that keeps failing (circuit breaker). Responses are parsed with the core schemas.
 */
export class MinerApiClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRetryAfterMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly random: () => number;
  private readonly breaker: CircuitBreaker;
  private readonly notBeforeMs = new Map<MinerApiRoute, number>();
  private readonly usedSignatures = new Set<string>();
  /** Server time minus local time, learnt from `Date` headers, so timestamps land in the window. */
  private clockOffsetMs = 0;

  constructor(private readonly options: MinerApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.fetchFn = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
    this.breaker = new CircuitBreaker(options.breaker ?? { failureThreshold: 5, cooldownMs: 30_000 });
  }

  /** The hotkey this client signs as. */
  get hotkey(): string {
    return this.options.signer.address;
  }

  /** Unix seconds by the server's clock as far as the client knows it. */
  serverNowSeconds(): number {
    return Math.floor((Date.now() + this.clockOffsetMs) / 1000);
  }

  /** `GET /healthcheck`. */
  health(signal?: AbortSignal): Promise<HealthcheckResponse> {
    return this.request({
      route: 'healthcheck',
      method: 'GET',
      path: '/healthcheck',
      schema: healthcheckResponseSchema,
      signal,
    });
  }

  /** `GET /api/v1/zipcode-assignments/stats`: the current epoch and its timing. */
  stats(signal?: AbortSignal): Promise<StatsResponse> {
    return this.request({
      route: 'stats',
      method: 'GET',
      path: '/api/v1/zipcode-assignments/stats',
      schema: statsResponseSchema,
      signal,
    });
  }

  /** `GET /api/v1/zipcode-assignments/current`, signed over `zipcode:assignment:current:{timestamp}`. */
  currentAssignments(signal?: AbortSignal): Promise<CurrentAssignmentsResponse> {
    return this.request({
      route: 'assignments',
      method: 'GET',
      path: '/api/v1/zipcode-assignments/current',
      schema: currentAssignmentsResponseSchema,
      signed: (timestamp) => ({ signature: this.sign(assignmentCurrentCommitment(timestamp)) }),
      signal,
    });
  }

  /**
   * `POST /api/v1/zipcode-assignments/status`, signed over `zipcode:status:{epochId}:{timestamp}`
   * (the format the deployed Python miners sign, so it works on every server generation).
   */
  updateStatus(update: StatusUpdate, signal?: AbortSignal): Promise<StatusUpdateResponse> {
    return this.request({
      route: 'status',
      method: 'POST',
      path: '/api/v1/zipcode-assignments/status',
      schema: statusUpdateResponseSchema,
      body: { ...update },
      signed: (timestamp) => ({ signature: this.sign(statusCommitment(update.epochId, timestamp)) }),
      signal,
    });
  }

  /**
   * `POST /api/v1/s3-access/miner-upload`: declares the files of an epoch (name, bytes, sha256)
   * and receives one presigned PUT per file.
   */
  requestMinerUpload(
    epochId: string,
    files: readonly DeclaredFile[],
    signal?: AbortSignal,
  ): Promise<MinerUploadResponse> {
    return this.request({
      route: 'miner-upload',
      method: 'POST',
      path: '/api/v1/s3-access/miner-upload',
      schema: minerUploadResponseSchema,
      body: { epochId, files },
      signed: (timestamp) => ({ signature: this.sign(minerUploadCommitment(this.hotkey, epochId, timestamp)) }),
      signal,
    });
  }

  /** Legacy `POST /get-folder-access`: a presigned POST for `data/hotkey={hotkey}/`. Needs the coldkey. */
  requestFolderAccess(signal?: AbortSignal): Promise<FolderAccessResponse> {
    const coldkey = this.options.coldkey;
    if (coldkey === undefined) throw new Error('the legacy folder-access upload needs the wallet coldkey address');
    return this.request({
      route: 'folder-access',
      method: 'POST',
      path: '/get-folder-access',
      schema: folderAccessResponseSchema,
      signed: (timestamp) => ({
        coldkey,
        signature: this.sign(folderAccessCommitment(coldkey, this.hotkey, timestamp)),
        expiry: timestamp + 86_400,
      }),
      signal,
    });
  }

  private sign(commitment: string): string {
    const signature = this.options.signer.sign(commitment);
    // sr25519 signatures are randomised, so a collision means a broken signer, never chance.
    if (this.usedSignatures.has(signature)) throw new Error('refusing to send a signature twice');
    this.usedSignatures.add(signature);
    if (this.usedSignatures.size > USED_SIGNATURE_MEMORY) {
      const oldest = this.usedSignatures.values().next();
      if (oldest.done !== true) this.usedSignatures.delete(oldest.value);
    }
    return signature;
  }

  private async request<Schema extends z.ZodType>(spec: RequestSpec<Schema>): Promise<z.output<Schema>> {
    let lastError: ApiRequestError | undefined;
    for (let attempt = 1; attempt <= this.backoff.maxAttempts; attempt += 1) {
      await this.waitForRateLimitWindow(spec.route, spec.signal);
      this.breaker.beforeRequest();
      try {
        return await this.attempt(spec);
      } catch (error) {
        if (!(error instanceof ApiRequestError)) throw error;
        lastError = error;
        if (!error.retryable || attempt === this.backoff.maxAttempts) throw error;
        const waitMs =
          error.retryAtMs !== undefined
            ? Math.max(0, error.retryAtMs - Date.now())
            : backoffDelayMs(attempt, this.backoff, this.random);
        if (waitMs > this.maxRetryAfterMs) throw error;
        await sleep(waitMs, spec.signal);
      }
    }
    throw lastError ?? new Error('unreachable: no attempt was made');
  }

  private async attempt<Schema extends z.ZodType>(spec: RequestSpec<Schema>): Promise<z.output<Schema>> {
    const url = new URL(this.baseUrl + spec.path);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    let body: string | undefined;
    if (spec.signed || spec.body) {
      const timestamp = this.serverNowSeconds();
      const signedFields = spec.signed ? { hotkey: this.hotkey, timestamp, ...spec.signed(timestamp) } : {};
      if (spec.method === 'GET') {
        for (const [key, value] of Object.entries(signedFields)) url.searchParams.set(key, String(value));
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ ...signedFields, ...spec.body });
      }
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const started = performance.now();
    let response: Response;
    try {
      response = await this.fetchFn(url, { method: spec.method, headers, body, signal });
    } catch (error) {
      this.observe(spec.route, 0, started);
      if (spec.signal?.aborted) throw spec.signal.reason as Error;
      const reason = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error);
      this.breaker.recordFailure(reason);
      throw new ApiRequestError(spec.route, 0, 'NETWORK_ERROR', `cannot reach ${this.baseUrl}: ${reason}`, true);
    }
    const text = await response.text().catch(() => '');
    this.observe(spec.route, response.status, started);
    this.learnClock(response.headers.get('date'), started);
    this.learnRateLimit(spec.route, response.headers);
    if (response.status >= 500) this.breaker.recordFailure(`HTTP ${response.status}`);
    else this.breaker.recordSuccess();

    if (!response.ok) throw apiErrorOf(spec.route, response, text);
    return parseApiAnswer(spec.route, response.status, text, spec.schema);
  }

  private learnClock(dateHeader: string | null, startedAt: number): void {
    if (!dateHeader) return;
    const serverMs = Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return;
    const elapsed = performance.now() - startedAt;
    // The Date header is truncated to the second: assume the middle of that second.
    const offset = serverMs + 500 - (Date.now() - elapsed / 2);
    this.clockOffsetMs = Math.abs(offset) > CLOCK_SKEW_TOLERANCE_MS ? offset : 0;
  }

  private learnRateLimit(route: MinerApiRoute, headers: Headers): void {
    const remaining = headers.get('x-ratelimit-remaining');
    const reset = headers.get('x-ratelimit-reset');
    if (remaining === null || reset === null || Number(remaining) > 0) {
      this.notBeforeMs.delete(route);
      return;
    }
    const resetSeconds = Number(reset);
    if (!Number.isFinite(resetSeconds)) return;
    // Reset is absolute Unix seconds on the server clock; small values would be relative seconds.
    const resetMs = resetSeconds > 1e9 ? resetSeconds * 1000 - this.clockOffsetMs : Date.now() + resetSeconds * 1000;
    this.notBeforeMs.set(route, resetMs);
  }

  private async waitForRateLimitWindow(route: MinerApiRoute, signal?: AbortSignal): Promise<void> {
    const notBefore = this.notBeforeMs.get(route);
    if (notBefore === undefined) return;
    const waitMs = notBefore - Date.now();
    this.notBeforeMs.delete(route);
    if (waitMs <= 0) return;
    if (waitMs > this.maxRetryAfterMs) {
      throw new ApiRequestError(
        route,
        429,
        'RATE_LIMITED',
        `rate limit exhausted until ${new Date(notBefore).toISOString()}`,
        true,
        notBefore,
      );
    }
    await sleep(waitMs, signal);
  }

  private observe(route: MinerApiRoute, status: number, startedAt: number): void {
    this.options.onCall?.({ route, status, durationMs: performance.now() - startedAt });
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return (error as Error).message ?? String(error);
}

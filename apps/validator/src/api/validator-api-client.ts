import {
  type EpochAssignmentsResponse,
  type EpochSubmissionsResponse,
  type HealthcheckResponse,
  type Signer,
  type StatsResponse,
  type ValidationResultsReportResponse,
  type ValidatorUploadResponse,
  epochAssignmentsResponseSchema,
  epochSubmissionsResponseSchema,
  healthcheckResponseSchema,
  statsResponseSchema,
  validationCommitment,
  validationResultsCommitment,
  validationResultsReportResponseSchema,
  validatorUploadCommitment,
  validatorUploadResponseSchema,
} from '@resi/core';
import {
  ApiRequestError,
  type BackoffPolicy,
  type Logger,
  DEFAULT_BACKOFF,
  apiErrorOf,
  backoffDelayMs,
  parseApiAnswer,
} from '@resi/client';
import type { z } from 'zod';

export interface ValidatorApiClientOptions {
  /** e.g. `https://api.resilabs.ai`; no trailing path. */
  readonly baseUrl: string;
  readonly signer: Signer;
  readonly timeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly fetch?: typeof fetch;
  /** Told when the API asks to wait (Retry-After) long enough for an operator to wonder why it is quiet. */
  readonly log?: Pick<Logger, 'warn'>;
}

/** A Retry-After this long or longer is logged before it is waited out. */
export const LOGGED_WAIT_MS = 10_000;

interface RequestSpec<Schema extends z.ZodType> {
  readonly route: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly schema: Schema;
  /** The signature of one attempt over its timestamp; signed afresh for every retry. */
  readonly commitment?: (timestamp: number) => string;
  readonly body?: Record<string, unknown>;
}

/** Clock differences under this are noise from the `Date` header's one-second resolution. */
const CLOCK_SKEW_TOLERANCE_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The validator's side of the wire protocol (PROTOCOL.md §2, §4, §6, §8). Signed requests carry a
 * fresh timestamp and signature per attempt (the replay cache never refuses a retry; the clock is
 * corrected from the server's `Date` header); network errors, timeouts, 408, 429 and 5xx are
 * retried with backoff, honouring `Retry-After`. Answers are parsed with the core schemas.
 */
export class ValidatorApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private clockOffsetMs = 0;

  constructor(private readonly options: ValidatorApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
  }

  get hotkey(): string {
    return this.options.signer.address;
  }

  /** `GET /healthcheck`. */
  health(): Promise<HealthcheckResponse> {
    return this.request({
      route: 'healthcheck',
      method: 'GET',
      path: '/healthcheck',
      schema: healthcheckResponseSchema,
    });
  }

  /** `GET /api/v1/zipcode-assignments/stats`. */
  stats(): Promise<StatsResponse> {
    return this.request({
      route: 'stats',
      method: 'GET',
      path: '/api/v1/zipcode-assignments/stats',
      schema: statsResponseSchema,
    });
  }

  /** `GET /api/v1/zipcode-assignments/epoch/{epochId}` (honeypots flagged once COMPLETED). */
  epoch(epochId: string): Promise<EpochAssignmentsResponse> {
    return this.request({
      route: 'epoch',
      method: 'GET',
      path: `/api/v1/zipcode-assignments/epoch/${encodeURIComponent(epochId)}`,
      schema: epochAssignmentsResponseSchema,
      commitment: (timestamp) => validationCommitment(epochId, timestamp),
    });
  }

  /** `GET /api/v1/epochs/{epochId}/submissions`: every miner's objects with presigned GET URLs. */
  submissions(epochId: string): Promise<EpochSubmissionsResponse> {
    return this.request({
      route: 'submissions',
      method: 'GET',
      path: `/api/v1/epochs/${encodeURIComponent(epochId)}/submissions`,
      schema: epochSubmissionsResponseSchema,
      commitment: (timestamp) => validationCommitment(epochId, timestamp),
    });
  }

  /** `POST /api/v1/s3-access/validator-upload`: a presigned POST for the results file. */
  validatorUpload(epochId: string, estimatedBytes: number): Promise<ValidatorUploadResponse> {
    return this.request({
      route: 'validator-upload',
      method: 'POST',
      path: '/api/v1/s3-access/validator-upload',
      schema: validatorUploadResponseSchema,
      commitment: (timestamp) => validatorUploadCommitment(timestamp),
      body: {
        epochId,
        purpose: 'epoch_validation_results',
        estimatedDataSizeMb: Math.ceil((estimatedBytes / 1024 / 1024) * 100) / 100,
      },
    });
  }

  /** `POST /api/v1/validation-results`: the results digest, for consensus. */
  reportResults(
    epochId: string,
    resultsSha256: string,
    minersScored: number,
  ): Promise<ValidationResultsReportResponse> {
    return this.request({
      route: 'validation-results',
      method: 'POST',
      path: '/api/v1/validation-results',
      schema: validationResultsReportResponseSchema,
      commitment: (timestamp) => validationResultsCommitment(epochId, resultsSha256, timestamp),
      body: { epochId, resultsSha256, minersScored },
    });
  }

  /**
   * Posts `content` to a presigned POST grant as the multipart form S3 expects: the signed
   * `fields` (and `key`), then the file last.
   */
  async uploadToGrant(grant: ValidatorUploadResponse, content: string): Promise<void> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    for (let attempt = 1; ; attempt++) {
      const form = new FormData();
      for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
      if (!('key' in grant.fields)) form.append('key', grant.key);
      form.append('file', new Blob([content], { type: 'application/json' }), 'validation_results.json');
      let status = 0;
      let detail = '';
      try {
        const response = await this.fetchFn(grant.url, {
          method: 'POST',
          body: form,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
        status = response.status;
        detail = await response.text().catch(() => '');
        if (response.ok) return;
      } catch (error) {
        detail = (error as Error).message;
      }
      const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
      if (!retryable || attempt >= backoff.maxAttempts) {
        throw new ApiRequestError(
          'results-upload',
          status,
          'HTTP_ERROR',
          `storage refused the results file: ${status} ${detail.slice(0, 200)}`,
          retryable,
        );
      }
      await sleep(backoffDelayMs(attempt, backoff));
    }
  }

  private async request<Schema extends z.ZodType>(spec: RequestSpec<Schema>): Promise<z.output<Schema>> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(spec);
      } catch (error) {
        if (!(error instanceof ApiRequestError) || !error.retryable || attempt >= backoff.maxAttempts) throw error;
        const askedMs = error.retryAtMs !== undefined ? Math.max(0, error.retryAtMs - Date.now()) : undefined;
        const waitMs = Math.min(askedMs ?? backoffDelayMs(attempt, backoff), backoff.maxDelayMs * 4);
        if (askedMs !== undefined && askedMs >= LOGGED_WAIT_MS) {
          this.options.log?.warn('the API asks to wait before retrying', {
            route: spec.route,
            code: error.code,
            retryAfterSeconds: Math.round(askedMs / 1000),
            waitingSeconds: Math.round(waitMs / 1000),
            attempt,
          });
        }
        await sleep(waitMs);
      }
    }
  }

  private async attempt<Schema extends z.ZodType>(spec: RequestSpec<Schema>): Promise<z.output<Schema>> {
    const url = new URL(this.baseUrl + spec.path);
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (spec.commitment || spec.body) {
      const timestamp = Math.floor((Date.now() + this.clockOffsetMs) / 1000);
      const signed = spec.commitment
        ? { hotkey: this.hotkey, timestamp, signature: this.options.signer.sign(spec.commitment(timestamp)) }
        : {};
      if (spec.method === 'GET') {
        for (const [key, value] of Object.entries(signed)) url.searchParams.set(key, String(value));
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ ...signed, ...spec.body });
      }
    }
    const started = Date.now();
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: spec.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new ApiRequestError(
        spec.route,
        0,
        'NETWORK_ERROR',
        `cannot reach ${this.baseUrl}: ${(error as Error).message}`,
        true,
      );
    }
    const text = await response.text().catch(() => '');
    this.learnClock(response.headers.get('date'), started);
    if (!response.ok) throw apiErrorOf(spec.route, response, text);
    return parseApiAnswer(spec.route, response.status, text, spec.schema);
  }

  private learnClock(dateHeader: string | null, startedMs: number): void {
    if (!dateHeader) return;
    const serverMs = Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return;
    // The header is truncated to the second: take the middle of it and of the round trip.
    const offset = serverMs + 500 - (startedMs + Date.now()) / 2;
    this.clockOffsetMs = Math.abs(offset) > CLOCK_SKEW_TOLERANCE_MS ? offset : 0;
  }
}

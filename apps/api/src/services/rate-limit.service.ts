import { Inject, Injectable } from '@nestjs/common';
import { ResiError } from '@resi/core';
import type { RateLimitName } from '../auth/route-specs.js';
import { API_CONFIG, KV_STORE } from '../tokens.js';
import type { ApiEnv } from '../config/config.js';
import type { KeyValueStore } from '../repositories/kv-store.js';

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  reset: number;
}

/** Fixed-window limits per hotkey (or per IP for public routes), PROTOCOL.md §9. */
@Injectable()
export class RateLimitService {
  private readonly limits: Record<RateLimitName, { limit: number; windowSeconds: number; unit: string }>;

  constructor(
    @Inject(API_CONFIG) config: ApiEnv,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
  ) {
    this.limits = {
      assignments: { limit: config.RATE_LIMIT_ASSIGNMENTS_PER_MINUTE, windowSeconds: 60, unit: 'minute' },
      status: { limit: config.RATE_LIMIT_STATUS_PER_MINUTE, windowSeconds: 60, unit: 'minute' },
      minerS3: { limit: config.RATE_LIMIT_MINER_S3_PER_DAY, windowSeconds: 86_400, unit: 'day' },
      validatorUpload: { limit: validatorUploadsPerHour(config), windowSeconds: 3_600, unit: 'hour' },
      validatorReads: { limit: config.RATE_LIMIT_VALIDATOR_READS_PER_MINUTE, windowSeconds: 60, unit: 'minute' },
      stats: { limit: config.RATE_LIMIT_STATS_PER_MINUTE, windowSeconds: 60, unit: 'minute' },
    };
  }

  /** Counts one request of `subject` against `name`; throws RATE_LIMITED (with Retry-After) past the limit. */
  async consume(name: RateLimitName, subject: string): Promise<RateLimitState> {
    const { limit, windowSeconds, unit } = this.limits[name];
    const { count, resetAt } = await this.store.increment(`rl:${name}:${subject}`, windowSeconds);
    const state = { limit, remaining: Math.max(0, limit - count), reset: Math.ceil(resetAt / 1000) };
    if (count > limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      throw new ResiError(
        'RATE_LIMITED',
        `Rate limit of ${limit} ${name} requests per ${unit} exceeded; retry in ${retryAfterSeconds} s.`,
        { retryAfterSeconds, rateLimit: state },
      );
    }
    return state;
  }
}

/** Validator-upload calls one epoch needs: the results grant and the digest report. */
export const VALIDATOR_UPLOADS_PER_EPOCH = 2;
/** Room for retries and for catching up on a missed epoch. */
const VALIDATOR_UPLOAD_HEADROOM = 2;

/**
 * The hourly validator-upload limit, fitted to the epoch length it guards: never below what
 * `VALIDATOR_UPLOADS_PER_EPOCH` calls per epoch need with headroom, so short (devnet) epochs do
 * not starve validators; `RATE_LIMIT_VALIDATOR_UPLOAD_PER_HOUR` when that is higher.
 */
export function validatorUploadsPerHour(config: ApiEnv): number {
  const epochsPerHour = Math.ceil(60 / config.EPOCH_DURATION_MINUTES);
  return Math.max(
    config.RATE_LIMIT_VALIDATOR_UPLOAD_PER_HOUR,
    epochsPerHour * VALIDATOR_UPLOADS_PER_EPOCH * VALIDATOR_UPLOAD_HEADROOM,
  );
}

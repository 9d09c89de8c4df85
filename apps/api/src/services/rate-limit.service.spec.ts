import { describe, expect, it } from 'vitest';
import { parseApiEnv } from '../config/config.js';
import { validatorUploadsPerHour } from './rate-limit.service.js';

describe('validatorUploadsPerHour', () => {
  const limitFor = (env: Record<string, string>) => validatorUploadsPerHour(parseApiEnv({ NODE_ENV: 'test', ...env }));

  it('fits the epochs it guards: a devnet of 3-minute epochs needs 2 calls each, with headroom', () => {
    // 20 epochs an hour × 2 calls × 2: the devnet's validators are never starved by the limit.
    expect(limitFor({ EPOCH_DURATION_MINUTES: '3' })).toBe(80);
    expect(limitFor({ EPOCH_DURATION_MINUTES: '60' })).toBe(5);
  });

  it('keeps the configured limit for production epochs, or a higher one', () => {
    expect(limitFor({})).toBe(5);
    expect(limitFor({ RATE_LIMIT_VALIDATOR_UPLOAD_PER_HOUR: '200', EPOCH_DURATION_MINUTES: '3' })).toBe(200);
  });
});

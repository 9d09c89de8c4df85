import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryAfterMs, sleep } from './backoff.js';

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles the cap per retry and never exceeds maxDelayMs', () => {
    const highest = (retry: number) => backoffDelayMs(retry, policy, () => 0.999_999);
    expect([1, 2, 3, 4, 5].map(highest)).toEqual([99, 199, 399, 799, 999]);
  });

  it('draws uniformly below the cap (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2025-10-01T16:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 01 Oct 2025 16:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 01 Oct 2025 15:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('sleep', () => {
  it('stops early when aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow('stopping');
  });
});

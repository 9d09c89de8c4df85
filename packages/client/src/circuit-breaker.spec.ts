import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  function breakerAt(clock: { now: number }) {
    return new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000, now: () => clock.now });
  }

  it('opens after the threshold of consecutive failures and refuses calls during the cool-down', () => {
    const clock = { now: 0 };
    const breaker = breakerAt(clock);
    breaker.recordFailure('HTTP 502');
    expect(breaker.state).toBe('closed');
    breaker.recordFailure('HTTP 502');
    expect(breaker.state).toBe('open');
    expect(() => breaker.beforeRequest()).toThrow(CircuitOpenError);
  });

  it('lets one trial through after the cool-down; a failed trial reopens it, a success closes it', () => {
    const clock = { now: 0 };
    const breaker = breakerAt(clock);
    breaker.recordFailure('a');
    breaker.recordFailure('b');
    clock.now = 1_000;
    expect(breaker.state).toBe('half-open');
    breaker.beforeRequest();
    expect(() => breaker.beforeRequest()).toThrow(CircuitOpenError);
    breaker.recordFailure('c');
    expect(breaker.state).toBe('open');
    clock.now = 2_000;
    breaker.beforeRequest();
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
  });

  it('forgets earlier failures after a success', () => {
    const clock = { now: 0 };
    const breaker = breakerAt(clock);
    breaker.recordFailure('a');
    breaker.recordSuccess();
    breaker.recordFailure('b');
    expect(breaker.state).toBe('closed');
  });
});

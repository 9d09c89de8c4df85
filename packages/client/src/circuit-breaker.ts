/**
 * A circuit breaker in front of the API: after `failureThreshold` consecutive failed requests it
 * opens and refuses calls for `cooldownMs` (the API is down; hammering it helps nobody), then lets
 * one trial request through (half-open). A success closes it again.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly now?: () => number;
}

/** Thrown instead of sending a request while the circuit is open. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  /** When a trial request will be allowed, epoch milliseconds. */
  readonly retryAtMs: number;

  constructor(retryAtMs: number, lastFailure: string | undefined) {
    super(
      `the API is failing (circuit open after repeated errors${lastFailure ? `, last: ${lastFailure}` : ''}); ` +
        `next try at ${new Date(retryAtMs).toISOString()}`,
    );
    this.retryAtMs = retryAtMs;
  }
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAtMs: number | undefined;
  private trialInFlight = false;
  private lastFailure: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.openedAtMs === undefined) return 'closed';
    return this.now() - this.openedAtMs >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Throws {@link CircuitOpenError} unless a request may be sent now. */
  beforeRequest(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return;
    }
    throw new CircuitOpenError((this.openedAtMs ?? this.now()) + this.options.cooldownMs, this.lastFailure);
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.openedAtMs = undefined;
    this.trialInFlight = false;
    this.lastFailure = undefined;
  }

  recordFailure(description: string): void {
    this.lastFailure = description;
    this.consecutiveFailures += 1;
    if (this.trialInFlight || this.consecutiveFailures >= this.options.failureThreshold) {
      this.openedAtMs = this.now();
    }
    this.trialInFlight = false;
  }
}

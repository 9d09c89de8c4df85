import { Redis } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander {
    resiIncrement(key: string, windowMs: number): Promise<[number, number]>;
  }
}

export interface CounterResult {
  count: number;
  /** Epoch milliseconds when the window resets. */
  resetAt: number;
}

/**
 * The shared, short-lived state of the API: rate-limit counters, the signature replay cache and
 * cached responses. Redis when configured (shared by every replica), process memory otherwise.
 */
export interface KeyValueStore {
  /** Stores `key` for `ttlSeconds` only if absent; true when this call stored it. */
  setIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
  /** Fixed-window counter: increments `key`, starting a window of `windowSeconds` on first use. */
  increment(key: string, windowSeconds: number): Promise<CounterResult>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** `ok` on Redis, `memory` when Redis is not configured, `degraded` while Redis is unreachable. */
  status(): 'ok' | 'memory' | 'degraded';
  close(): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

export class MemoryStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private sweepAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // Expired keys are dropped lazily and by a periodic sweep, so memory stays bounded by the
  // number of keys live in one window.
  private sweep(): void {
    const now = this.now();
    if (now < this.sweepAt) return;
    this.sweepAt = now + 10_000;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  setIfAbsent(key: string, ttlSeconds: number): Promise<boolean> {
    this.sweep();
    if (this.live(key)) return Promise.resolve(false);
    this.entries.set(key, { value: '1', expiresAt: this.now() + ttlSeconds * 1000 });
    return Promise.resolve(true);
  }

  increment(key: string, windowSeconds: number): Promise<CounterResult> {
    this.sweep();
    const entry = this.live(key);
    if (!entry) {
      const resetAt = this.now() + windowSeconds * 1000;
      this.entries.set(key, { value: '1', expiresAt: resetAt });
      return Promise.resolve({ count: 1, resetAt });
    }
    entry.value = String(Number(entry.value) + 1);
    return Promise.resolve({ count: Number(entry.value), resetAt: entry.expiresAt });
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.sweep();
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  status(): 'memory' {
    return 'memory';
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }
}

const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Redis, with process memory standing in while Redis is unreachable: the API keeps serving
 * (limits and replay protection then hold per process, and health says `degraded`) and goes back
 * to Redis by itself when it returns.
 */
export class RedisStore implements KeyValueStore {
  private readonly redis: Redis;
  private readonly fallback: MemoryStore;
  private healthy = false;

  constructor(
    url: string,
    keyPrefix: string,
    private readonly onStateChange: (healthy: boolean, reason?: string) => void = () => undefined,
  ) {
    this.fallback = new MemoryStore();
    this.redis = new Redis(url, {
      keyPrefix,
      // Fail fast rather than queue commands while Redis is away: the fallback answers instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      lazyConnect: false,
    });
    // defineCommand sends EVALSHA, so the script travels once rather than with every request.
    this.redis.defineCommand('resiIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    this.redis.on('ready', () => this.mark(true));
    this.redis.on('error', (error: Error) => this.mark(false, error.message));
    this.redis.on('end', () => this.mark(false, 'connection closed'));
    this.redis.on('close', () => this.mark(false, 'connection closed'));
  }

  /** Waits up to `timeoutMs` for the first connection; false when Redis is not there (yet). */
  async ready(timeoutMs = 3_000): Promise<boolean> {
    if (this.healthy) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.healthy), timeoutMs);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private mark(healthy: boolean, reason?: string): void {
    if (this.healthy === healthy) return;
    this.healthy = healthy;
    this.onStateChange(healthy, reason);
  }

  private async attempt<T>(viaRedis: () => Promise<T>, viaMemory: () => Promise<T>): Promise<T> {
    if (!this.healthy) return viaMemory();
    try {
      return await viaRedis();
    } catch (error) {
      this.mark(false, (error as Error).message);
      return viaMemory();
    }
  }

  setIfAbsent(key: string, ttlSeconds: number): Promise<boolean> {
    return this.attempt(
      async () => (await this.redis.set(key, '1', 'EX', ttlSeconds, 'NX')) === 'OK',
      () => this.fallback.setIfAbsent(key, ttlSeconds),
    );
  }

  increment(key: string, windowSeconds: number): Promise<CounterResult> {
    return this.attempt(
      async () => {
        const [count, ttl] = await this.redis.resiIncrement(key, windowSeconds * 1000);
        return { count, resetAt: Date.now() + ttl };
      },
      () => this.fallback.increment(key, windowSeconds),
    );
  }

  get(key: string): Promise<string | null> {
    return this.attempt(
      () => this.redis.get(key),
      () => this.fallback.get(key),
    );
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.attempt(
      async () => {
        await this.redis.set(key, value, 'EX', ttlSeconds);
      },
      () => this.fallback.set(key, value, ttlSeconds),
    );
  }

  status(): 'ok' | 'degraded' {
    return this.healthy ? 'ok' : 'degraded';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type ErrorCode, ResiError } from '@resi/core';
import type { ApiEnv } from '../config/config.js';
import type { KeyValueStore } from '../repositories/kv-store.js';
import { API_CONFIG, KV_STORE } from '../tokens.js';

/** Authentication failures counted against the client's IP. */
const IP_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'TIMESTAMP_OUT_OF_WINDOW',
  'SIGNATURE_INVALID',
  'SIGNATURE_REPLAYED',
  'HOTKEY_NOT_REGISTERED',
  'COLDKEY_MISMATCH',
  'NOT_A_VALIDATOR',
]);
/** Failures counted against the claimed hotkey too: only a bad signature costs a verification. */
const HOTKEY_FAILURES: ReadonlySet<ErrorCode> = new Set(['SIGNATURE_INVALID']);

const WINDOW_SECONDS = 60;
/** A client that authenticated as a hotkey from an address keeps passing blocks for this long. */
const TRUST_SECONDS = 3_600;
/** Bounds the in-process maps whatever the number of addresses an attacker uses. */
const MAX_ENTRIES = 10_000;

/** Map with expiring entries and a size bound (oldest dropped first). */
class ExpiringSet {
  private readonly entries = new Map<string, number>();

  add(key: string, expiresAt: number, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [k, at] of this.entries) if (at <= now) this.entries.delete(k);
      while (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, expiresAt);
  }

  /** When `key` expires, or null when it is absent or expired. */
  expiry(key: string, now: number): number | null {
    const at = this.entries.get(key);
    if (at === undefined) return null;
    if (at <= now) {
      this.entries.delete(key);
      return null;
    }
    return at;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Limits failed authentication per client IP and per claimed hotkey, so forged requests cannot
 * make the server verify signatures without end (PROTOCOL.md §9).
 *
 * Failures are counted in the shared store (Redis with several replicas), in fixed one-minute
 * windows. The check before a signature is verified reads only process memory: a replica learns
 * that an IP or hotkey is over its limit from the count its own next failure returns, so across
 * R replicas at most `limit + R - 1` failed verifications happen per window, and an honest
 * request costs no extra round trip. A hotkey and address that authenticated together recently
 * pass both blocks, so forging a miner's hotkey from elsewhere cannot lock that miner out.
 */
@Injectable()
export class AuthFailureLimitService {
  private readonly blockedUntil = new ExpiringSet();
  private readonly trustedUntil = new ExpiringSet();
  private readonly ipLimit: number;
  private readonly hotkeyLimit: number;

  constructor(
    @Inject(API_CONFIG) config: ApiEnv,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
  ) {
    this.ipLimit = config.RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE;
    this.hotkeyLimit = config.RATE_LIMIT_AUTH_FAILURES_PER_HOTKEY_PER_MINUTE;
  }

  /** Throws RATE_LIMITED when `ip` has used up its failures (no I/O). */
  assertIpAllowed(ip: string, hotkey: string): void {
    this.assertNotBlocked(`ip:${ip}`, ip, hotkey, `this address (${ip})`, this.ipLimit);
  }

  /** Throws RATE_LIMITED when bad signatures for `hotkey` have used up its failures (no I/O). */
  assertHotkeyAllowed(ip: string, hotkey: string): void {
    this.assertNotBlocked(`hotkey:${hotkey}`, ip, hotkey, `hotkey ${hotkey}`, this.hotkeyLimit);
  }

  /** Counts a refused authentication; codes that are not authentication failures are ignored. */
  async recordFailure(code: ErrorCode, ip: string, hotkey: string): Promise<void> {
    if (!IP_FAILURES.has(code)) return;
    this.trustedUntil.delete(`${hotkey} ${ip}`);
    await this.count(`ip:${ip}`, this.ipLimit);
    if (HOTKEY_FAILURES.has(code)) await this.count(`hotkey:${hotkey}`, this.hotkeyLimit);
  }

  /** Remembers that `hotkey` authenticated from `ip`. */
  recordSuccess(ip: string, hotkey: string): void {
    const now = Date.now();
    const key = `${hotkey} ${ip}`;
    // Refreshed at most once a minute: the hot path stays a map lookup.
    const until = this.trustedUntil.expiry(key, now);
    if (until === null || until - now < (TRUST_SECONDS - WINDOW_SECONDS) * 1000) {
      this.trustedUntil.add(key, now + TRUST_SECONDS * 1000, now);
    }
  }

  private assertNotBlocked(key: string, ip: string, hotkey: string, subject: string, limit: number): void {
    const now = Date.now();
    const until = this.blockedUntil.expiry(key, now);
    if (until === null || this.trustedUntil.expiry(`${hotkey} ${ip}`, now) !== null) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
    throw new ResiError(
      'RATE_LIMITED',
      `Too many failed authentications for ${subject} (limit ${limit} a minute); retry in ${retryAfterSeconds} s with a correctly signed, current request.`,
      { retryAfterSeconds },
    );
  }

  private async count(key: string, limit: number): Promise<void> {
    const { count, resetAt } = await this.store.increment(`authfail:${key}`, WINDOW_SECONDS);
    if (count >= limit) this.blockedUntil.add(key, resetAt, Date.now());
  }
}

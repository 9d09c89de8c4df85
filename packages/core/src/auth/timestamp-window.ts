import { ResiError } from '../errors.js';

/** A signed request may be at most this many seconds old (PROTOCOL.md §2). */
export const TIMESTAMP_MAX_AGE_SECONDS = 300;

/** A signed request may be at most this many seconds ahead of the server clock (PROTOCOL.md §2). */
export const TIMESTAMP_MAX_FUTURE_SECONDS = 60;

/**
 * How long one signed timestamp stays acceptable: from `TIMESTAMP_MAX_FUTURE_SECONDS` before it
 * to `TIMESTAMP_MAX_AGE_SECONDS` after it. A replay cache must remember a signature at least this long.
 */
export const TIMESTAMP_WINDOW_SECONDS = TIMESTAMP_MAX_AGE_SECONDS + TIMESTAMP_MAX_FUTURE_SECONDS;

function describeSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/**
 * Accepts a signed request's `timestampSeconds` when
 * `now − TIMESTAMP_MAX_AGE_SECONDS ≤ timestamp ≤ now + TIMESTAMP_MAX_FUTURE_SECONDS` (both ends
 * included). `nowSeconds` may carry a fraction (`Date.now() / 1000`); it is floored first, as the
 * Python server did with `int(time.time())`.
 *
 * Throws `ResiError('TIMESTAMP_OUT_OF_WINDOW')` (401) otherwise, with a message saying how far off
 * the client clock is and what to do, and `details` {timestamp, serverTime, skewSeconds}; throws
 * `ResiError('VALIDATION_FAILED')` for a timestamp that is not whole seconds.
 */
export function checkTimestampWindow(timestampSeconds: number, nowSeconds: number): void {
  if (!Number.isSafeInteger(timestampSeconds)) {
    throw new ResiError('VALIDATION_FAILED', `timestamp must be whole Unix seconds; got ${String(timestampSeconds)}`);
  }
  const now = Math.floor(nowSeconds);
  const skewSeconds = timestampSeconds - now;
  if (skewSeconds >= -TIMESTAMP_MAX_AGE_SECONDS && skewSeconds <= TIMESTAMP_MAX_FUTURE_SECONDS) return;
  const details = { timestamp: timestampSeconds, serverTime: now, skewSeconds };
  const rule =
    `signed requests must carry the current Unix time in seconds ` +
    `(at most ${TIMESTAMP_MAX_AGE_SECONDS} s old and ${TIMESTAMP_MAX_FUTURE_SECONDS} s ahead)`;
  const fix = 'sync your clock (enable NTP, e.g. `timedatectl set-ntp true`) and sign a fresh request';
  if (skewSeconds < 0) {
    throw new ResiError(
      'TIMESTAMP_OUT_OF_WINDOW',
      `timestamp ${timestampSeconds} is ${describeSeconds(-skewSeconds)} behind the server clock (${now}); ` +
        `${rule}: ${fix}; if your clock is right, the request was delayed or replayed`,
      details,
    );
  }
  // Seconds reach 10^11 only in the year 5138: such a value is milliseconds sent by mistake.
  const looksLikeMilliseconds = timestampSeconds >= 1e11;
  throw new ResiError(
    'TIMESTAMP_OUT_OF_WINDOW',
    looksLikeMilliseconds
      ? `timestamp ${timestampSeconds} looks like milliseconds; ${rule}: send Math.floor(Date.now() / 1000) or int(time.time())`
      : `timestamp ${timestampSeconds} is ${describeSeconds(skewSeconds)} ahead of the server clock (${now}); ${rule}: ${fix}`,
    details,
  );
}

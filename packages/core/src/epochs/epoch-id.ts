import { ResiError } from '../errors.js';
import { type EpochConfig } from './epoch-config.js';

/**
 * Every epoch ID matches this: the epoch's UTC start as `YYYY-MM-DDTHH-MM-00` (PROTOCOL.md §3).
 * Production IDs read `...THH-00-00`; a devnet with minute-long epochs fills in the minutes.
 */
export const EPOCH_ID_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-00$/;

/** The human spelling of {@link EPOCH_ID_PATTERN}, for error messages and docs. */
export const EPOCH_ID_FORMAT = 'YYYY-MM-DDTHH-MM-00';

/** Internal to the epochs module; not re-exported from the package. */
export const MS_PER_MINUTE = 60_000;

/** Milliseconds in one epoch of `config`. */
export function epochDurationMs(config: EpochConfig): number {
  return config.durationMinutes * MS_PER_MINUTE;
}

/** The start of the epoch containing `instantMs` (floor to the epoch grid, aligned to UTC midnight). */
export function epochStartMsAt(instantMs: number, config: EpochConfig): number {
  const duration = epochDurationMs(config);
  // Unix time 0 is a UTC midnight and days have exactly 86 400 000 ms in JS time, so flooring on
  // the Unix grid is the same as flooring on each day's grid when the duration divides a day.
  return Math.floor(instantMs / duration) * duration;
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * The ID of the epoch starting at `start`: `YYYY-MM-DDTHH-MM-00` in UTC.
 *
 * Throws a `RangeError` for an invalid date, a start with seconds or milliseconds (no epoch starts
 * there) or a year outside 0000..9999 (not representable in four digits). It does not check the
 * epoch grid: that depends on the configuration, see {@link parseEpochId}.
 */
export function formatEpochId(start: Date): string {
  const ms = start.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('cannot format an epoch ID from an invalid Date');
  if (start.getUTCSeconds() !== 0 || start.getUTCMilliseconds() !== 0) {
    throw new RangeError(`an epoch starts on a whole minute; ${start.toISOString()} has seconds or milliseconds`);
  }
  const year = start.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`epoch IDs have four-digit years; got year ${year}`);
  return (
    `${pad(year, 4)}-${pad(start.getUTCMonth() + 1, 2)}-${pad(start.getUTCDate(), 2)}` +
    `T${pad(start.getUTCHours(), 2)}-${pad(start.getUTCMinutes(), 2)}-00`
  );
}

/** Quotes untrusted input for an error message without echoing an unbounded string back. */
function quoteForMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * The UTC start of epoch `id` under `config`.
 *
 * Throws `ResiError('VALIDATION_FAILED')` (a 400 on the wire) when `id` does not match
 * {@link EPOCH_ID_PATTERN}, is not a real UTC date and time (e.g. `2025-02-30`, hour 24), or does
 * not fall on an epoch boundary of `config`; each message says which and what a valid ID looks like.
 */
export function parseEpochId(id: string, config: EpochConfig): Date {
  if (typeof id !== 'string' || !EPOCH_ID_PATTERN.test(id)) {
    throw new ResiError(
      'VALIDATION_FAILED',
      `epoch ID ${quoteForMessage(id)} is not in the format ${EPOCH_ID_FORMAT} (the epoch's UTC start, e.g. 2025-10-01T16-00-00)`,
    );
  }
  const start = calendarStartOf(id);
  if (start === undefined) {
    throw new ResiError('VALIDATION_FAILED', `epoch ID ${quoteForMessage(id)} is not a real UTC date and time`);
  }
  const startMs = start.getTime();
  const flooredMs = epochStartMsAt(startMs, config);
  if (flooredMs !== startMs) {
    const before = describeNeighbour(flooredMs);
    const after = describeNeighbour(flooredMs + epochDurationMs(config));
    throw new ResiError(
      'VALIDATION_FAILED',
      `epoch ID ${quoteForMessage(id)} is not on an epoch boundary: epochs last ${config.durationMinutes} minutes ` +
        `from 00:00 UTC, so the nearest epochs are ${before} and ${after}`,
    );
  }
  return start;
}

/** A neighbouring epoch for a message; past year 9999 it has no ID, so show the instant. */
function describeNeighbour(startMs: number): string {
  const start = new Date(startMs);
  return start.getUTCFullYear() > 9999 ? start.toISOString() : formatEpochId(start);
}

/** The instant `id` spells, or undefined when it names no real date and time. */
function calendarStartOf(id: string): Date | undefined {
  const year = Number(id.slice(0, 4));
  const month = Number(id.slice(5, 7));
  const day = Number(id.slice(8, 10));
  const hour = Number(id.slice(11, 13));
  const minute = Number(id.slice(14, 16));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, 0, 0);
  // The Date rolls 2025-02-30 over to March; a changed ID means the day does not exist.
  return formatEpochId(date) === id ? date : undefined;
}

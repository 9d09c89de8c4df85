import { type EpochConfig } from './epoch-config.js';
import { type EpochTimes, epochTimes } from './epoch-times.js';

/**
 * An epoch's lifecycle phases in order (PROTOCOL.md §3). `SCHEDULED` is every instant before the
 * epoch becomes `PENDING`; the API never stores or serves an epoch in that phase.
 */
export const EPOCH_PHASES = ['SCHEDULED', 'PENDING', 'ACTIVE', 'COMPLETED', 'ARCHIVED'] as const;

export type EpochPhase = (typeof EPOCH_PHASES)[number];

/** An epoch given by ID (parsed with `config`) or by its already computed or stored instants. */
export type EpochRef = string | EpochTimes;

function resolveEpoch(epoch: EpochRef, config: EpochConfig): EpochTimes {
  return typeof epoch === 'string' ? epochTimes(epoch, config) : epoch;
}

function requireValidInstant(now: Date): number {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('epoch phase checks need a valid Date');
  return nowMs;
}

/**
 * The phase of `epoch` at `now`. Each phase is a half-open interval, its first instant included:
 * - `SCHEDULED`: before `pendingAt`
 * - `PENDING`: `[pendingAt, start)`
 * - `ACTIVE`: `[start, end)`
 * - `COMPLETED`: `[end, validationEnd)`
 * - `ARCHIVED`: from `validationEnd` on
 *
 * Pass stored {@link EpochTimes} rather than an ID when the epoch's times were fixed when it was
 * created, so that a later configuration change never moves an existing epoch.
 * Throws `ResiError('VALIDATION_FAILED')` for a bad ID.
 */
export function epochPhaseAt(epoch: EpochRef, now: Date, config: EpochConfig): EpochPhase {
  const times = resolveEpoch(epoch, config);
  const nowMs = requireValidInstant(now);
  if (nowMs < times.pendingAt.getTime()) return 'SCHEDULED';
  if (nowMs < times.start.getTime()) return 'PENDING';
  if (nowMs < times.end.getTime()) return 'ACTIVE';
  if (nowMs < times.validationEnd.getTime()) return 'COMPLETED';
  return 'ARCHIVED';
}

/**
 * Whether uploads and status updates for `epoch` are accepted at `now`: on `[start, graceEnd)`,
 * i.e. while `ACTIVE` and during the grace period after the deadline. Before the start there is
 * nothing to submit; from `graceEnd` on the answer is `EPOCH_CLOSED`.
 */
export function acceptsSubmissionsAt(epoch: EpochRef, now: Date, config: EpochConfig): boolean {
  const times = resolveEpoch(epoch, config);
  const nowMs = requireValidInstant(now);
  return nowMs >= times.start.getTime() && nowMs < times.graceEnd.getTime();
}

/**
 * Whether a submission at `now` is accepted but late: on `[submissionDeadline, graceEnd)`. A
 * submission at exactly the deadline is late, since the epoch has ended. Validators penalise
 * timeliness for these.
 */
export function isLateAt(epoch: EpochRef, now: Date, config: EpochConfig): boolean {
  const times = resolveEpoch(epoch, config);
  const nowMs = requireValidInstant(now);
  return nowMs >= times.submissionDeadline.getTime() && nowMs < times.graceEnd.getTime();
}

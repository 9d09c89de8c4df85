import { type EpochConfig } from './epoch-config.js';
import { MS_PER_MINUTE, epochDurationMs, epochStartMsAt, formatEpochId, parseEpochId } from './epoch-id.js';

/**
 * One epoch's instants (PROTOCOL.md §3). Every interval is half-open, start included and end
 * excluded: the epoch is `ACTIVE` on `[start, end)`, and `end` is the next epoch's `start`.
 */
export interface EpochTimes {
  /** `YYYY-MM-DDTHH-MM-00`, the UTC start. */
  readonly id: string;
  /** When the epoch becomes `PENDING` and its assignments are generated: `start − pendingLead`. */
  readonly pendingAt: Date;
  /** First instant of the epoch (included). */
  readonly start: Date;
  /** First instant after the epoch (excluded); the next epoch's start. */
  readonly end: Date;
  /** Uploads and status updates at or after this instant are late. Equal to `end`. */
  readonly submissionDeadline: Date;
  /** Late submissions are refused from this instant on: `submissionDeadline + grace`. */
  readonly graceEnd: Date;
  /** When the validation window closes and the epoch becomes `ARCHIVED`: `end + validationWindow`. */
  readonly validationEnd: Date;
}

function epochTimesFromStartMs(startMs: number, config: EpochConfig): EpochTimes {
  const endMs = startMs + epochDurationMs(config);
  return Object.freeze({
    id: formatEpochId(new Date(startMs)),
    pendingAt: new Date(startMs - config.pendingLeadMinutes * MS_PER_MINUTE),
    start: new Date(startMs),
    end: new Date(endMs),
    submissionDeadline: new Date(endMs),
    graceEnd: new Date(endMs + config.graceMinutes * MS_PER_MINUTE),
    validationEnd: new Date(endMs + config.validationWindowMinutes * MS_PER_MINUTE),
  });
}

/**
 * The epoch whose `[start, end)` contains `now`. At exactly a boundary that is the epoch starting
 * there, never the one ending there. Throws a `RangeError` for an invalid Date.
 */
export function epochAt(now: Date, config: EpochConfig): EpochTimes {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('epochAt needs a valid Date');
  return epochTimesFromStartMs(epochStartMsAt(nowMs, config), config);
}

/** The instants of epoch `id`; throws `ResiError('VALIDATION_FAILED')` as {@link parseEpochId} does. */
export function epochTimes(id: string, config: EpochConfig): EpochTimes {
  return epochTimesFromStartMs(parseEpochId(id, config).getTime(), config);
}

/** The ID of the epoch right after `id` (epochs are back to back). */
export function nextEpochId(id: string, config: EpochConfig): string {
  return formatEpochId(new Date(parseEpochId(id, config).getTime() + epochDurationMs(config)));
}

/** The ID of the epoch right before `id`. */
export function previousEpochId(id: string, config: EpochConfig): string {
  return formatEpochId(new Date(parseEpochId(id, config).getTime() - epochDurationMs(config)));
}

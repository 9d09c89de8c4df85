import { roundScore } from './score-components.js';

/**
 * Timeliness, 15% of a miner's score (seed, `assess_timeliness`; PROTOCOL.md §3, §8), judged by
 * the server-observed upload time (the storage's LastModified of the miner's last object),
 * never a time the miner wrote itself.
 */

/** The epoch instants timeliness is judged against, in milliseconds since the Unix epoch. */
export interface SubmissionWindow {
  readonly epochStartMs: number;
  readonly submissionDeadlineMs: number;
  readonly graceEndMs: number;
}

/** Timeliness at the very end of the grace period; it falls linearly from 1 to this. */
export const TIMELINESS_AT_GRACE_END = 0.5;

/** Where an upload time falls in the submission window. */
export type UploadTiming = 'before_start' | 'on_time' | 'in_grace' | 'after_grace';

/** Classifies an upload time (bounds inclusive: the deadline is on time, the grace end in grace). */
export function uploadTimingOf(uploadedAtMs: number, window: SubmissionWindow): UploadTiming {
  if (uploadedAtMs < window.epochStartMs) return 'before_start';
  if (uploadedAtMs <= window.submissionDeadlineMs) return 'on_time';
  if (uploadedAtMs <= window.graceEndMs) return 'in_grace';
  return 'after_grace';
}

/**
 * 1 for an upload between the epoch start and the deadline; during the grace period it falls
 * linearly to {@link TIMELINESS_AT_GRACE_END} at the grace end; 0 after it (the API refuses such
 * uploads, so one that exists anyway is not credited) and 0 before the epoch started (the
 * assignment was not yet served, so the data was not collected for it).
 */
export function timelinessScore(uploadedAtMs: number, window: SubmissionWindow): number {
  switch (uploadTimingOf(uploadedAtMs, window)) {
    case 'on_time':
      return 1;
    case 'in_grace': {
      const grace = window.graceEndMs - window.submissionDeadlineMs;
      const late = (uploadedAtMs - window.submissionDeadlineMs) / grace;
      return roundScore(1 - (1 - TIMELINESS_AT_GRACE_END) * late);
    }
    default:
      return 0;
  }
}

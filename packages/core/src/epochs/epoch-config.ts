/**
 * How long epochs last and how their lifecycle is laid out around them (PROTOCOL.md §3). Every
 * duration is in whole minutes.
 */
export interface EpochConfig {
  /** Length of one epoch. Must divide 1440 so that every UTC day starts on an epoch boundary. */
  readonly durationMinutes: number;
  /** How long before its start an epoch becomes `PENDING` (assignments are generated then). */
  readonly pendingLeadMinutes: number;
  /** How long after its end an epoch stays `COMPLETED` (validators score it) before `ARCHIVED`. */
  readonly validationWindowMinutes: number;
  /** How long after the submission deadline late uploads and status updates are still accepted. */
  readonly graceMinutes: number;
}

/** The production schedule: 4-hour epochs at 00, 04, 08, 12, 16, 20 UTC. */
export const PRODUCTION_EPOCH_CONFIG: EpochConfig = Object.freeze({
  durationMinutes: 240,
  pendingLeadMinutes: 15,
  validationWindowMinutes: 30,
  graceMinutes: 15,
});

export const MINUTES_PER_DAY = 1440;

/**
 * Upper bound for the lead, window and grace: beyond a week the numbers are a typo (seconds or
 * milliseconds given as minutes), not a schedule anyone means.
 */
const MAX_PHASE_MINUTES = 7 * MINUTES_PER_DAY;

/** The epoch lengths that divide a UTC day, i.e. every value `durationMinutes` may take. */
export const VALID_EPOCH_DURATIONS_MINUTES: readonly number[] = Object.freeze(
  Array.from({ length: MINUTES_PER_DAY }, (_, index) => index + 1).filter((minutes) => MINUTES_PER_DAY % minutes === 0),
);

function requireWholeMinutes(name: keyof EpochConfig, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new RangeError(`epoch ${name} must be a whole number of minutes; got ${String(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`epoch ${name} must be between ${min} and ${max} minutes; got ${value}`);
  }
  return value;
}

/**
 * Builds a checked {@link EpochConfig}: unspecified fields take the production values.
 *
 * Rejects (with a `RangeError` whose message names the field and the rule):
 * - non-integers and values out of range (`durationMinutes`, `pendingLeadMinutes` and
 *   `validationWindowMinutes` at least 1; `graceMinutes` at least 0, meaning no grace);
 * - a `durationMinutes` that does not divide 1440, since epochs are aligned to UTC midnight;
 * - a grace period longer than the validation window: uploads would then be accepted after the
 *   epoch is `ARCHIVED`, when validators have already scored it.
 */
export function createEpochConfig(overrides: Partial<EpochConfig> = {}): EpochConfig {
  const merged = { ...PRODUCTION_EPOCH_CONFIG, ...stripUndefined(overrides) };
  const durationMinutes = requireWholeMinutes('durationMinutes', merged.durationMinutes, 1, MINUTES_PER_DAY);
  if (MINUTES_PER_DAY % durationMinutes !== 0) {
    const below = VALID_EPOCH_DURATIONS_MINUTES.filter((m) => m < durationMinutes).at(-1);
    const above = VALID_EPOCH_DURATIONS_MINUTES.find((m) => m > durationMinutes);
    throw new RangeError(
      `epoch durationMinutes must divide 1440 so that every UTC day starts on an epoch boundary; ` +
        `got ${durationMinutes} (nearest valid values: ${below ?? 1} and ${above ?? MINUTES_PER_DAY})`,
    );
  }
  const pendingLeadMinutes = requireWholeMinutes('pendingLeadMinutes', merged.pendingLeadMinutes, 1, MAX_PHASE_MINUTES);
  const validationWindowMinutes = requireWholeMinutes(
    'validationWindowMinutes',
    merged.validationWindowMinutes,
    1,
    MAX_PHASE_MINUTES,
  );
  const graceMinutes = requireWholeMinutes('graceMinutes', merged.graceMinutes, 0, MAX_PHASE_MINUTES);
  if (graceMinutes > validationWindowMinutes) {
    throw new RangeError(
      `epoch graceMinutes (${graceMinutes}) must not exceed validationWindowMinutes (${validationWindowMinutes}): ` +
        `late submissions would otherwise arrive after validators have finished scoring the epoch`,
    );
  }
  return Object.freeze({ durationMinutes, pendingLeadMinutes, validationWindowMinutes, graceMinutes });
}

/**
 * A schedule for short epochs (a local devnet) that keeps production's proportions: the lead and
 * grace are 1/16 of the epoch and the validation window 1/8, each at least one minute.
 */
export function scaledEpochConfig(durationMinutes: number): EpochConfig {
  const scale = (production: number): number =>
    Math.max(1, Math.round((durationMinutes * production) / PRODUCTION_EPOCH_CONFIG.durationMinutes));
  return createEpochConfig({
    durationMinutes,
    pendingLeadMinutes: scale(PRODUCTION_EPOCH_CONFIG.pendingLeadMinutes),
    validationWindowMinutes: scale(PRODUCTION_EPOCH_CONFIG.validationWindowMinutes),
    graceMinutes: scale(PRODUCTION_EPOCH_CONFIG.graceMinutes),
  });
}

function stripUndefined(overrides: Partial<EpochConfig>): Partial<EpochConfig> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}

/** Epoch maths (PROTOCOL.md §3): configuration, IDs, instants and lifecycle phases. */
export {
  type EpochConfig,
  PRODUCTION_EPOCH_CONFIG,
  VALID_EPOCH_DURATIONS_MINUTES,
  createEpochConfig,
  scaledEpochConfig,
} from './epoch-config.js';
export {
  EPOCH_ID_FORMAT,
  EPOCH_ID_PATTERN,
  epochDurationMs,
  epochStartMsAt,
  formatEpochId,
  parseEpochId,
} from './epoch-id.js';
export { type EpochTimes, epochAt, epochTimes, nextEpochId, previousEpochId } from './epoch-times.js';
export {
  EPOCH_PHASES,
  type EpochPhase,
  type EpochRef,
  acceptsSubmissionsAt,
  epochPhaseAt,
  isLateAt,
} from './epoch-phase.js';

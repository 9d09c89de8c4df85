import type { MinerEpochUploadCaps } from '@resi/core';

/**
 * The slowest storage a validator plans for: an upload as large as the epoch's caps allow still
 * downloads within the limit at this rate. Honest uploads are a few percent of the caps.
 */
export const PLANNED_STORAGE_BYTES_PER_SECOND = 1024 * 1024;

/** Room for the requests themselves, retries and reading the Parquet footers. */
export const MINER_TIME_LIMIT_BASE_MS = 30_000;

/**
 * The default wall time one miner's download and verification may take: the time a full-cap
 * upload of the epoch (`minerEpochUploadCaps` of its target) needs at
 * {@link PLANNED_STORAGE_BYTES_PER_SECOND}, plus {@link MINER_TIME_LIMIT_BASE_MS}. For the
 * production target of 10,000 listings (caps 103 MB) that is 129 s; an honest upload of ~3 MB
 * needs about 3 s of it at that rate. Only storage slower than planned can exhaust it, which is
 * the validator's fault: the miner then gets no verdict.
 */
export function defaultMinerTimeLimitMs(caps: MinerEpochUploadCaps): number {
  return MINER_TIME_LIMIT_BASE_MS + Math.ceil(caps.maxBytes / PLANNED_STORAGE_BYTES_PER_SECOND) * 1000;
}

import type { LifecycleRule } from '@aws-sdk/client-s3';
import { MINER_STORAGE_ROOT, VALIDATOR_STORAGE_ROOT } from '@resi/core';

/**
 * Tiered retention of the original design (seed §13): objects stay in standard storage for 30
 * days (validation and appeals), move to infrequent access until day 90 (trend analysis), are
 * archived until one year (compliance), then deleted.
 */
export const RETENTION_SCHEDULE = Object.freeze({
  infrequentAccessAfterDays: 30,
  archiveAfterDays: 90,
  deleteAfterDays: 365,
  /** Our grants are single-part uploads; a multipart upload left open is nobody's and only costs. */
  abortIncompleteUploadAfterDays: 7,
});

/**
 * The lifecycle rules applied at start when `S3_APPLY_LIFECYCLE=true`: one rule per root prefix
 * (miner data and validator results). With `transitions: false` only expiry and the multipart
 * clean-up remain, for backends without AWS storage classes (MinIO, Spaces, R2 refuse
 * `STANDARD_IA`/`GLACIER`).
 */
export function retentionLifecycleRules(options: { transitions: boolean }): LifecycleRule[] {
  const schedule = RETENTION_SCHEDULE;
  return [
    { id: 'resi-retention-miner-data', prefix: MINER_STORAGE_ROOT },
    { id: 'resi-retention-validator-results', prefix: VALIDATOR_STORAGE_ROOT },
  ].map(({ id, prefix }) => ({
    ID: id,
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    ...(options.transitions
      ? {
          Transitions: [
            { Days: schedule.infrequentAccessAfterDays, StorageClass: 'STANDARD_IA' },
            { Days: schedule.archiveAfterDays, StorageClass: 'GLACIER' },
          ],
        }
      : {}),
    Expiration: { Days: schedule.deleteAfterDays },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: schedule.abortIncompleteUploadAfterDays },
  }));
}

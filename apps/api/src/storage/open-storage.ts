import { join } from 'node:path';
import type { Logger } from '@nestjs/common';
import type { ApiEnv } from '../config/config.js';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../repositories/embedded-s3.js';
import {
  describeStorageError,
  S3StorageRepository,
  type StorageRepository,
} from '../repositories/storage.repository.js';
import { retentionLifecycleRules } from './lifecycle.js';

/**
 * The storage the API presigns for: S3_ENDPOINT when set, else an embedded s3rver on loopback
 * with its data in RESI_HOME/s3. Never fails because S3 is down: the API starts, the storage
 * routes answer 503 and the health check says degraded until the bucket answers.
 */
export async function openStorage(config: ApiEnv, logger: Logger): Promise<StorageRepository> {
  if (!config.S3_ENDPOINT) {
    const embedded = await startEmbeddedS3({ directory: join(config.RESI_HOME, 's3'), bucket: config.S3_BUCKET });
    logger.warn(
      `S3_ENDPOINT is not set: embedded s3rver at ${embedded.endpoint}, data in ${embedded.directory}. ` +
        'For local use only: it enforces neither signatures nor upload policies. Set S3_ENDPOINT in production.',
    );
    if (config.S3_APPLY_LIFECYCLE) logger.warn('S3_APPLY_LIFECYCLE is ignored: s3rver has no lifecycle rules.');
    return new S3StorageRepository({
      backend: 's3rver',
      endpoint: embedded.endpoint,
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      forcePathStyle: true,
      credentials: EMBEDDED_S3_CREDENTIALS,
      onClose: () => embedded.close(),
    });
  }
  const storage = new S3StorageRepository({
    backend: 's3',
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
  await prepareBucket(storage, config, logger);
  return storage;
}

/** Creates the bucket when it is missing and applies the retention rules when asked to. */
async function prepareBucket(storage: StorageRepository, config: ApiEnv, logger: Logger): Promise<void> {
  try {
    if (!(await storage.bucketExists())) {
      await storage.createBucket();
      logger.log(`created bucket ${storage.bucket} at ${storage.endpoint}`);
    }
  } catch (error) {
    logger.warn(
      `Storage is not reachable at start (${describeStorageError(error)}); storage routes answer 503 until it is.`,
    );
    return;
  }
  if (config.S3_APPLY_LIFECYCLE) await applyRetentionRules(storage, logger);
}

/** How the retention rules ended up on the bucket. */
export type RetentionOutcome = 'tiered' | 'expiry-only' | 'not-applied';

/**
 * Tiered rules first; backends without AWS storage classes refuse those, so they get expiry only.
 * A refusal of both is logged, never fatal: retention is an operator's choice, not a dependency.
 */
export async function applyRetentionRules(storage: StorageRepository, logger: Logger): Promise<RetentionOutcome> {
  try {
    await storage.applyLifecycle(retentionLifecycleRules({ transitions: true }));
    logger.log(
      `lifecycle rules applied to ${storage.bucket}: infrequent access at 30 days, archive at 90, delete at 365`,
    );
    return 'tiered';
  } catch (tiered) {
    try {
      await storage.applyLifecycle(retentionLifecycleRules({ transitions: false }));
      logger.warn(
        `the storage refused storage-class transitions (${describeStorageError(tiered)}); ` +
          `lifecycle rules applied to ${storage.bucket} with deletion at 365 days only`,
      );
      return 'expiry-only';
    } catch (error) {
      logger.warn(`could not apply lifecycle rules to ${storage.bucket}: ${describeStorageError(error)}`);
      return 'not-applied';
    }
  }
}

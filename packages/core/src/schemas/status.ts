import { z } from 'zod';
import { signedBodyFields } from './signed-request.js';
import {
  epochIdSchema,
  epochNonceSchema,
  isoDateTimeInputSchema,
  isoInstantSchema,
  optionalField,
  storedCountSchema,
  successTrueSchema,
  zipcodeSchema,
} from './primitives.js';

/** A miner's status in an epoch (PROTOCOL.md §5). */
export const MINER_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED', 'TIMEOUT'] as const;
export type MinerStatus = (typeof MINER_STATUSES)[number];
export const minerStatusSchema = z.enum(MINER_STATUSES).meta({ id: 'MinerStatus' });

/** Enough for any epoch's assignment many times over; bounds the work one request can cause. */
export const MAX_ZIPCODES_PER_STATUS_UPDATE = 1000;

/**
 * One finished zipcode as a miner reports it: the three keys the seed and the deployed
 * Python miner send (`neurons/miner.py`: `{'zipcode', 'listingsScraped', 'completedAt'}`, the
 * latter `datetime.utcnow().isoformat() + 'Z'`).
 */
export const zipcodeProgressInputSchema = z
  .object({
    zipcode: zipcodeSchema,
    listingsScraped: storedCountSchema,
    completedAt: isoDateTimeInputSchema,
  })
  .meta({ id: 'ZipcodeProgressInput' });
export type ZipcodeProgressInput = z.infer<typeof zipcodeProgressInputSchema>;

/** One finished zipcode as the API serves it back, the instant normalised to ISO UTC. */
export const zipcodeProgressSchema = z
  .object({ zipcode: zipcodeSchema, listingsScraped: z.int().nonnegative(), completedAt: isoInstantSchema })
  .meta({ id: 'ZipcodeProgress' });
export type ZipcodeProgress = z.infer<typeof zipcodeProgressSchema>;

/**
 * `POST /api/v1/zipcode-assignments/status` (PROTOCOL.md §5). Field by field, what the deployed
 * Python client (`common/resi_api_client.py` `update_miner_status`) and the seed send:
 * - `hotkey`, `signature`, `timestamp`, `epochId`, `nonce`, `status`, `s3UploadComplete`: always;
 * - `listingsScraped`: when known (the first update of an epoch sends 0);
 * - `zipcodesCompleted`: only when non-empty;
 * - `s3UploadTimestamp`: only with `s3UploadComplete: true`, as `...Z` or `...+00:00`.
 *
 * Signed over `zipcode:status:{epochId}:{timestamp}` or `miner:status:{hotkey}:{epochId}:{timestamp}`.
 */
export const statusUpdateRequestSchema = z
  .object({
    ...signedBodyFields,
    epochId: epochIdSchema,
    nonce: epochNonceSchema,
    status: minerStatusSchema,
    listingsScraped: optionalField(storedCountSchema),
    zipcodesCompleted: optionalField(z.array(zipcodeProgressInputSchema).max(MAX_ZIPCODES_PER_STATUS_UPDATE)),
    s3UploadComplete: z.boolean(),
    s3UploadTimestamp: optionalField(isoDateTimeInputSchema),
  })
  .meta({ id: 'StatusUpdateRequest' });
export type StatusUpdateRequest = z.infer<typeof statusUpdateRequestSchema>;

/** Reply to a status update (PROTOCOL.md §5); `timestamp` is when the server recorded it. */
export const statusUpdateResponseSchema = z
  .object({
    success: successTrueSchema,
    message: z.string(),
    epochId: epochIdSchema,
    status: minerStatusSchema,
    timestamp: isoInstantSchema,
  })
  .meta({ id: 'StatusUpdateResponse' });
export type StatusUpdateResponse = z.infer<typeof statusUpdateResponseSchema>;

import { z } from 'zod';
import { epochStatusSchema } from './assignments.js';
import { epochIdSchema, isoInstantSchema, ss58AddressSchema, successTrueSchema } from './primitives.js';
import { minerStatusSchema, zipcodeProgressSchema } from './status.js';
import { declaredFileSchema, storedObjectSchema } from './storage.js';

/** One miner's participation in an epoch, as validators see it. */
export const minerSubmissionSchema = z
  .object({
    hotkey: ss58AddressSchema,
    /** The miner's uid on the subnet now; null when the hotkey is no longer registered. */
    uid: z.int().nonnegative().nullable(),
    /**
     * The last status the miner reported; null when it uploaded without ever reporting one (the
     * deployed Python miners may skip status updates, and their files still count).
     */
    status: minerStatusSchema.nullable(),
    /** The miner's own claim (its last `listingsScraped`); validators count the files themselves. */
    listingsClaimed: z.int().nonnegative(),
    /** Every zipcode reported finished, merged over all updates. */
    zipcodesCompleted: z.array(zipcodeProgressSchema),
    s3UploadComplete: z.boolean(),
    /** Miner-supplied, informative only; judge by the objects' `lastModified`. */
    s3UploadTimestamp: isoInstantSchema.nullable(),
    /** Server time of the last status update; null when the miner never reported one. */
    lastUpdateAt: isoInstantSchema.nullable(),
    /** Files declared through the per-file upload route; null for miners that never used it. */
    manifest: z.array(declaredFileSchema).nullable(),
    /**
     * What was stored under `data/hotkey={hotkey}/epoch={epochId}/` at `snapshotAt`, with fresh
     * download URLs, within the miner's caps for the epoch (`minerEpochUploadCaps` of its target).
     */
    objects: z.array(storedObjectSchema),
    /** Objects past the caps, left out of `objects`, and why; null (or absent) when none were. */
    objectsIgnored: z
      .object({
        /** At least this many: listing stops a little past the cap. */
        objects: z.int().nonnegative(),
        bytes: z.int().nonnegative(),
        reason: z.string(),
      })
      .nullable()
      .optional(),
  })
  .meta({ id: 'MinerSubmission' });
export type MinerSubmission = z.infer<typeof minerSubmissionSchema>;

/**
 * `GET /api/v1/epochs/{epochId}/submissions` (validators; signed over
 * `zipcode:validation:{epochId}:{timestamp}`): every miner that reported or uploaded for the epoch.
 */
export const epochSubmissionsResponseSchema = z
  .object({
    success: successTrueSchema,
    epochId: epochIdSchema,
    status: epochStatusSchema,
    submissionDeadline: isoInstantSchema,
    graceEnd: isoInstantSchema,
    /**
     * When the API recorded what every miner's folder held, after the grace end and before the
     * audit seed was revealed: `objects` are that record, whatever the folders hold now.
     */
    snapshotAt: isoInstantSchema.optional(),
    submissions: z.array(minerSubmissionSchema),
  })
  .meta({ id: 'EpochSubmissionsResponse' });
export type EpochSubmissionsResponse = z.infer<typeof epochSubmissionsResponseSchema>;

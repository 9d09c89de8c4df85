import { z } from 'zod';
import { epochStatusSchema } from './assignments.js';
import { epochIdSchema, isoInstantSchema, successTrueSchema } from './primitives.js';

const count = () => z.int().nonnegative();

/** How many miners took part in an epoch, by their last reported status. */
export const minerParticipationSchema = z
  .object({
    /** Hotkeys that sent at least one status update or upload for the epoch. */
    minersReporting: count(),
    inProgress: count(),
    completed: count(),
    failed: count(),
    timedOut: count(),
    /** Miners whose upload is complete (`s3UploadComplete`). */
    uploadsComplete: count(),
    /** Sum of the miners' own listing claims. */
    listingsClaimed: count(),
  })
  .meta({ id: 'MinerParticipation' });
export type MinerParticipation = z.infer<typeof minerParticipationSchema>;

/**
 * An epoch in the statistics. `id`, `status`, `startTime` and `endTime` are what the deployed
 * Python miner and validator read from `epochStatus.currentEpoch` (`common/resi_api_client.py`,
 * `neurons/validator.py`).
 */
export const epochSummarySchema = z
  .object({
    id: epochIdSchema,
    status: epochStatusSchema,
    startTime: isoInstantSchema,
    endTime: isoInstantSchema,
    submissionDeadline: isoInstantSchema,
    graceEnd: isoInstantSchema,
    zipcodeCount: count(),
    totalExpectedListings: count(),
    participation: minerParticipationSchema,
  })
  .meta({ id: 'EpochSummary' });
export type EpochSummary = z.infer<typeof epochSummarySchema>;

/**
 * `GET /api/v1/zipcode-assignments/stats` (public, cached). The seed's "System Statistics"
 * (`epochStatus.currentEpoch`) with the timing the Python client polls
 * (`epochStatus.timing.timeUntilEpochEnd`, seconds), the next epoch, the zipcode catalogue, recent
 * epochs and miner participation.
 */
export const statsResponseSchema = z
  .object({
    success: successTrueSchema,
    generatedAt: isoInstantSchema,
    epochStatus: z.object({
      /** The epoch active now; null when none exists (e.g. the scheduler has not created it). */
      currentEpoch: epochSummarySchema.nullable(),
      nextEpoch: z.object({
        id: epochIdSchema,
        pendingAt: isoInstantSchema,
        startTime: isoInstantSchema,
        endTime: isoInstantSchema,
      }),
      /** From the epoch grid, so defined even without a current epoch. Durations in seconds. */
      timing: z.object({
        serverTime: isoInstantSchema,
        timeUntilEpochEnd: count(),
        timeUntilNextEpoch: count(),
        epochDurationMinutes: z.int().positive(),
        pendingLeadMinutes: z.int().positive(),
        gracePeriodMinutes: count(),
        validationWindowMinutes: z.int().positive(),
      }),
    }),
    catalogue: z.object({
      zipcodes: count(),
      states: count(),
      byMarketTier: z.object({ PREMIUM: count(), STANDARD: count(), EMERGING: count() }),
      byRegion: z.object({ Northeast: count(), Midwest: count(), South: count(), West: count() }),
    }),
    /** Newest first, the current epoch included. */
    recentEpochs: z.array(epochSummarySchema),
  })
  .meta({ id: 'StatsResponse' });
export type StatsResponse = z.infer<typeof statsResponseSchema>;

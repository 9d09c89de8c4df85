import { z } from 'zod';
import { epochStatusSchema } from './assignments.js';
import { minerLabelsSchema } from './miner-labels.js';
import { epochSummarySchema } from './stats.js';
import {
  epochIdSchema,
  isoInstantSchema,
  sha256HexSchema,
  ss58AddressSchema,
  successTrueSchema,
  zipcodeSchema,
} from './primitives.js';

/*
 * Public, unsigned reads behind the dashboard (`/api/v1/dashboard/...`). Everything here is what
 * anyone watching the subnet may see: no nonces, no secrets, and honeypot flags only once the
 * epoch is COMPLETED or ARCHIVED (the rule of the validator assignment route).
 */

const count = () => z.int().nonnegative();
const unit = () => z.number().min(0).max(1);

/** An assigned zipcode with its position on the map. */
export const dashboardZipcodeSchema = z
  .object({
    zipcode: zipcodeSchema,
    city: z.string(),
    state: z.string(),
    county: z.string(),
    expectedListings: count(),
    marketTier: z.enum(['PREMIUM', 'STANDARD', 'EMERGING']),
    geographicRegion: z.enum(['Northeast', 'Midwest', 'South', 'West']),
    /** WGS 84 degrees; null when the catalogue no longer lists the zipcode. */
    lat: z.number().min(-90).max(90).nullable(),
    lon: z.number().min(-180).max(180).nullable(),
  })
  .meta({ id: 'DashboardZipcode' });
export type DashboardZipcode = z.infer<typeof dashboardZipcodeSchema>;

/** `GET /api/v1/dashboard/epochs/current` and `/api/v1/dashboard/epochs/{epochId}`. */
export const dashboardEpochResponseSchema = z
  .object({
    success: successTrueSchema,
    serverTime: isoInstantSchema,
    epoch: z.object({
      id: epochIdSchema,
      status: epochStatusSchema,
      startTime: isoInstantSchema,
      endTime: isoInstantSchema,
      submissionDeadline: isoInstantSchema,
      graceEnd: isoInstantSchema,
      validationEnd: isoInstantSchema,
      targetListings: count(),
      totalExpectedListings: count(),
      zipcodeCount: count(),
    }),
    zipcodes: z.array(dashboardZipcodeSchema),
  })
  .meta({ id: 'DashboardEpochResponse' });
export type DashboardEpochResponse = z.infer<typeof dashboardEpochResponseSchema>;

/** One miner's progress in an epoch, from its status updates. */
export const dashboardMinerProgressSchema = z
  .object({
    hotkey: ss58AddressSchema,
    /** From the metagraph; null when the hotkey is no longer registered. */
    uid: z.int().nonnegative().nullable(),
    status: z.string(),
    zipcodesCompleted: count(),
    /** The miner's own claim; validators decide what counts. */
    listingsClaimed: count(),
    uploadComplete: z.boolean(),
    lastUpdate: isoInstantSchema,
  })
  .meta({ id: 'DashboardMinerProgress' });
export type DashboardMinerProgress = z.infer<typeof dashboardMinerProgressSchema>;

/** `GET /api/v1/dashboard/epochs/{epochId}/miners`: newest update first. */
export const dashboardMinersResponseSchema = z
  .object({
    success: successTrueSchema,
    epochId: epochIdSchema,
    miners: z.array(dashboardMinerProgressSchema),
  })
  .meta({ id: 'DashboardMinersResponse' });
export type DashboardMinersResponse = z.infer<typeof dashboardMinersResponseSchema>;

/** A miner's score in the consensus results file. */
export const dashboardMinerScoreSchema = z
  .object({
    hotkey: ss58AddressSchema,
    uid: z.int().nonnegative().nullable(),
    outcome: z.enum(['scored', 'honeypot', 'fabricated', 'rejected', 'abstained']),
    totalScore: unit(),
    dataQuality: unit(),
    accuracy: unit(),
    completeness: unit(),
    timeliness: unit(),
    /** Sum of the miner's zipcode rewards, before normalisation and burn. */
    weight: unit(),
    zipcodesWon: count(),
    /** Stable reason codes (`honeypot_listings`, `fabricated_listings`, `no_upload`, ...). */
    reasons: z.array(z.string()),
  })
  .meta({ id: 'DashboardMinerScore' });
export type DashboardMinerScore = z.infer<typeof dashboardMinerScoreSchema>;

/**
 * One real zipcode's ranking in the consensus results file. Honeypots are left out: nothing
 * public singles them out, not even after the epoch.
 */
export const dashboardZipcodeLeaderboardSchema = z
  .object({
    zipcode: zipcodeSchema,
    expectedListings: count(),
    observedListings: count().nullable(),
    ranking: z.array(
      z.object({
        rank: z.int().positive(),
        hotkey: ss58AddressSchema,
        zipcodeScore: unit(),
        creditedListings: count(),
        reward: unit(),
      }),
    ),
    /** Miners caught listing properties in this honeypot. */
  })
  .meta({ id: 'DashboardZipcodeLeaderboard' });
export type DashboardZipcodeLeaderboard = z.infer<typeof dashboardZipcodeLeaderboardSchema>;

/**
 * `GET /api/v1/dashboard/epochs/{epochId}/results`: validator consensus over the results files
 * validators uploaded for the epoch, and the scores of the file the largest group agrees on.
 * Empty lists until the epoch is COMPLETED and a validator has published.
 */
export const dashboardResultsResponseSchema = z
  .object({
    success: successTrueSchema,
    epochId: epochIdSchema,
    status: epochStatusSchema,
    consensus: z.object({
      validatorsReported: count(),
      /** Digest of the largest group; null when nobody published or the largest groups tie. */
      consensusSha256: sha256HexSchema.nullable(),
      /** Share of publishing validators in the largest group, 0..1. */
      agreement: unit(),
      groups: z.array(z.object({ resultsSha256: sha256HexSchema, validators: z.array(ss58AddressSchema) })),
    }),
    /** Whose copy of the consensus file the scores below come from; null without consensus. */
    scoresFrom: ss58AddressSchema.nullable(),
    miners: z.array(dashboardMinerScoreSchema),
    zipcodes: z.array(dashboardZipcodeLeaderboardSchema),
  })
  .meta({ id: 'DashboardResultsResponse' });
export type DashboardResultsResponse = z.infer<typeof dashboardResultsResponseSchema>;

/**
 * `GET /api/v1/dashboard/overview`: everything the dashboard polls, in one request so a page
 * refreshing every few seconds stays inside the per-IP limit of the public routes. `results` is
 * the newest COMPLETED or ARCHIVED epoch's (null before any epoch ended).
 */
export const dashboardOverviewResponseSchema = z
  .object({
    success: successTrueSchema,
    serverTime: isoInstantSchema,
    current: dashboardEpochResponseSchema.omit({ success: true, serverTime: true }),
    nextEpoch: z.object({ id: epochIdSchema, startTime: isoInstantSchema }),
    miners: z.array(dashboardMinerProgressSchema),
    results: dashboardResultsResponseSchema.omit({ success: true }).nullable(),
    /** Newest first, the current epoch included (from the statistics). */
    recentEpochs: z.array(epochSummarySchema),
    /**
     * The API operator's labels (`LABELS_FILE`) of the hotkeys in this response that have one;
     * empty without a label file. A name to show beside the uid and hotkey, never instead of them.
     */
    labels: minerLabelsSchema,
  })
  .meta({ id: 'DashboardOverviewResponse' });
export type DashboardOverviewResponse = z.infer<typeof dashboardOverviewResponseSchema>;

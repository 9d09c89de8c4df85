import { z } from 'zod';
import { signedBodyFields } from './signed-request.js';
import {
  epochIdSchema,
  isoInstantSchema,
  optionalField,
  storedCountSchema,
  sha256HexSchema,
  ss58AddressSchema,
  successTrueSchema,
} from './primitives.js';

/**
 * `POST /api/v1/validation-results` (validators; PROTOCOL.md §8): the SHA-256 of the results file
 * the validator uploaded for an epoch, so the API can show consensus (identical inputs give
 * byte-identical results). Signed over `validation:results:{epochId}:{resultsSha256}:{timestamp}`.
 */
export const validationResultsReportRequestSchema = z
  .object({
    ...signedBodyFields,
    epochId: epochIdSchema,
    resultsSha256: sha256HexSchema,
    /** How many miners the results score; shown on the dashboard. */
    minersScored: optionalField(storedCountSchema),
  })
  .meta({ id: 'ValidationResultsReportRequest' });
export type ValidationResultsReportRequest = z.infer<typeof validationResultsReportRequestSchema>;

/** Reply to a results report. */
export const validationResultsReportResponseSchema = z
  .object({
    success: successTrueSchema,
    message: z.string(),
    epochId: epochIdSchema,
    resultsSha256: sha256HexSchema,
    receivedAt: isoInstantSchema,
    /** Validators (this one included) that reported the same digest for the epoch so far. */
    matchingReports: z.int().positive(),
  })
  .meta({ id: 'ValidationResultsReportResponse' });
export type ValidationResultsReportResponse = z.infer<typeof validationResultsReportResponseSchema>;

/** Validators that reported one digest. */
export const consensusGroupSchema = z
  .object({
    resultsSha256: sha256HexSchema,
    validators: z.array(
      z.object({
        hotkey: ss58AddressSchema,
        reportedAt: isoInstantSchema,
        minersScored: z.int().nonnegative().nullable(),
      }),
    ),
  })
  .meta({ id: 'ConsensusGroup' });
export type ConsensusGroup = z.infer<typeof consensusGroupSchema>;

/**
 * Validator consensus for an epoch (public, e.g. `GET /api/v1/epochs/{epochId}/consensus`): the
 * reported digests grouped, largest group first.
 */
export const consensusResponseSchema = z
  .object({
    success: successTrueSchema,
    epochId: epochIdSchema,
    validatorsReported: z.int().nonnegative(),
    /** The digest of the largest group; null when nobody reported or the largest groups tie. */
    consensusSha256: sha256HexSchema.nullable(),
    /** Share of reporting validators in the largest group, 0..1 (0 when nobody reported). */
    agreement: z.number().min(0).max(1),
    groups: z.array(consensusGroupSchema),
  })
  .meta({ id: 'ConsensusResponse' });
export type ConsensusResponse = z.infer<typeof consensusResponseSchema>;

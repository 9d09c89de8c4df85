import { z } from 'zod';
import { EPOCH_PHASES } from '../epochs/epoch-phase.js';
import {
  epochIdSchema,
  epochNonceSchema,
  isoInstantSchema,
  sha256HexSchema,
  successTrueSchema,
  zipcodeSchema,
} from './primitives.js';

/** Market tiers of the seed's assignment response. */
export const MARKET_TIERS = ['PREMIUM', 'STANDARD', 'EMERGING'] as const;
export type MarketTier = (typeof MARKET_TIERS)[number];
export const marketTierSchema = z.enum(MARKET_TIERS).meta({ id: 'MarketTier' });

/** The four US Census regions (PROTOCOL.md §4). */
export const GEOGRAPHIC_REGIONS = ['Northeast', 'Midwest', 'South', 'West'] as const;
export type GeographicRegion = (typeof GEOGRAPHIC_REGIONS)[number];
export const geographicRegionSchema = z.enum(GEOGRAPHIC_REGIONS).meta({ id: 'GeographicRegion' });

/**
 * An epoch's lifecycle status as served. The same values as `EPOCH_PHASES`, so a service may
 * return `epochPhaseAt(...)` directly; `SCHEDULED` never appears for an epoch that exists.
 */
export const epochStatusSchema = z.enum(EPOCH_PHASES).meta({ id: 'EpochStatus' });

const assignedZipcodeFields = {
  zipcode: zipcodeSchema,
  /** Listings a miner should find there; honeypots carry a plausible number too. */
  expectedListings: z.int().nonnegative(),
  /** USPS two-letter code (states, DC, territories and military codes such as AE). */
  state: z.string().regex(/^[A-Z]{2}$/, { error: 'must be a two-letter USPS state code' }),
  city: z.string(),
  county: z.string(),
  marketTier: marketTierSchema,
  geographicRegion: geographicRegionSchema,
};

/** One assigned zipcode, as in the seed's `GET /current` example; every field required. */
export const assignedZipcodeSchema = z.object(assignedZipcodeFields).meta({ id: 'AssignedZipcode' });
export type AssignedZipcode = z.infer<typeof assignedZipcodeSchema>;

/** `metadata` of an assignment response (seed). `selectionSeed` is public, never the secret. */
export const assignmentMetadataSchema = z
  .object({
    totalExpectedListings: z.int().nonnegative(),
    zipcodeCount: z.int().nonnegative(),
    algorithmVersion: z.string().min(1),
    selectionSeed: z.int().nonnegative(),
  })
  .meta({ id: 'AssignmentMetadata' });

const assignmentResponseFields = {
  success: successTrueSchema,
  epochId: epochIdSchema,
  epochStart: isoInstantSchema,
  epochEnd: isoInstantSchema,
  nonce: epochNonceSchema,
  targetListings: z.int().positive(),
  /** Percent, e.g. 10 for ±10%; the API allows fractional values. */
  tolerancePercent: z.number().positive().max(100),
  submissionDeadline: isoInstantSchema,
  metadata: assignmentMetadataSchema,
};

/**
 * `GET /api/v1/zipcode-assignments/current` (PROTOCOL.md §4, the seed's response, all fields
 * required). The same zipcodes for every miner; honeypots are indistinguishable here.
 */
export const currentAssignmentsResponseSchema = z
  .object({ ...assignmentResponseFields, zipcodes: z.array(assignedZipcodeSchema) })
  .meta({ id: 'CurrentAssignmentsResponse' });
export type CurrentAssignmentsResponse = z.infer<typeof currentAssignmentsResponseSchema>;

/** A zipcode in a validator's view of an epoch: `isHoneypot` appears once the grace period has ended. */
export const epochZipcodeSchema = z
  .object({ ...assignedZipcodeFields, isHoneypot: z.boolean().optional() })
  .meta({ id: 'EpochZipcode' });
export type EpochZipcode = z.infer<typeof epochZipcodeSchema>;

const REVEALED_IN: ReadonlySet<string> = new Set(['COMPLETED', 'ARCHIVED']);

/**
 * `GET /api/v1/zipcode-assignments/epoch/{epochId}` (validators; PROTOCOL.md §4): the `/current`
 * shape plus `status`, and, once the epoch's grace period has ended (uploads are final), the
 * honeypot flags and `auditSeed`, the seed that draws the audited zipcodes (`auditedZipcodes`).
 * The schema refuses either before the epoch is COMPLETED, so a response that would leak them to
 * miners mid-epoch fails validation.
 */
export const epochAssignmentsResponseSchema = z
  .object({
    ...assignmentResponseFields,
    status: epochStatusSchema,
    zipcodes: z.array(epochZipcodeSchema),
    auditSeed: sha256HexSchema
      .optional()
      .describe(
        "Present once the grace period has ended and the API has recorded every miner's folder (the grace-end snapshot): the seed of the audited zipcodes (hex HMAC-SHA256).",
      ),
  })
  .superRefine((response, context) => {
    if (REVEALED_IN.has(response.status)) return;
    const message = `must be absent while the epoch is ${response.status}: it is revealed once the grace period has ended`;
    if (response.auditSeed !== undefined) context.addIssue({ code: 'custom', path: ['auditSeed'], message });
    response.zipcodes.forEach((zipcode, index) => {
      if (zipcode.isHoneypot !== undefined) {
        context.addIssue({ code: 'custom', path: ['zipcodes', index, 'isHoneypot'], message });
      }
    });
  })
  .meta({ id: 'EpochAssignmentsResponse' });
export type EpochAssignmentsResponse = z.infer<typeof epochAssignmentsResponseSchema>;

/**
 * Whether the API has revealed what an epoch's scoring needs: the audit seed and every zipcode's
 * honeypot flag. It reveals them once it has recorded what every miner's folder holds at the grace
 * end; until then a validator waits and scores nothing (it never scores, nor abstains, without
 * them).
 */
export function epochRevealed(response: {
  readonly auditSeed?: string | undefined;
  readonly zipcodes: readonly { readonly isHoneypot?: boolean | undefined }[];
}): boolean {
  return response.auditSeed !== undefined && response.zipcodes.every((zipcode) => zipcode.isHoneypot !== undefined);
}

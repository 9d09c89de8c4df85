import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  epochIdSchema,
  isoInstantSchema,
  sha256HexSchema,
  ss58AddressSchema,
  zipcodeSchema,
} from '../schemas/primitives.js';
import { AUDIT_MIN_ZIPCODES, AUDIT_ZIPCODE_SHARE, NO_VERDICT_REASONS } from './audit.js';
import type { CredibilityChange, CredibilityParams } from './credibility.js';
import { DATA_QUALITY_CHECKS } from './data-quality.js';
import type { EpochScoreSheet, EpochScoringContext, MinerEvidence } from './epoch-scoring.js';
import { MINER_OUTCOMES, averageTotalScore } from './epoch-scoring.js';

/**
 * `validation_results.json` (seed, "Validator Results Format"; PROTOCOL.md §6, §8): the seed's
 * `epoch_id`, `validator_hotkey`, `validation_timestamp`, `validation_results[hotkey].score` and
 * `summary`, plus what makes the file auditable: the audit (seed, audited zipcodes), each miner's
 * reasons, row counts, audit verdicts, credited listings, weight and credibility, the per-zipcode
 * rewards, and `results_sha256`.
 *
 * `results_sha256` is what validators report to `POST /api/v1/validation-results` and what the
 * consensus view compares: the SHA-256 of the file's RFC 8785 (JCS) canonical JSON without
 * `validator_hotkey` and `results_sha256`, so two validators with the same inputs agree on it
 * although each signs its own file. `validation_timestamp` is the epoch's grace end (the instant
 * the inputs were final), not a wall-clock time, so re-running a validation reproduces the file
 * byte for byte.
 */
/**
 * The results file's format version. 2.0 (docs/protocol.md, "Results file") replaced the accuracy
 * sample with the audit, copies with overlaps, ranked shares with proportional rewards, and added
 * outcomes, credibility and abstentions; the seed's fields a Python reader uses are unchanged.
 */
export const VALIDATION_RESULTS_FORMAT_VERSION = '2.0';

/** How many miners `summary.top_performers` lists (seed: the top 10). */
export const TOP_PERFORMERS_LISTED = 10;

const scoreValue = z.number().min(0).max(1);
const count = z.int().nonnegative();
const reasonSchema = z.strictObject({ code: z.string().min(1), message: z.string() });
const credibilitySchema = z.strictObject({
  uid: z.int().nonnegative().nullable(),
  before: z.number().min(0).max(1),
  after: z.number().min(0).max(1),
  penalty_epochs_left: count,
});

const minerResultSchema = z.strictObject({
  uid: z.int().nonnegative().nullable(),
  outcome: z.enum(MINER_OUTCOMES),
  score: z.strictObject({
    data_quality: scoreValue,
    accuracy: scoreValue,
    completeness: scoreValue,
    timeliness: scoreValue,
    total_score: scoreValue,
  }),
  /** Sum of the miner's zipcode rewards, before normalisation and burn. */
  weight: z.number().min(0).max(1),
  /** Server-observed time of the last scored object. */
  uploaded_at: isoInstantSchema.nullable(),
  quality_checks: z.record(z.enum(DATA_QUALITY_CHECKS), scoreValue).nullable(),
  completeness_detail: z.strictObject({ coverage: scoreValue, targets: scoreValue }).nullable(),
  listings: z
    .object({
      rows: count,
      valid_rows: count,
      duplicate_rows: count,
      /** Listings an earlier upload delivered first (credited there, not here; not a finding). */
      overlap_rows: count,
      credited_rows: count,
      /** Rows per quality reason, reasons in code order. */
      row_reasons: z.record(z.string(), count),
    })
    .nullable(),
  /** The miner's valid rows in the audited zipcodes and what the sources said of them. */
  audit: z
    .strictObject({
      rows: count,
      verified: count,
      mismatched: count,
      not_found: count,
      delisted: count,
      fabricated: count,
      no_verdict: z.partialRecord(z.enum(NO_VERDICT_REASONS), count),
    })
    .nullable(),
  /** The miner's credibility (the weight this validator sets) before and after this epoch. */
  credibility: credibilitySchema,
  placings: z.array(z.strictObject({ zipcode: zipcodeSchema, rank: z.int().positive(), reward: z.number().min(0) })),
  reasons: z.array(reasonSchema),
});
export type ValidationMinerResult = z.infer<typeof minerResultSchema>;

const zipcodeRankingSchema = z.strictObject({
  zipcode: zipcodeSchema,
  expected_listings: count,
  is_honeypot: z.boolean(),
  /** Audited with a verdict: every row there was checked, completeness measured against the true count. */
  audited: z.boolean(),
  pool: z.number().min(0).max(1),
  /** The validated count the API's expected-listings history uses: the true count where audited. */
  observed_listings: count.nullable(),
  ranking: z.array(
    z.strictObject({
      rank: z.int().positive(),
      hotkey: ss58AddressSchema,
      zipcode_score: scoreValue,
      credited_listings: count,
      uploaded_at: isoInstantSchema,
      share: z.number().min(0).max(1),
      reward: z.number().min(0).max(1),
    }),
  ),
  honeypot_claims: z.array(z.strictObject({ hotkey: ss58AddressSchema, rows: z.int().positive() })),
});
export type ValidationZipcodeRanking = z.infer<typeof zipcodeRankingSchema>;

/** The whole results file. */
export const validationResultsFileSchema = z.strictObject({
  epoch_id: epochIdSchema,
  validator_hotkey: ss58AddressSchema,
  validation_timestamp: isoInstantSchema,
  results_format_version: z.literal(VALIDATION_RESULTS_FORMAT_VERSION),
  epoch_nonce: z.string().min(1),
  audit: z.strictObject({
    /** Revealed by the API at the grace end; null when it revealed none (the validator then abstains). */
    seed: sha256HexSchema.nullable(),
    zipcodes: z.array(zipcodeSchema),
    share: z.number().min(0).max(1),
    min_zipcodes: count,
    /** Why this validator reached no verdict for the whole epoch, if so. */
    abstention: reasonSchema.nullable(),
  }),
  credibility: z.strictObject({
    alpha: z.number().gt(0).max(1),
    penalty_epochs: count,
    /** Hotkeys with credibility that have no result this epoch (they did not upload). */
    carried: z.record(ss58AddressSchema, credibilitySchema),
  }),
  validation_results: z.record(ss58AddressSchema, minerResultSchema),
  zipcode_rankings: z.array(zipcodeRankingSchema),
  summary: z.strictObject({
    total_miners: count,
    scored_miners: count,
    honeypot_miners: count,
    fabricated_miners: count,
    rejected_miners: count,
    abstained_miners: count,
    average_score: scoreValue,
    top_performers: z.array(z.strictObject({ hotkey: ss58AddressSchema, total_score: scoreValue, weight: z.number() })),
  }),
  results_sha256: sha256HexSchema,
});
export type ValidationResultsFile = z.infer<typeof validationResultsFileSchema>;

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function sortedRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * RFC 8785 canonical JSON of a JSON value: object keys sorted by UTF-16 code units, no
 * whitespace, numbers as ECMAScript prints them (which is what JCS specifies).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`${value} is not JSON`);
    const text = JSON.stringify(value);
    if (text === undefined) throw new RangeError(`${typeof value} is not JSON`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
}

/**
 * The digest validators report: SHA-256 (lowercase hex) of the canonical JSON of `file` without
 * `validator_hotkey` and `results_sha256`.
 */
export function validationResultsDigest(file: Omit<ValidationResultsFile, 'results_sha256'>): string {
  const { validator_hotkey: _validator, ...content } = file as ValidationResultsFile;
  const { results_sha256: _digest, ...shared } = content;
  return createHash('sha256').update(canonicalJson(shared), 'utf8').digest('hex');
}

/** What a results file is built from. */
export interface ValidationResultsInput {
  readonly context: EpochScoringContext;
  readonly evidence: readonly MinerEvidence[];
  readonly sheet: EpochScoreSheet;
  readonly validatorHotkey: string;
  /** The credibility update of this epoch (`applyCredibility`) and its parameters. */
  readonly credibility: { readonly params: CredibilityParams; readonly changes: readonly CredibilityChange[] };
}

function credibilityEntry(change: CredibilityChange | undefined, uid: number | null) {
  return {
    uid: change?.uid ?? uid,
    before: change?.before ?? 0,
    after: change?.after ?? 0,
    penalty_epochs_left: change?.penaltyEpochsLeft ?? 0,
  };
}

/**
 * Assembles the results file, `results_sha256` included. Every collection is in a fixed order
 * (miners by hotkey, zipcodes by zipcode, reasons by code), so equal inputs give equal files.
 */
export function buildValidationResultsFile(input: ValidationResultsInput): ValidationResultsFile {
  const { context, sheet } = input;
  const evidenceByHotkey = new Map(input.evidence.map((miner) => [miner.hotkey, miner]));
  const changes = new Map(input.credibility.changes.map((change) => [change.hotkey, change]));
  const validationResults = sortedRecord(
    sheet.miners.map((miner) => {
      const evidence = evidenceByHotkey.get(miner.hotkey);
      const unscanned = evidence?.rejection || evidence?.abstention;
      const listings = unscanned ? null : (evidence?.listings ?? null);
      const audit = unscanned ? null : (evidence?.audit ?? null);
      const credited = listings ? [...listings.creditedByZipcode.values()].reduce((sum, rows) => sum + rows, 0) : 0;
      const result: ValidationMinerResult = {
        uid: miner.uid,
        outcome: miner.outcome,
        score: miner.score,
        weight: miner.weight,
        uploaded_at: isoOrNull(miner.uploadedAtMs),
        quality_checks: miner.qualityChecks,
        completeness_detail: miner.completeness && {
          coverage: miner.completeness.coverage,
          targets: miner.completeness.targets,
        },
        listings: listings && {
          rows: listings.rows,
          valid_rows: listings.validRows,
          duplicate_rows: listings.duplicateRows,
          overlap_rows: listings.overlapRows,
          credited_rows: credited,
          row_reasons: sortedRecord(
            Object.entries(listings.reasonCounts).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0),
          ),
        },
        audit: audit && {
          rows: audit.rows,
          verified: audit.verified,
          mismatched: audit.mismatched,
          not_found: audit.notFound,
          delisted: audit.delisted,
          fabricated: audit.fabricated,
          no_verdict: sortedRecord(
            NO_VERDICT_REASONS.filter((reason) => (audit.noVerdict[reason] ?? 0) > 0).map(
              (reason) => [reason, audit.noVerdict[reason]!] as const,
            ),
          ),
        },
        credibility: credibilityEntry(changes.get(miner.hotkey), miner.uid),
        placings: [...miner.placings],
        reasons: [...miner.notes],
      };
      return [miner.hotkey, result] as const;
    }),
  );
  const zipcodeRankings: ValidationZipcodeRanking[] = sheet.zipcodes.map((zipcode) => ({
    zipcode: zipcode.zipcode,
    expected_listings: zipcode.expectedListings,
    is_honeypot: zipcode.isHoneypot,
    audited: zipcode.audited,
    pool: zipcode.pool,
    observed_listings: zipcode.observedListings,
    ranking: zipcode.ranking.map((entry) => ({
      rank: entry.rank,
      hotkey: entry.hotkey,
      zipcode_score: entry.zipcodeScore,
      credited_listings: entry.creditedListings,
      uploaded_at: new Date(entry.uploadedAtMs).toISOString(),
      share: entry.share,
      reward: entry.reward,
    })),
    honeypot_claims: [...zipcode.honeypotClaims],
  }));
  const topPerformers = [...sheet.miners]
    .sort(
      (a, b) =>
        b.score.total_score - a.score.total_score ||
        b.weight - a.weight ||
        (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0),
    )
    .slice(0, TOP_PERFORMERS_LISTED)
    .map((miner) => ({ hotkey: miner.hotkey, total_score: miner.score.total_score, weight: miner.weight }));
  const outcomes = (outcome: string) => sheet.miners.filter((miner) => miner.outcome === outcome).length;
  const withoutDigest: Omit<ValidationResultsFile, 'results_sha256'> = {
    epoch_id: context.epochId,
    validator_hotkey: input.validatorHotkey,
    validation_timestamp: new Date(context.graceEndMs).toISOString(),
    results_format_version: VALIDATION_RESULTS_FORMAT_VERSION,
    epoch_nonce: context.nonce,
    audit: {
      seed: context.audit.seed,
      zipcodes: [...context.audit.zipcodes],
      share: AUDIT_ZIPCODE_SHARE,
      min_zipcodes: AUDIT_MIN_ZIPCODES,
      abstention: context.audit.abstention && {
        code: context.audit.abstention.code,
        message: context.audit.abstention.message,
      },
    },
    credibility: {
      alpha: input.credibility.params.alpha,
      penalty_epochs: input.credibility.params.penaltyEpochs,
      carried: sortedRecord(
        input.credibility.changes
          .filter((change) => !(change.hotkey in validationResults))
          .map((change) => [change.hotkey, credibilityEntry(change, change.uid)] as const),
      ),
    },
    validation_results: validationResults,
    zipcode_rankings: zipcodeRankings,
    summary: {
      total_miners: sheet.miners.length,
      scored_miners: outcomes('scored'),
      honeypot_miners: outcomes('honeypot'),
      fabricated_miners: outcomes('fabricated'),
      rejected_miners: outcomes('rejected'),
      abstained_miners: outcomes('abstained'),
      average_score: averageTotalScore(sheet),
      top_performers: topPerformers,
    },
  };
  return { ...withoutDigest, results_sha256: validationResultsDigest(withoutDigest) };
}

/** The file's bytes: two-space indented JSON (as the seed's `json.dumps(indent=2)`) and a newline. */
export function serializeValidationResults(file: ValidationResultsFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Parses a results file and checks that its `results_sha256` is the digest of its content.
 * @throws Error naming the broken field or the digest mismatch.
 */
export function parseValidationResultsFile(text: string): ValidationResultsFile {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`validation results are not JSON: ${(error as Error).message}`);
  }
  const parsed = validationResultsFileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`validation results are invalid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  const digest = validationResultsDigest(parsed.data);
  if (digest !== parsed.data.results_sha256) {
    throw new Error(
      `validation results digest mismatch: content hashes to ${digest}, the file says ${parsed.data.results_sha256}`,
    );
  }
  return parsed.data;
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isSs58Address } from '../crypto/ss58.js';
import { EPOCH_ID_PATTERN } from '../epochs/epoch-id.js';
import { ResiError } from '../errors.js';
import { isIsoUtcTimestamp } from './listing.js';

/** The `data_format_version` every upload of this protocol declares (seed, "Miner Data Upload Format"). */
export const DATA_FORMAT_VERSION = '2.0';

/** Names a miner's listings files may take: `listings.parquet`, or parts `listings-0001.parquet`, ... (§6). */
export const LISTINGS_FILE_NAME_PATTERN = /^listings(?:-\d{4})?\.parquet$/;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What `metadata.json` says about one uploaded listings file, so a validator can check it arrived whole. */
export const listingsFileEntrySchema = z.object({
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: z.string().regex(SHA256_HEX, 'must be 64 lowercase hex characters'),
  bytes: z.int().nonnegative(),
  rows: z.int().nonnegative(),
});
export type ListingsFileEntry = z.infer<typeof listingsFileEntrySchema>;

const isoUtcTimestamp = z.string().refine(isIsoUtcTimestamp, 'must be an ISO 8601 UTC timestamp');

/**
 * `metadata.json`, uploaded beside the listings files (PROTOCOL.md §7): the seed's fields with
 * their seed shapes (`zipcodes_completed` is a count), plus the epoch nonce the miner worked
 * under and, keyed by file name, each file's digest, size and row count.
 */
export const minerUploadMetadataSchema = z
  .object({
    epoch_id: z.string().regex(EPOCH_ID_PATTERN, 'must be an epoch ID such as 2025-10-01T16-00-00'),
    miner_hotkey: z.string().refine(isSs58Address, 'must be an SS58 address with prefix 42'),
    // Compared for equality with the epoch's nonce by validators; its format is the assignments' business.
    epoch_nonce: z.string().min(1),
    mining_start_time: isoUtcTimestamp,
    mining_end_time: isoUtcTimestamp,
    total_listings: z.int().nonnegative(),
    zipcodes_completed: z.int().nonnegative(),
    data_format_version: z.literal(DATA_FORMAT_VERSION),
    files: z.record(
      z.string().regex(LISTINGS_FILE_NAME_PATTERN, 'must be listings.parquet or listings-NNNN.parquet'),
      listingsFileEntrySchema,
    ),
  })
  .superRefine((metadata, context) => {
    const fileNames = Object.keys(metadata.files);
    if (fileNames.length === 0) {
      context.addIssue({ code: 'custom', path: ['files'], message: 'must list at least one listings file' });
    }
    if (Date.parse(metadata.mining_end_time) < Date.parse(metadata.mining_start_time)) {
      context.addIssue({ code: 'custom', path: ['mining_end_time'], message: 'must not be before mining_start_time' });
    }
    const rowsInFiles = fileNames.reduce((sum, name) => sum + (metadata.files[name]?.rows ?? 0), 0);
    if (rowsInFiles !== metadata.total_listings) {
      context.addIssue({
        code: 'custom',
        path: ['total_listings'],
        message: `must equal the rows of the listed files (${rowsInFiles})`,
      });
    }
  });
export type MinerUploadMetadata = z.infer<typeof minerUploadMetadataSchema>;

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The `metadata.json` entry describing a listings file of `rows` rows whose content is `bytes`. */
export function listingsFileEntryOf(bytes: Uint8Array, rows: number): ListingsFileEntry {
  return { sha256: sha256Hex(bytes), bytes: bytes.byteLength, rows };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
}

/**
 * Parses and checks a `metadata.json` document (text or UTF-8 bytes).
 * @throws ResiError `VALIDATION_FAILED` naming every field that breaks the schema, or saying the
 * text is not JSON.
 */
export function parseMinerUploadMetadata(json: string | Uint8Array): MinerUploadMetadata {
  return checkMinerUploadMetadata(parseJsonDocument(json));
}

function parseJsonDocument(json: string | Uint8Array): unknown {
  const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ResiError('VALIDATION_FAILED', `metadata.json is not JSON: ${(error as Error).message}`);
  }
}

function checkMinerUploadMetadata(document: unknown): MinerUploadMetadata {
  const parsed = minerUploadMetadataSchema.safeParse(document);
  if (!parsed.success) {
    throw new ResiError('VALIDATION_FAILED', `metadata.json is invalid: ${describeIssues(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

/**
 * The seed's own `metadata.json` (seed, "Miner Data Upload Format"; the deployed Python miners
 * write it): `epoch_id` and `miner_hotkey` identify the upload, the rest is the miner's free
 * account of itself and is not relied on (`mining_*_time` come from Python's `isoformat()`, often
 * without a zone). It has no `epoch_nonce` and no per-file list: a validator finds the listings
 * files by listing the miner's epoch folder and skips the checks only those fields allow
 * ({@link SEED_METADATA_SKIPPED_CHECKS}).
 */
export const seedUploadMetadataSchema = z.looseObject({
  epoch_id: z.string().regex(EPOCH_ID_PATTERN, 'must be an epoch ID such as 2025-10-01T16-00-00'),
  miner_hotkey: z.string().refine(isSs58Address, 'must be an SS58 address with prefix 42'),
});
export type SeedUploadMetadata = z.infer<typeof seedUploadMetadataSchema>;

/** A parsed `metadata.json`: this protocol's (nonce and per-file digests) or the seed's. */
export type UploadMetadata =
  | { readonly format: 'resi'; readonly metadata: MinerUploadMetadata }
  | { readonly format: 'seed'; readonly metadata: SeedUploadMetadata };

/** A check a validator could not run on an upload, and why: published in the results file. */
export interface SkippedUploadCheck {
  /** Stable code, `check_skipped_<check>`. */
  readonly code: string;
  readonly message: string;
}

/**
 * What a seed-format upload is not checked for, and what holds instead. Nothing here is
 * something a miner could want to skip: what each check guarded is guarded another way.
 */
export const SEED_METADATA_SKIPPED_CHECKS: readonly SkippedUploadCheck[] = [
  {
    code: 'check_skipped_nonce_binding',
    message:
      "metadata.json is in the seed's format, without epoch_nonce, so it is not bound to this epoch's nonce; " +
      'instead only listings files the storage recorded at or after the epoch start are scored, and upload time, ' +
      'timeliness and crediting follow the storage, as for every upload',
  },
  {
    code: 'check_skipped_declared_files',
    message:
      "metadata.json lists no files with SHA-256 and size; the listings files are those in the miner's epoch folder " +
      "(within the epoch's caps), each checked against the size the storage reports and, where the upload was " +
      'declared, against the declared size and SHA-256',
  },
  {
    code: 'check_skipped_declared_rows',
    message:
      "metadata.json declares no row counts; the Parquet footers' counts are used, within the epoch's listings cap",
  },
];

/**
 * Parses a `metadata.json` in either format. A document naming `epoch_nonce` or `files` is this
 * protocol's and must satisfy {@link minerUploadMetadataSchema} whole, so a wrong nonce or file
 * list never falls back to the seed's format; a document with neither is the seed's.
 * @throws ResiError `VALIDATION_FAILED` naming every field that breaks the schema, or saying the
 * text is not JSON.
 */
export function parseUploadMetadata(json: string | Uint8Array): UploadMetadata {
  const document = parseJsonDocument(json);
  const isObject = typeof document === 'object' && document !== null && !Array.isArray(document);
  if (isObject && !('epoch_nonce' in document) && !('files' in document)) {
    const parsed = seedUploadMetadataSchema.safeParse(document);
    if (!parsed.success) {
      throw new ResiError('VALIDATION_FAILED', `metadata.json is invalid: ${describeIssues(parsed.error)}`, {
        issues: parsed.error.issues,
      });
    }
    return { format: 'seed', metadata: parsed.data };
  }
  return { format: 'resi', metadata: checkMinerUploadMetadata(document) };
}

/**
 * The `metadata.json` text for `metadata`, indented like the seed's Python miner writes it.
 * @throws ResiError `VALIDATION_FAILED` when `metadata` breaks the schema, so a miner never
 * uploads a document validators would refuse.
 */
export function serializeMinerUploadMetadata(metadata: MinerUploadMetadata): string {
  const parsed = minerUploadMetadataSchema.safeParse(metadata);
  if (!parsed.success) {
    throw new ResiError('VALIDATION_FAILED', `metadata.json would be invalid: ${describeIssues(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}

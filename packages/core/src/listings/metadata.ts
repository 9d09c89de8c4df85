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
  const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ResiError('VALIDATION_FAILED', `metadata.json is not JSON: ${(error as Error).message}`);
  }
  const parsed = minerUploadMetadataSchema.safeParse(document);
  if (!parsed.success) {
    throw new ResiError('VALIDATION_FAILED', `metadata.json is invalid: ${describeIssues(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
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

import { join } from 'node:path';
import {
  type DeclaredFile,
  type ListingsSchemaInspection,
  type MinerRejection,
  type MinerSubmission,
  type MinerEpochUploadCaps,
  type MinerUploadMetadata,
  type StoredObject,
  inspectListingsParquetSchema,
  MAX_METADATA_BYTES,
  minerObjectKey,
  parseMinerUploadMetadata,
  withinUploadCaps,
} from '@resi/core';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { mapWithConcurrency } from '../util/concurrency.js';
import { MissingObjectError, type ObjectFetcher } from './object-fetcher.js';
import {
  DEFAULT_DOWNLOAD_LIMITS,
  type DownloadLimits,
  DownloadFailure,
  DownloadRefusal,
  downloadVerified,
} from './verified-download.js';

export { MAX_METADATA_BYTES };

const METADATA_FILE_NAME = 'metadata.json';

/** A listings file downloaded and proven to be what the miner declared. */
export interface VerifiedListingsFile {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly inspection: ListingsSchemaInspection;
}

/** One miner's submission after download and verification. */
export interface VerifiedSubmission {
  readonly hotkey: string;
  readonly uid: number | null;
  readonly listingsClaimed: number | null;
  /** Storage's LastModified of the newest object scored (metadata.json and the listed files). */
  readonly uploadedAtMs: number | null;
  /** Listings files in name order; empty when rejected or not downloaded. */
  readonly files: readonly VerifiedListingsFile[];
  /** The upload is not what the miner declared (its fault). */
  readonly rejection: MinerRejection | null;
  /** A download failed on the way after every retry (our fault): no verdict for the miner. */
  readonly downloadFailure: string | null;
}

export interface SubmissionDownloadOptions {
  readonly epochId: string;
  readonly epochNonce: string;
  /** Files go to `<directory>/<hotkey>/<name>`. */
  readonly directory: string;
  readonly fetcher: ObjectFetcher;
  /** Miners downloaded at once. */
  readonly concurrency: number;
  readonly limits?: DownloadLimits;
  /**
   * The epoch's per-miner caps (`minerEpochUploadCaps` of its target): objects past them are
   * never read, and a metadata.json claiming more files, bytes or rows than they allow is refused
   * unread, so a validator's download and scan are bounded whatever a miner uploads.
   */
  readonly caps?: MinerEpochUploadCaps;
}

class Refusal extends Error {
  constructor(readonly rejection: MinerRejection) {
    super(rejection.message);
  }
}

const refuse = (code: MinerRejection['code'], message: string) => new Refusal({ code, message });

async function readSmallObject(
  fetcher: ObjectFetcher,
  object: StoredObject,
  limit: number,
  limits: DownloadLimits,
): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      const chunks: Uint8Array[] = [];
      let received = 0;
      for await (const chunk of await fetcher.open(object, AbortSignal.timeout(limits.timeoutMs))) {
        received += chunk.byteLength;
        if (received > limit) throw refuse('invalid_metadata', `metadata.json is larger than ${limit} bytes`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    } catch (error) {
      if (error instanceof Refusal) throw error;
      if (error instanceof MissingObjectError) throw refuse('missing_metadata', 'metadata.json is not in storage');
      if (attempt >= limits.attempts) {
        throw new DownloadFailure(`metadata.json could not be downloaded: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
  }
}

function checkMetadataIdentity(
  metadata: MinerUploadMetadata,
  submission: MinerSubmission,
  options: SubmissionDownloadOptions,
) {
  const problems: string[] = [];
  if (metadata.epoch_id !== options.epochId) problems.push(`epoch_id is ${metadata.epoch_id}, not ${options.epochId}`);
  if (metadata.miner_hotkey !== submission.hotkey)
    problems.push(`miner_hotkey is ${metadata.miner_hotkey}, not the uploader`);
  if (metadata.epoch_nonce !== options.epochNonce)
    problems.push(`epoch_nonce ${metadata.epoch_nonce} is not the epoch's`);
  if (problems.length) throw refuse('metadata_mismatch', `metadata.json: ${problems.join('; ')}`);
}

function checkWithinCaps(metadata: MinerUploadMetadata, caps: MinerEpochUploadCaps) {
  const files = Object.values(metadata.files);
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const rows = files.reduce((sum, file) => sum + file.rows, 0);
  const over = [
    files.length > caps.maxObjects - 1 ? `${files.length} listings files (cap ${caps.maxObjects - 1})` : undefined,
    bytes > caps.maxBytes ? `${bytes} bytes (cap ${caps.maxBytes})` : undefined,
    rows > caps.maxListings ? `${rows} rows (cap ${caps.maxListings})` : undefined,
  ].filter((part) => part !== undefined);
  if (over.length > 0) {
    throw refuse(
      'over_upload_cap',
      `metadata.json declares ${over.join(', ')}, past the epoch's per-miner caps (from its target); nothing was downloaded`,
    );
  }
}

function checkManifest(name: string, declared: { bytes: number; sha256: string }, manifest: DeclaredFile[] | null) {
  if (manifest === null) return;
  const entry = manifest.find((file) => file.name === name);
  if (!entry) throw refuse('manifest_mismatch', `${name} is in metadata.json but was never declared for upload`);
  if (entry.bytes !== declared.bytes || entry.sha256 !== declared.sha256) {
    throw refuse(
      'manifest_mismatch',
      `${name}: metadata.json and the upload declaration disagree on its size or SHA-256`,
    );
  }
}

async function verifyListingsFile(path: string, name: string, declaredRows: number): Promise<ListingsSchemaInspection> {
  let inspection: ListingsSchemaInspection;
  let rows: number;
  try {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    rows = Number(metadata.num_rows);
    inspection = inspectListingsParquetSchema(metadata);
  } catch {
    // The decoder's own words stay out of the results: they vary by library release.
    throw refuse('corrupt_parquet', `${name} is not readable Parquet: its footer does not decode`);
  }
  if (rows !== declaredRows) {
    throw refuse('row_count_mismatch', `${name} holds ${rows} rows; metadata.json declares ${declaredRows}`);
  }
  if (inspection.schemaProblems.length > 0) {
    throw refuse('wrong_schema', `${name}: ${inspection.schemaProblems.map((problem) => problem.message).join('; ')}`);
  }
  return inspection;
}

async function verifySubmission(
  submission: MinerSubmission,
  options: SubmissionDownloadOptions,
): Promise<VerifiedSubmission> {
  const base = { hotkey: submission.hotkey, uid: submission.uid, listingsClaimed: submission.listingsClaimed };
  // The API applies the same caps; applied again here so a validator's work never rests on it.
  const objects = options.caps ? withinUploadCaps(submission.objects, options.caps).kept : submission.objects;
  const objectsByKey = new Map(objects.map((object) => [object.key, object]));
  const lastModified = (object: StoredObject) => Date.parse(object.lastModified);
  const metadataObject = objectsByKey.get(minerObjectKey(submission.hotkey, options.epochId, METADATA_FILE_NAME));
  let uploadedAtMs: number | null = objects.length ? Math.max(...objects.map(lastModified)) : null;
  try {
    if (objects.length === 0) throw refuse('no_upload', 'no objects were uploaded for this epoch');
    if (!metadataObject) throw refuse('missing_metadata', 'metadata.json was not uploaded');
    if (metadataObject.size > MAX_METADATA_BYTES) {
      throw refuse(
        'invalid_metadata',
        `metadata.json is ${metadataObject.size} bytes, more than ${MAX_METADATA_BYTES}`,
      );
    }
    let metadata: MinerUploadMetadata;
    try {
      const limits = options.limits ?? DEFAULT_DOWNLOAD_LIMITS;
      const bytes = await readSmallObject(options.fetcher, metadataObject, MAX_METADATA_BYTES, limits);
      metadata = parseMinerUploadMetadata(bytes);
    } catch (error) {
      if (error instanceof Refusal || error instanceof DownloadFailure) throw error;
      throw refuse('invalid_metadata', (error as Error).message);
    }
    checkMetadataIdentity(metadata, submission, options);
    if (options.caps) checkWithinCaps(metadata, options.caps);
    const names = Object.keys(metadata.files).sort();
    const listed = names.map((name) => {
      const object = objectsByKey.get(minerObjectKey(submission.hotkey, options.epochId, name));
      if (!object) throw refuse('missing_file', `${name} is listed in metadata.json but was not uploaded`);
      checkManifest(name, metadata.files[name]!, submission.manifest);
      return { name, object, declared: metadata.files[name]! };
    });
    // The submission is judged by its scored objects: a stray later object does not make it late.
    uploadedAtMs = Math.max(lastModified(metadataObject), ...listed.map((entry) => lastModified(entry.object)));
    const files: VerifiedListingsFile[] = [];
    for (const { name, object, declared } of listed) {
      const path = join(options.directory, submission.hotkey, name);
      try {
        await downloadVerified(options.fetcher, object, declared, path, options.limits ?? DEFAULT_DOWNLOAD_LIMITS);
      } catch (error) {
        if (error instanceof DownloadRefusal) throw refuse(error.code, error.message);
        throw error;
      }
      files.push({ name, path, rows: declared.rows, inspection: await verifyListingsFile(path, name, declared.rows) });
    }
    return { ...base, uploadedAtMs, files, rejection: null, downloadFailure: null };
  } catch (error) {
    if (error instanceof Refusal) {
      return { ...base, uploadedAtMs, files: [], rejection: error.rejection, downloadFailure: null };
    }
    if (error instanceof DownloadFailure) {
      return { ...base, uploadedAtMs, files: [], rejection: null, downloadFailure: error.message };
    }
    throw error;
  }
}

/**
 * Downloads and verifies every submission, `concurrency` miners at a time: `metadata.json` parsed
 * and matched to the epoch, nonce and uploader; every listed file present, declared consistently
 * in the upload manifest, within the size limit, then downloaded with its size and SHA-256
 * checked and its footer's row count and schema compared with the declaration. A miner whose
 * upload fails any check is returned with a rejection (`MinerRejection`); the others carry their
 * files. Results are in hotkey order.
 */
export async function downloadSubmissions(
  submissions: readonly MinerSubmission[],
  options: SubmissionDownloadOptions,
): Promise<VerifiedSubmission[]> {
  const ordered = [...submissions].sort((a, b) => (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0));
  return mapWithConcurrency(ordered, options.concurrency, (submission) => verifySubmission(submission, options));
}

import { join } from 'node:path';
import {
  type DeclaredFile,
  type ListingsSchemaInspection,
  type MinerRejection,
  type MinerSubmission,
  type MinerEpochUploadCaps,
  type MinerUploadMetadata,
  type SkippedUploadCheck,
  type StoredObject,
  type UploadMetadata,
  fileCreditTimeMs,
  inspectListingsParquetSchema,
  LISTINGS_FILE_NAME_PATTERN,
  MAX_METADATA_BYTES,
  minerObjectKey,
  parseUploadMetadata,
  SEED_METADATA_SKIPPED_CHECKS,
  withinUploadCaps,
} from '@resi/core';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { mapWithConcurrency } from '../util/concurrency.js';
import { ModifiedObjectError, type ObjectFetcher } from './object-fetcher.js';
import {
  DEFAULT_DOWNLOAD_LIMITS,
  type DownloadLimits,
  DownloadFailure,
  DownloadRefusal,
  downloadVerified,
  type ExpectedObject,
  listedObjectRefusal,
  MinerTimeLimitExceeded,
} from './verified-download.js';

export { MAX_METADATA_BYTES };

const METADATA_FILE_NAME = 'metadata.json';

/** A listings file downloaded and proven to be what the miner declared. */
export interface VerifiedListingsFile {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly inspection: ListingsSchemaInspection;
  /** When its listings count from in the crediting order (core `fileCreditTimeMs`). */
  readonly creditFromMs: number;
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
  /**
   * Download and verification outran the per-miner time limit (our storage too slow for an
   * upload within the caps): no verdict for the miner.
   */
  readonly timeLimitExceeded: string | null;
  /** What this upload's format let the validator not check, and what held instead (seed format). */
  readonly skippedChecks: readonly SkippedUploadCheck[];
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
  /** The epoch start (ms): a seed-format upload's files stored before it are not this epoch's work. */
  readonly epochStartMs: number;
  /**
   * Wall time one miner's download and verification may take (ms), retries included; past it the
   * miner gets no verdict. Unset, only the per-attempt timeouts bound it.
   */
  readonly minerTimeLimitMs?: number;
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
  deadline: AbortSignal | undefined,
): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      const chunks: Uint8Array[] = [];
      let received = 0;
      const timeout = AbortSignal.timeout(limits.timeoutMs);
      const signal = deadline ? AbortSignal.any([deadline, timeout]) : timeout;
      for await (const chunk of await fetcher.open(object, signal)) {
        received += chunk.byteLength;
        // The listed size is within `limit` (checked before), so neither bound is ever passed unread.
        if (received > Math.min(limit, object.size)) {
          throw new ModifiedObjectError(
            `metadata.json changed after the grace end: listed with ${object.size} bytes, storage now serves more`,
          );
        }
        chunks.push(chunk);
      }
      if (received !== object.size) {
        throw new ModifiedObjectError(
          `metadata.json changed after the grace end: listed with ${object.size} bytes, storage now serves ${received}`,
        );
      }
      return Buffer.concat(chunks);
    } catch (error) {
      if (error instanceof Refusal) throw error;
      if (deadline?.aborted) throw deadline.reason as Error;
      const changed = listedObjectRefusal(error, 'metadata.json');
      if (changed) throw refuse(changed.code, changed.message);
      if (attempt >= limits.attempts) {
        throw new DownloadFailure(`metadata.json could not be downloaded: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
  }
}

function checkMetadataIdentity(
  { format, metadata }: UploadMetadata,
  submission: MinerSubmission,
  options: SubmissionDownloadOptions,
) {
  const problems: string[] = [];
  if (metadata.epoch_id !== options.epochId) problems.push(`epoch_id is ${metadata.epoch_id}, not ${options.epochId}`);
  if (metadata.miner_hotkey !== submission.hotkey)
    problems.push(`miner_hotkey is ${metadata.miner_hotkey}, not the uploader`);
  if (format === 'resi' && metadata.epoch_nonce !== options.epochNonce)
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

/** A listings file to download, what it must be, and the rows metadata.json declares (null: none, seed format). */
interface ListedFile {
  readonly name: string;
  readonly object: StoredObject;
  readonly expected: ExpectedObject;
  readonly declaredRows: number | null;
}

/** The files metadata.json in this protocol's format lists, checked against the caps and the manifest. */
function declaredListingsFiles(
  metadata: MinerUploadMetadata,
  submission: MinerSubmission,
  objectsByKey: ReadonlyMap<string, StoredObject>,
  options: SubmissionDownloadOptions,
): ListedFile[] {
  if (options.caps) checkWithinCaps(metadata, options.caps);
  return Object.keys(metadata.files)
    .sort()
    .map((name) => {
      const object = objectsByKey.get(minerObjectKey(submission.hotkey, options.epochId, name));
      if (!object) throw refuse('missing_file', `${name} is listed in metadata.json but was not uploaded`);
      const declared = metadata.files[name]!;
      checkManifest(name, declared, submission.manifest);
      return { name, object, expected: declared, declaredRows: declared.rows };
    });
}

/**
 * A seed-format upload's listings files: the listings-named objects directly in the miner's epoch
 * folder (already within the caps), stored at or after the epoch start. Where the miner declared
 * its files for upload, each must match the declaration, whose SHA-256 is then checked.
 */
function seedListingsFiles(
  submission: MinerSubmission,
  objects: readonly StoredObject[],
  options: SubmissionDownloadOptions,
  notes: SkippedUploadCheck[],
): ListedFile[] {
  const named = objects
    .map((object) => ({ object, name: object.key.slice(object.key.lastIndexOf('/') + 1) }))
    .filter(
      ({ object, name }) =>
        LISTINGS_FILE_NAME_PATTERN.test(name) &&
        object.key === minerObjectKey(submission.hotkey, options.epochId, name),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const early = named.filter(({ object }) => Date.parse(object.lastModified) < options.epochStartMs);
  if (early.length > 0) {
    notes.push({
      code: 'files_stored_before_epoch',
      message:
        `${early.map(({ name }) => name).join(', ')} stored before the epoch started at ` +
        `${new Date(options.epochStartMs).toISOString()}: not this epoch's work, not scored`,
    });
  }
  const current = named.filter((entry) => !early.includes(entry));
  if (current.length === 0) {
    throw refuse(
      'missing_file',
      early.length > 0
        ? 'every listings file in the epoch folder was stored before the epoch started'
        : 'metadata.json lists no files and the epoch folder holds no listings.parquet or listings-NNNN.parquet',
    );
  }
  return current.map(({ object, name }): ListedFile => {
    const expected: { bytes: number; sha256?: string } = { bytes: object.size };
    if (submission.manifest !== null) {
      const entry = submission.manifest.find((file) => file.name === name);
      if (!entry) throw refuse('manifest_mismatch', `${name} is in the epoch folder but was never declared for upload`);
      if (entry.bytes !== object.size) {
        throw refuse(
          'manifest_mismatch',
          `${name}: storage holds ${object.size} bytes, the upload declaration ${entry.bytes}`,
        );
      }
      expected.sha256 = entry.sha256;
    }
    return { name, object, expected, declaredRows: null };
  });
}

async function verifyListingsFile(
  path: string,
  name: string,
  declaredRows: number | null,
): Promise<{ rows: number; inspection: ListingsSchemaInspection }> {
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
  if (declaredRows !== null && rows !== declaredRows) {
    throw refuse('row_count_mismatch', `${name} holds ${rows} rows; metadata.json declares ${declaredRows}`);
  }
  if (inspection.schemaProblems.length > 0) {
    throw refuse('wrong_schema', `${name}: ${inspection.schemaProblems.map((problem) => problem.message).join('; ')}`);
  }
  return { rows, inspection };
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
  const limits = options.limits ?? DEFAULT_DOWNLOAD_LIMITS;
  const limitMs = options.minerTimeLimitMs;
  const deadline =
    limitMs === undefined
      ? undefined
      : abortAfter(
          limitMs,
          () =>
            new MinerTimeLimitExceeded(
              `download and verification took longer than this validator's limit of ${Math.round(limitMs / 1000)} s per miner`,
            ),
        );
  let uploadedAtMs: number | null = objects.length ? Math.max(...objects.map(lastModified)) : null;
  let skippedChecks: SkippedUploadCheck[] = [];
  try {
    if (objects.length === 0) throw refuse('no_upload', 'no objects were uploaded for this epoch');
    if (!metadataObject) throw refuse('missing_metadata', 'metadata.json was not uploaded');
    if (metadataObject.size > MAX_METADATA_BYTES) {
      throw refuse(
        'invalid_metadata',
        `metadata.json is ${metadataObject.size} bytes, more than ${MAX_METADATA_BYTES}`,
      );
    }
    let metadata: UploadMetadata;
    try {
      const bytes = await readSmallObject(
        options.fetcher,
        metadataObject,
        MAX_METADATA_BYTES,
        limits,
        deadline?.signal,
      );
      metadata = parseUploadMetadata(bytes);
    } catch (error) {
      if (error instanceof Refusal || error instanceof DownloadFailure || error instanceof MinerTimeLimitExceeded)
        throw error;
      throw refuse('invalid_metadata', (error as Error).message);
    }
    checkMetadataIdentity(metadata, submission, options);
    let listed: ListedFile[];
    if (metadata.format === 'resi') {
      listed = declaredListingsFiles(metadata.metadata, submission, objectsByKey, options);
    } else {
      skippedChecks = [...SEED_METADATA_SKIPPED_CHECKS];
      listed = seedListingsFiles(submission, objects, options, skippedChecks);
    }
    // The submission is judged by its scored objects: a stray later object does not make it late.
    uploadedAtMs = Math.max(lastModified(metadataObject), ...listed.map((entry) => lastModified(entry.object)));
    const files: VerifiedListingsFile[] = [];
    let rows = 0;
    for (const { name, object, expected, declaredRows } of listed) {
      const path = join(options.directory, submission.hotkey, name);
      try {
        await downloadVerified(options.fetcher, object, expected, path, limits, deadline?.signal);
      } catch (error) {
        if (error instanceof DownloadRefusal) throw refuse(error.code, error.message);
        throw error;
      }
      const verified = await verifyListingsFile(path, name, declaredRows);
      rows += verified.rows;
      // Declared rows are checked against the cap before any download; footers' rows here.
      if (options.caps && rows > options.caps.maxListings) {
        throw refuse(
          'over_upload_cap',
          `the listings files hold more than the epoch's per-miner cap of ${options.caps.maxListings} rows (from its target)`,
        );
      }
      files.push({
        name,
        path,
        rows: verified.rows,
        inspection: verified.inspection,
        creditFromMs: fileCreditTimeMs(lastModified(object), uploadedAtMs, options.epochStartMs),
      });
    }
    return {
      ...base,
      uploadedAtMs,
      files,
      rejection: null,
      downloadFailure: null,
      timeLimitExceeded: null,
      skippedChecks,
    };
  } catch (error) {
    const unscored = { ...base, uploadedAtMs, files: [], skippedChecks };
    // Past the limit nothing else counts: a refusal the abort caused is not the miner's.
    if (error instanceof MinerTimeLimitExceeded || deadline?.signal.aborted) {
      const message = deadline?.signal.aborted ? (deadline.signal.reason as Error).message : (error as Error).message;
      return { ...unscored, rejection: null, downloadFailure: null, timeLimitExceeded: message };
    }
    if (error instanceof Refusal) {
      return { ...unscored, rejection: error.rejection, downloadFailure: null, timeLimitExceeded: null };
    }
    if (error instanceof DownloadFailure) {
      return { ...unscored, rejection: null, downloadFailure: error.message, timeLimitExceeded: null };
    }
    throw error;
  } finally {
    deadline?.clear();
  }
}

/** A signal aborted with `reason()` after `ms`, and a way to stop its timer. */
function abortAfter(ms: number, reason: () => Error): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(reason()), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
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

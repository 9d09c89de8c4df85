import { z } from 'zod';
import { STORAGE_FILE_NAME_PATTERN } from '../storage/object-keys.js';
import { signedBodyFields } from './signed-request.js';
import {
  epochIdSchema,
  httpUrlSchema,
  isoInstantSchema,
  optionalField,
  sha256HexSchema,
  ss58AddressSchema,
  successTrueSchema,
  unixTimestampSecondsSchema,
} from './primitives.js';

/** At most this many files per miner upload request (PROTOCOL.md §6 allows several parts). */
export const MAX_FILES_PER_MINER_UPLOAD = 64;

/**
 * A file name a miner may declare: a plain name such as `listings.parquet`,
 * `listings-0001.parquet` or `metadata.json`. It becomes the last segment of an S3 key, so no
 * `/`, no `..`, no leading dot, at most 128 characters.
 */
export const uploadFileNameSchema = z
  .string({ error: 'must be a file name string' })
  .regex(STORAGE_FILE_NAME_PATTERN, {
    error:
      "must be a plain file name such as listings.parquet or metadata.json: letters, digits, '.', '_' and '-', " +
      'starting with a letter or digit, at most 128 characters, no "/"',
    abort: true,
  })
  .refine((name) => !name.includes('..'), { error: 'must not contain ".."' })
  .meta({ id: 'UploadFileName', examples: ['listings.parquet', 'listings-0001.parquet', 'metadata.json'] });

/** A file a miner declares before uploading it: name, exact size and SHA-256 (the manifest). */
export const declaredFileSchema = z
  .object({
    name: uploadFileNameSchema,
    bytes: z.int({ error: 'must be the file size in bytes' }).positive({ error: 'must be at least 1 byte' }),
    sha256: sha256HexSchema,
  })
  .meta({ id: 'DeclaredFile' });
export type DeclaredFile = z.infer<typeof declaredFileSchema>;

/** An object found in storage, with a presigned GET URL for it (PROTOCOL.md §6). */
export const storedObjectSchema = z
  .object({
    key: z.string().min(1),
    size: z.int().nonnegative(),
    /** As S3 reports it (quoted MD5 or multipart form). */
    etag: z.string(),
    /** Server-observed upload time: the one copying and timeliness are judged by. */
    lastModified: isoInstantSchema,
    url: httpUrlSchema,
  })
  .meta({ id: 'StoredObject' });
export type StoredObject = z.infer<typeof storedObjectSchema>;

/** `expiry` as the deployed Python clients send it: Unix seconds, `timestamp + 86400`. */
const requestedExpirySchema = optionalField(unixTimestampSecondsSchema);

/**
 * `POST /get-folder-access` (miners; PROTOCOL.md §6). Fields as the deployed Python miner sends
 * them (`upload_utils/s3_utils.py` and `common/resi_api_client.py`) and the seed's example:
 * `coldkey`, `hotkey`, `timestamp`, `signature`, and `expiry` (requested expiry, Unix seconds;
 * the server caps the grant at 24 h whatever is asked). Signed over
 * `s3:data:access:{coldkey}:{hotkey}:{timestamp}`.
 */
export const folderAccessRequestSchema = z
  .object({ coldkey: ss58AddressSchema, ...signedBodyFields, expiry: requestedExpirySchema })
  .meta({ id: 'FolderAccessRequest' });
export type FolderAccessRequest = z.infer<typeof folderAccessRequestSchema>;

const presignedPostMetadataSchema = z
  .object({
    folderPath: z.string().min(1),
    expiresAt: isoInstantSchema,
    /** The policy's content-length upper bound, in bytes. */
    maxFileSize: z.int().positive(),
  })
  .meta({ id: 'PresignedPostMetadata' });

/**
 * A presigned POST grant in the shape both client generations read (PROTOCOL.md §6): the Python
 * miner posts `fields` plus `key = folder + path` to `url`; the seed's client reads `uploadUrl`.
 */
const presignedPostFields = {
  success: successTrueSchema,
  message: z.string(),
  /** The key prefix the policy allows, ending in `/`. */
  folder: z.string().min(1),
  url: httpUrlSchema,
  /** Same value as `url`. */
  uploadUrl: httpUrlSchema,
  /** Signed policy form fields, posted as is before `key` and `file`. */
  fields: z.record(z.string(), z.string()),
  expiry: isoInstantSchema,
  metadata: presignedPostMetadataSchema,
};

/** Reply to `/get-folder-access` (PROTOCOL.md §6); `folder` is `data/hotkey={hotkey}/`. */
export const folderAccessResponseSchema = z
  .object({
    ...presignedPostFields,
    folder: z.string().regex(/^data\/hotkey=[1-9A-HJ-NP-Za-km-z]{46,48}\/$/, {
      error: 'must be data/hotkey={hotkey}/',
    }),
    /** Presigned ListObjectsV2 URL for the miner's own prefix (the Python server returned one). */
    list_url: httpUrlSchema,
  })
  .meta({ id: 'FolderAccessResponse' });
export type FolderAccessResponse = z.infer<typeof folderAccessResponseSchema>;

/**
 * The per-file miner upload route (`POST /api/v1/s3-access/miner-upload`; PROTOCOL.md §6, for
 * our own miner and for backends without POST policies): the miner declares each file's name,
 * size and SHA-256 and receives one presigned grant per file, a POST or a PUT depending on the
 * server's storage. Names must be unique.
 * Signed over `s3:miner:upload:{hotkey}:{epochId}:{timestamp}`.
 */
export const minerUploadRequestSchema = z
  .object({
    ...signedBodyFields,
    epochId: epochIdSchema,
    files: z
      .array(declaredFileSchema)
      .min(1, { error: 'must declare at least one file' })
      .max(MAX_FILES_PER_MINER_UPLOAD, { error: `must declare at most ${MAX_FILES_PER_MINER_UPLOAD} files` }),
  })
  .superRefine((request, context) => {
    const seen = new Set<string>();
    request.files.forEach((file, index) => {
      if (seen.has(file.name)) {
        context.addIssue({
          code: 'custom',
          path: ['files', index, 'name'],
          message: `duplicate file name "${file.name}"`,
        });
      }
      seen.add(file.name);
    });
  })
  .meta({ id: 'MinerUploadRequest' });
export type MinerUploadRequest = z.infer<typeof minerUploadRequestSchema>;

/** What every per-file grant says of its file. */
const presignedFileFields = {
  name: uploadFileNameSchema,
  /** Full object key, `data/hotkey={hotkey}/epoch={epochId}/{name}`. */
  key: z.string().min(1),
  url: httpUrlSchema,
  bytes: z.int().positive(),
  sha256: sha256HexSchema,
};

/** One presigned PUT: send the file's exact bytes to `url` with `headers`, nothing more. */
export const presignedPutSchema = z
  .object({
    ...presignedFileFields,
    method: z.literal('PUT'),
    /** Headers the signature covers (content length, checksum): the PUT must send them verbatim. */
    headers: z.record(z.string(), z.string()),
  })
  .meta({ id: 'PresignedPut' });
export type PresignedPut = z.infer<typeof presignedPutSchema>;

/**
 * One presigned POST for exactly one key and exactly `bytes` bytes: post `fields` as they are,
 * then the file as the last form part named `file`.
 */
export const presignedFilePostSchema = z
  .object({
    ...presignedFileFields,
    method: z.literal('POST'),
    fields: z.record(z.string(), z.string()),
  })
  .meta({ id: 'PresignedFilePost' });
export type PresignedFilePost = z.infer<typeof presignedFilePostSchema>;

/**
 * Reply to the per-file miner upload route: one grant per declared file, same order. This schema
 * first allowed PUTs only; POSTs were added for servers whose storage enforces POST policies (AWS
 * S3, MinIO, DigitalOcean Spaces; `S3_UPLOAD_METHOD=post`, the default), where the policy pins the
 * exact key and size without relying on each backend's support for signed checksum headers.
 * Clients branch on `method`.
 */
export const minerUploadResponseSchema = z
  .object({
    success: successTrueSchema,
    message: z.string(),
    epochId: epochIdSchema,
    /** `data/hotkey={hotkey}/epoch={epochId}/`. */
    folder: z.string().min(1),
    expiresAt: isoInstantSchema,
    uploads: z.array(z.discriminatedUnion('method', [presignedPutSchema, presignedFilePostSchema])).min(1),
  })
  .meta({ id: 'MinerUploadResponse' });
export type MinerUploadResponse = z.infer<typeof minerUploadResponseSchema>;

/**
 * `POST /api/v1/s3-access/validator-upload` (validators; PROTOCOL.md §6). Fields as the seed's
 * example and the deployed Python validator (`common/resi_api_client.py`
 * `get_validator_s3_credentials`) send them: `hotkey`, `signature`, `timestamp`, `epochId`, and
 * the advisory `purpose` (e.g. `epoch_validation_results`), `estimatedDataSizeMb`,
 * `retentionDays`. The cap is the server's (100 MB) whatever the estimate says.
 * Signed over `s3:validator:upload:{timestamp}`.
 */
export const validatorUploadRequestSchema = z
  .object({
    ...signedBodyFields,
    epochId: epochIdSchema,
    purpose: optionalField(z.string().min(1).max(100)),
    estimatedDataSizeMb: optionalField(z.number().nonnegative()),
    retentionDays: optionalField(z.int().positive().max(3650)),
  })
  .meta({ id: 'ValidatorUploadRequest' });
export type ValidatorUploadRequest = z.infer<typeof validatorUploadRequestSchema>;

/**
 * Reply to the validator upload route: the presigned POST shape of `/get-folder-access`
 * (`uploadUrl` and `url`), for `validators/hotkey={hotkey}/epoch={epochId}/`, plus the exact
 * `key` the results file belongs at.
 */
export const validatorUploadResponseSchema = z
  .object({
    ...presignedPostFields,
    epochId: epochIdSchema,
    /** `validators/hotkey={hotkey}/epoch={epochId}/validation_results.json`. */
    key: z.string().min(1),
  })
  .meta({ id: 'ValidatorUploadResponse' });
export type ValidatorUploadResponse = z.infer<typeof validatorUploadResponseSchema>;

/**
 * `POST /get-validator-access` (validators). The deployed Python validator
 * (`vali_utils/validator_s3_access.py`) sends `coldkey`, `hotkey`, `timestamp`, `signature`,
 * `expiry`; `coldkey` is not checked (the commitment does not cover it). Signed over
 * `s3:validator:access:{timestamp}`.
 */
export const validatorAccessRequestSchema = z
  .object({ ...signedBodyFields, coldkey: optionalField(ss58AddressSchema), expiry: requestedExpirySchema })
  .meta({ id: 'ValidatorAccessRequest' });
export type ValidatorAccessRequest = z.infer<typeof validatorAccessRequestSchema>;

/**
 * Reply to `/get-validator-access`, in the Python server's snake_case shape because the deployed
 * validator reads `expiry_seconds`, `expiry` and `urls.global.list_all_data`.
 */
export const validatorAccessResponseSchema = z
  .object({
    success: successTrueSchema,
    bucket: z.string().min(1),
    region: z.string(),
    validator_hotkey: ss58AddressSchema,
    expiry: isoInstantSchema,
    expiry_seconds: z.int().positive(),
    urls: z.object({
      global: z.object({ list_all_data: httpUrlSchema }),
      miners: z.object({ list_all_miners: httpUrlSchema }),
    }),
  })
  .meta({ id: 'ValidatorAccessResponse' });
export type ValidatorAccessResponse = z.infer<typeof validatorAccessResponseSchema>;

/**
 * `POST /get-miner-specific-access` (validators). The deployed Python validator
 * (`vali_utils/s3_utils.py`, `vali_utils/validator_s3_access.py`) sends `coldkey`, `hotkey`,
 * `timestamp`, `signature`, `miner_hotkey` (snake_case) and `expiry`. Signed over
 * `s3:validator:miner:{miner_hotkey}:{timestamp}`.
 */
export const minerSpecificAccessRequestSchema = z
  .object({
    ...signedBodyFields,
    miner_hotkey: ss58AddressSchema,
    coldkey: optionalField(ss58AddressSchema),
    expiry: requestedExpirySchema,
  })
  .meta({ id: 'MinerSpecificAccessRequest' });
export type MinerSpecificAccessRequest = z.infer<typeof minerSpecificAccessRequestSchema>;

/**
 * Reply to `/get-miner-specific-access`, the Python server's shape (the deployed validator reads
 * `miner_url`), plus `objects`: per-object presigned GET URLs, since a presigned list URL cannot
 * authorise downloads (PROTOCOL.md §6).
 */
export const minerSpecificAccessResponseSchema = z
  .object({
    success: successTrueSchema,
    bucket: z.string().min(1),
    region: z.string(),
    miner_hotkey: ss58AddressSchema,
    /** Presigned ListObjectsV2 URL for `prefix`. */
    miner_url: httpUrlSchema,
    /** `data/hotkey={miner_hotkey}/`. */
    prefix: z.string().min(1),
    expiry: isoInstantSchema,
    objects: z.array(storedObjectSchema).optional(),
  })
  .meta({ id: 'MinerSpecificAccessResponse' });
export type MinerSpecificAccessResponse = z.infer<typeof minerSpecificAccessResponseSchema>;

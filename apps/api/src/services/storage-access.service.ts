import { Inject, Injectable } from '@nestjs/common';
import {
  type FolderAccessRequest,
  type FolderAccessResponse,
  MINER_STORAGE_HOTKEY_PREFIX,
  type MinerSpecificAccessRequest,
  type MinerSpecificAccessResponse,
  type MinerUploadRequest,
  type MinerUploadResponse,
  minerEpochStorageFolder,
  minerEpochUploadCaps,
  minerObjectKey,
  minerStorageFolder,
  ResiError,
  type StoredObject,
  type ValidatorAccessRequest,
  type ValidatorAccessResponse,
  type ValidatorUploadRequest,
  type ValidatorUploadResponse,
  validationResultsObjectKey,
  validatorEpochStorageFolder,
} from '@resi/core';
import type { Caller } from '../auth/caller.js';
import type { ApiEnv } from '../config/config.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { EpochRepository, type EpochRow } from '../repositories/epoch.repository.js';
import type { PostGrant, StorageObjectInfo, StorageRepository } from '../repositories/storage.repository.js';
import { SubmissionRepository } from '../repositories/submission.repository.js';
import { API_CONFIG } from '../tokens.js';
import { EpochService } from './epoch.service.js';
import { minerEpochObjects } from './miner-epoch-objects.js';
import { StorageService } from './storage.service.js';

/** No grant outlives a day (PROTOCOL.md §6), whatever expiry a client asks for. */
export const MAX_GRANT_SECONDS = 24 * 3600;
/**
 * The smallest object the folder policy accepts (PROTOCOL.md §6): not empty. A real miner's
 * `metadata.json` is about 500 bytes, so any floor near 1 KiB refuses it on a store that
 * enforces policies (s3rver does not); what an object holds is the validator's business.
 */
export const MIN_FOLDER_UPLOAD_BYTES = 1;
/** Validator results are JSON summaries; 100 MB is ample (PROTOCOL.md §6). */
export const VALIDATOR_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
/** How long a presigned download URL stays valid: enough for a validator to fetch a whole epoch. */
export const DOWNLOAD_URL_SECONDS = 3 * 3600;
/**
 * Epochs /get-miner-specific-access hands out per miner, the latest readable ones: a day of
 * 4-hour epochs, the validation window of any epoch with room to catch up.
 */
export const MINER_LISTING_EPOCHS = 6;

/**
 * Presigned, scoped storage grants (PROTOCOL.md §6). Every key comes from the authenticated
 * hotkey, never from the request, so a grant can only ever name the caller's own folder.
 */
@Injectable()
export class StorageAccessService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiEnv,
    private readonly storage: StorageService,
    private readonly epochs: EpochService,
    private readonly submissions: SubmissionRepository,
    private readonly epochRows: EpochRepository,
    private readonly clock: ClockRepository,
  ) {}

  /** POST /get-folder-access: a POST policy for `data/hotkey={hotkey}/`, the deployed Python miner's path. */
  async folderAccess(caller: Caller, input: FolderAccessRequest): Promise<FolderAccessResponse> {
    this.requirePostPolicies('POST /api/v1/s3-access/miner-upload, which grants a presigned PUT per file');
    const seconds = this.grantSeconds(input.expiry);
    const folder = minerStorageFolder(caller.hotkey);
    const maxBytes = this.config.S3_MAX_UPLOAD_BYTES;
    return this.storage.use(async (s3) => {
      const grant = await s3.presignPost({
        target: { folder },
        minBytes: MIN_FOLDER_UPLOAD_BYTES,
        maxBytes,
        expiresInSeconds: seconds,
      });
      const listUrl = await s3.presignList(folder, seconds);
      return {
        ...postGrantBody(grant, folder, maxBytes),
        message:
          `Upload with a multipart POST to url: every field of fields, then key = "${folder}" + your path ` +
          `(e.g. epoch={epochId}/listings.parquet), then the file as "file" (${MIN_FOLDER_UPLOAD_BYTES}..${maxBytes} bytes).`,
        folder,
        list_url: listUrl,
      };
    });
  }

  /**
   * POST /api/v1/s3-access/miner-upload: one grant per declared file in the miner's epoch folder,
   * while the epoch accepts submissions; the manifest is stored for validators.
   */
  async minerUpload(caller: Caller, input: MinerUploadRequest): Promise<MinerUploadResponse> {
    const now = this.clock.now();
    const { epoch } = await this.epochs.get(input.epochId);
    this.epochs.requireOpenForSubmissions(epoch, now);
    const maxBytes = this.config.S3_MAX_UPLOAD_BYTES;
    const tooLarge = input.files.filter((file) => file.bytes > maxBytes);
    if (tooLarge.length > 0) {
      throw new ResiError(
        'PAYLOAD_TOO_LARGE',
        `Files over this server's ${maxBytes}-byte limit per object: ${tooLarge.map((f) => `${f.name} (${f.bytes} bytes)`).join(', ')}. Split them into parts (listings-0001.parquet, ...).`,
      );
    }
    const caps = minerEpochUploadCaps(epoch.targetListings);
    const totalBytes = input.files.reduce((sum, file) => sum + file.bytes, 0);
    if (input.files.length > caps.maxObjects || totalBytes > caps.maxBytes) {
      throw new ResiError(
        'PAYLOAD_TOO_LARGE',
        `Epoch ${epoch.id} takes at most ${caps.maxObjects} files and ${caps.maxBytes} bytes per miner (from its target of ${epoch.targetListings} listings); ` +
          `this upload declares ${input.files.length} files and ${totalBytes} bytes. Send fewer, larger parts or fewer listings.`,
      );
    }
    const folder = minerEpochStorageFolder(caller.hotkey, epoch.id);
    const usePut = this.config.S3_UPLOAD_METHOD === 'put';
    const uploads = await this.storage.use((s3) =>
      Promise.all(
        input.files.map(async (file) => {
          // Counted right before signing, so waiting for the store never stretches a grant.
          const seconds = this.secondsUntilGraceEnd(epoch);
          const key = minerObjectKey(caller.hotkey, epoch.id, file.name);
          const common = { name: file.name, key, bytes: file.bytes, sha256: file.sha256 };
          if (usePut) {
            const put = await s3.presignPut({
              key,
              bytes: file.bytes,
              sha256Hex: file.sha256,
              expiresInSeconds: seconds,
            });
            return {
              grant: { ...common, method: 'PUT' as const, url: put.url, headers: put.headers },
              expiresAt: put.expiresAt,
            };
          }
          const post = await s3.presignPost({
            target: { key },
            minBytes: file.bytes,
            maxBytes: file.bytes,
            expiresInSeconds: seconds,
          });
          return {
            grant: { ...common, method: 'POST' as const, url: post.url, fields: post.fields },
            expiresAt: post.expiresAt,
          };
        }),
      ),
    );
    await this.submissions.recordManifest(epoch.id, caller.hotkey, input.files, now);
    const expiresAt = new Date(Math.min(...uploads.map((u) => u.expiresAt.getTime())));
    return {
      success: true,
      message: usePut
        ? 'PUT each file to its url with exactly its headers and bytes.'
        : 'POST each file to its url as multipart form: every field of fields, then the file as "file".',
      epochId: epoch.id,
      folder,
      expiresAt: expiresAt.toISOString(),
      uploads: uploads.map((u) => u.grant),
    };
  }

  /** POST /api/v1/s3-access/validator-upload: a POST policy for the validator's folder of one epoch. */
  async validatorUpload(caller: Caller, input: ValidatorUploadRequest): Promise<ValidatorUploadResponse> {
    this.requirePostPolicies('no other upload route for validator results');
    const { epoch } = await this.epochs.get(input.epochId);
    const folder = validatorEpochStorageFolder(caller.hotkey, epoch.id);
    const key = validationResultsObjectKey(caller.hotkey, epoch.id);
    return this.storage.use(async (s3) => {
      const grant = await s3.presignPost({
        target: { folder },
        minBytes: 1,
        maxBytes: VALIDATOR_UPLOAD_MAX_BYTES,
        expiresInSeconds: MAX_GRANT_SECONDS,
      });
      return {
        ...postGrantBody(grant, folder, VALIDATOR_UPLOAD_MAX_BYTES),
        message: `Upload with a multipart POST to url: every field of fields, then key = "${key}", then the file as "file".`,
        epochId: epoch.id,
        key,
      };
    });
  }

  /** POST /get-validator-access: presigned listings of all miner data, in the Python server's shape. */
  async validatorAccess(caller: Caller, input: ValidatorAccessRequest): Promise<ValidatorAccessResponse> {
    const seconds = this.grantSeconds(input.expiry);
    return this.storage.use(async (s3) => {
      const [allData, allMiners] = await Promise.all([
        s3.presignList(MINER_STORAGE_HOTKEY_PREFIX, seconds),
        s3.presignList(MINER_STORAGE_HOTKEY_PREFIX, seconds, '/'),
      ]);
      return {
        success: true,
        bucket: s3.bucket,
        region: s3.region,
        validator_hotkey: caller.hotkey,
        expiry: this.expiryAfter(seconds).toISOString(),
        expiry_seconds: seconds,
        urls: { global: { list_all_data: allData }, miners: { list_all_miners: allMiners } },
      };
    });
  }

  /**
   * POST /get-miner-specific-access: a presigned listing of one miner's folder, plus a download
   * URL per object (a listing URL cannot authorise downloads). The objects are those of the
   * miner's latest {@link MINER_LISTING_EPOCHS} epochs past their stored grace end (nothing of a
   * running epoch is handed out), each epoch listed and capped exactly as the submissions route
   * does: at most that many times the epoch's object cap, however much the folder holds.
   */
  async minerSpecificAccess(caller: Caller, input: MinerSpecificAccessRequest): Promise<MinerSpecificAccessResponse> {
    const seconds = this.grantSeconds(input.expiry);
    const prefix = minerStorageFolder(input.miner_hotkey);
    const readable = await this.epochRows.gracePeriodEndedBy(this.clock.now(), MINER_LISTING_EPOCHS);
    return this.storage.use(async (s3) => {
      const [minerUrl, perEpoch] = await Promise.all([
        s3.presignList(prefix, seconds),
        Promise.all(
          readable.map((epoch) =>
            minerEpochObjects(s3, input.miner_hotkey, epoch.id, minerEpochUploadCaps(epoch.targetListings)),
          ),
        ),
      ]);
      // Key order, as the whole-folder listing this replaces gave it (epoch IDs sort by time).
      const listed = perEpoch.flatMap((objects) => objects.kept).sort((a, b) => (a.key < b.key ? -1 : 1));
      return {
        success: true,
        bucket: s3.bucket,
        region: s3.region,
        miner_hotkey: input.miner_hotkey,
        miner_url: minerUrl,
        prefix,
        expiry: this.expiryAfter(seconds).toISOString(),
        objects: await withDownloadUrls(s3, listed),
      };
    });
  }

  /**
   * A per-file grant's lifetime: whole seconds to the epoch's grace end (at most a day), so no
   * grant outlives the grace end, when the API records every miner's folder for the validators.
   * With less than a second left nothing can be granted any more: EPOCH_CLOSED.
   */
  private secondsUntilGraceEnd(epoch: EpochRow): number {
    const seconds = Math.floor((epoch.graceEndAt.getTime() - this.clock.now().getTime()) / 1000);
    if (seconds < 1) {
      throw new ResiError(
        'EPOCH_CLOSED',
        `Epoch ${epoch.id} closes for uploads at ${epoch.graceEndAt.toISOString()}, in less than a second: too late for a grant; work on the current epoch instead.`,
      );
    }
    return Math.min(MAX_GRANT_SECONDS, seconds);
  }

  /** The grant's lifetime: what the client asked for (Unix seconds), at most a day. */
  private grantSeconds(requestedExpiry: number | undefined): number {
    if (requestedExpiry === undefined) return MAX_GRANT_SECONDS;
    const seconds = requestedExpiry - this.clock.nowSeconds();
    if (seconds < 1) {
      throw new ResiError(
        'VALIDATION_FAILED',
        `Invalid request: expiry ${requestedExpiry} is not in the future; send a Unix time up to 24 h ahead (e.g. timestamp + 86400).`,
      );
    }
    return Math.min(seconds, MAX_GRANT_SECONDS);
  }

  private expiryAfter(seconds: number): Date {
    return new Date(this.clock.now().getTime() + seconds * 1000);
  }

  /** Folder grants are POST policies; a PUT-only store (R2) cannot express "any key under this prefix". */
  private requirePostPolicies(alternative: string): void {
    if (this.config.S3_UPLOAD_METHOD === 'post') return;
    throw new ResiError(
      'SERVICE_UNAVAILABLE',
      `This server's storage takes presigned PUTs only (S3_UPLOAD_METHOD=put, e.g. Cloudflare R2), which cannot grant a whole folder; use ${alternative}.`,
    );
  }
}

/** The body fields shared by every POST-policy reply (PROTOCOL.md §6: both client generations). */
function postGrantBody(grant: PostGrant, folder: string, maxBytes: number) {
  const expiresAt = grant.expiresAt.toISOString();
  return {
    success: true as const,
    folder,
    url: grant.url,
    uploadUrl: grant.url,
    fields: grant.fields,
    expiry: expiresAt,
    metadata: { folderPath: folder, expiresAt, maxFileSize: maxBytes },
  };
}

/** Objects as validators receive them: the storage's own size, ETag and time, plus a download URL. */
export async function withDownloadUrls(s3: StorageRepository, objects: StorageObjectInfo[]): Promise<StoredObject[]> {
  return Promise.all(
    objects.map(async (object) => ({
      key: object.key,
      size: object.size,
      etag: object.etag,
      lastModified: object.lastModified.toISOString(),
      url: await s3.presignGet(object.key, DOWNLOAD_URL_SECONDS),
    })),
  );
}

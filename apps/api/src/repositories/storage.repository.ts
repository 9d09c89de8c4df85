import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type LifecycleRule,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ResiError } from '@resi/core';

/** `s3`: any S3-compatible service at S3_ENDPOINT. `s3rver`: the embedded local store. */
export type StorageBackend = 's3' | 's3rver';

/** An object as the storage reports it: the server's view, never a client's claim. */
export interface StorageObjectInfo {
  key: string;
  size: number;
  /** As S3 returns it: the quoted MD5 of a single-part upload, or the multipart form. */
  etag: string;
  /** When the storage received the object. */
  lastModified: Date;
}

/** What a presigned POST may write: exactly one key, or any key under a folder ending in `/`. */
export type PostTarget = { key: string } | { folder: string };

export interface PostGrantRequest {
  target: PostTarget;
  /** The policy's `content-length-range`, inclusive. */
  minBytes: number;
  maxBytes: number;
  expiresInSeconds: number;
}

/**
 * A presigned POST: send `fields`, then the file, to `url`. A folder grant's `fields` has no `key`:
 * the client adds exactly one (`folder` + its path), as the deployed Python miner does.
 */
export interface PostGrant {
  url: string;
  fields: Record<string, string>;
  /** The policy's own expiration, read back from the signed document. */
  expiresAt: Date;
}

export interface PutGrantRequest {
  key: string;
  bytes: number;
  sha256Hex: string;
  expiresInSeconds: number;
}

/** A presigned PUT whose signature covers the exact length and SHA-256 of the body. */
export interface PutGrant {
  url: string;
  headers: Record<string, string>;
  expiresAt: Date;
}

/** Every storage operation the API needs; all network I/O on objects goes through here. */
export interface StorageRepository {
  readonly backend: StorageBackend;
  readonly bucket: string;
  readonly region: string;
  /** Where presigned URLs point. */
  readonly endpoint: string;
  presignPost(request: PostGrantRequest): Promise<PostGrant>;
  presignPut(request: PutGrantRequest): Promise<PutGrant>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /** A presigned ListObjectsV2 URL (the shape the deployed Python clients read). */
  presignList(prefix: string, expiresInSeconds: number, delimiter?: string): Promise<string>;
  /** Every object under `prefix` in key order, or the first `limit` of them. */
  listObjects(prefix: string, limit?: number): Promise<StorageObjectInfo[]>;
  /** The "sub-folders" directly under `prefix` (common prefixes with delimiter `/`). */
  listFolders(prefix: string): Promise<string[]>;
  headObject(key: string): Promise<StorageObjectInfo | undefined>;
  bucketExists(): Promise<boolean>;
  createBucket(): Promise<void>;
  applyLifecycle(rules: LifecycleRule[]): Promise<void>;
  /** Resolves when the bucket answers within `timeoutMs`; throws SERVICE_UNAVAILABLE otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface S3StorageOptions {
  backend: StorageBackend;
  endpoint: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  /** Fixed credentials (the embedded store); omitted, the AWS default chain provides them. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Runs after the client is destroyed, e.g. to stop the embedded server. */
  onClose?: () => Promise<void>;
}

/** Fail fast on a dead endpoint instead of holding requests for the SDK's default minutes. */
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** S3 over the AWS SDK: AWS S3, MinIO, DigitalOcean Spaces, Cloudflare R2 and s3rver alike. */
export class S3StorageRepository implements StorageRepository {
  readonly backend: StorageBackend;
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string;
  private readonly client: S3Client;
  private readonly onClose: (() => Promise<void>) | undefined;

  constructor(options: S3StorageOptions) {
    this.backend = options.backend;
    this.bucket = options.bucket;
    this.region = options.region;
    this.endpoint = options.endpoint;
    this.onClose = options.onClose;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      // A copy: the SDK records where credentials came from on the object itself.
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      // Checksums only where S3 requires them: MinIO, Spaces and R2 reject or ignore the newer
      // default CRC headers, and presigned GETs stay plain URLs any HTTP client can fetch.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    });
  }

  async presignPost(request: PostGrantRequest): Promise<PostGrant> {
    const { target } = request;
    const isFolder = 'folder' in target;
    const grant = await this.guard('sign an upload policy', () =>
      createPresignedPost(this.client, {
        Bucket: this.bucket,
        // For a folder the SDK wants a `${filename}` key; the field is dropped below.
        Key: isFolder ? `${target.folder}\${filename}` : target.key,
        Conditions: [
          isFolder ? ['starts-with', '$key', target.folder] : { key: target.key },
          ['content-length-range', request.minBytes, request.maxBytes],
        ],
        Expires: request.expiresInSeconds,
      }),
    );
    // A client appending its own `key` after ours would send two, and stores differ on which wins.
    const fields = isFolder
      ? Object.fromEntries(Object.entries(grant.fields).filter(([name]) => name !== 'key'))
      : grant.fields;
    return { url: grant.url, fields, expiresAt: policyExpiration(grant.fields) };
  }

  async presignPut(request: PutGrantRequest): Promise<PutGrant> {
    const signingDate = new Date();
    const checksum = Buffer.from(request.sha256Hex, 'hex').toString('base64');
    const url = await this.guard('sign an upload URL', () =>
      getSignedUrl(
        this.client,
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: request.key,
          ContentLength: request.bytes,
          ChecksumSHA256: checksum,
        }),
        {
          expiresIn: request.expiresInSeconds,
          signingDate,
          // Signed as headers, not query parameters, so the store checks the body against them.
          unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
        },
      ),
    );
    return {
      url,
      headers: { 'content-length': String(request.bytes), 'x-amz-checksum-sha256': checksum },
      expiresAt: new Date(wholeSeconds(signingDate) + request.expiresInSeconds * 1000),
    };
  }

  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return this.guard('sign a download URL', () =>
      getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: expiresInSeconds,
      }),
    );
  }

  presignList(prefix: string, expiresInSeconds: number, delimiter?: string): Promise<string> {
    return this.guard('sign a listing URL', () =>
      getSignedUrl(
        this.client,
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
        }),
        { expiresIn: expiresInSeconds },
      ),
    );
  }

  listObjects(prefix: string, limit = Number.POSITIVE_INFINITY): Promise<StorageObjectInfo[]> {
    return this.guard(`list ${prefix}`, async () => {
      const objects: StorageObjectInfo[] = [];
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: prefix },
      )) {
        for (const item of page.Contents ?? []) {
          if (objects.length >= limit) break;
          if (item.Key === undefined) continue;
          objects.push({
            key: item.Key,
            size: item.Size ?? 0,
            etag: item.ETag ?? '',
            lastModified: item.LastModified ?? new Date(0),
          });
        }
        if (objects.length >= limit) break;
      }
      return objects;
    });
  }

  listFolders(prefix: string): Promise<string[]> {
    return this.guard(`list ${prefix}`, async () => {
      const folders: string[] = [];
      const pages = paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: prefix, Delimiter: '/' },
      );
      for await (const page of pages) {
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix) folders.push(common.Prefix);
      }
      return folders;
    });
  }

  async headObject(key: string): Promise<StorageObjectInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: head.ContentLength ?? 0,
        etag: head.ETag ?? '',
        lastModified: head.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.unavailable(`read ${key}`, error);
    }
  }

  async bucketExists(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw this.unavailable(`find bucket ${this.bucket}`, error);
    }
  }

  async createBucket(): Promise<void> {
    await this.guard(`create bucket ${this.bucket}`, () =>
      this.client.send(new CreateBucketCommand({ Bucket: this.bucket })),
    );
  }

  async applyLifecycle(rules: LifecycleRule[]): Promise<void> {
    await this.guard(`set the lifecycle rules of ${this.bucket}`, () =>
      this.client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: this.bucket,
          LifecycleConfiguration: { Rules: rules },
        }),
      ),
    );
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.guard(`reach bucket ${this.bucket}`, () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      }),
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.onClose?.();
  }

  /** Runs one storage call; any failure is the storage being unavailable to this request. */
  private async guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.unavailable(operation, error);
    }
  }

  private unavailable(operation: string, error: unknown): ResiError {
    if (error instanceof ResiError) return error;
    return new ResiError(
      'SERVICE_UNAVAILABLE',
      `Storage is unavailable: could not ${operation} on ${this.backend} at ${this.endpoint} (${describeStorageError(error)}). ` +
        `Other routes keep working; retry in ${STORAGE_RETRY_AFTER_SECONDS} s.`,
      { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/**
 * Seconds a client is told to wait (`Retry-After`) when storage cannot be reached. Asking again
 * costs a client nothing (a refusal for an outage does not count against its limit) and the API
 * one shared round trip to the store, so clients may come back soon after a store restarts.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/** A one-line reason from whatever the SDK or the network threw. */
export function describeStorageError(error: unknown): string {
  if (error instanceof ResiError) return error.message;
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  const parts = [
    error.name !== 'Error' ? error.name : undefined,
    typeof code === 'string' && !error.message.includes(code) ? code : undefined,
    status ? `HTTP ${status}` : undefined,
    error.message || undefined,
  ].filter(Boolean);
  return parts.join(', ') || 'unknown error';
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket' || status === 404;
}

/** The `expiration` of a signed POST policy, so the reply states exactly what S3 will enforce. */
function policyExpiration(fields: Record<string, string>): Date {
  const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as { expiration?: string };
  const expiration = new Date(policy.expiration ?? NaN);
  if (Number.isNaN(expiration.getTime())) throw new Error('signed POST policy has no expiration');
  return expiration;
}

/** SigV4 dates have whole seconds; so does the expiry they imply. */
function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}

import {
  type FolderAccessResponse,
  MAX_FILES_PER_MINER_UPLOAD,
  type PresignedFilePost,
  type PresignedPut,
  minerObjectKey,
} from '@resi/core';
import { ApiRequestError, type BackoffPolicy, DEFAULT_BACKOFF, backoffDelayMs, sleep } from '@resi/client';
import type { MinerApiClient } from '../api/miner-api-client.js';
import type { EpochWork } from '../store/work-store.js';

/** How uploads reach storage: the per-file route (a POST or PUT grant per file), or the legacy folder POST. */
export type UploadMethod = 'per-file' | 'folder';

export interface UploaderOptions {
  readonly method: UploadMethod;
  readonly backoff?: BackoffPolicy;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Called once per file stored, with its size, for metrics and logs. */
  readonly onFileStored?: (file: { name: string; bytes: number }) => void;
}

/** Storage refused or kept failing an upload. */
export class UploadError extends Error {
  override readonly name = 'UploadError';

  /**
   * @param retryable storage did not answer or answered 408/429/5xx on every attempt (down,
   * restarting, overloaded): worth trying again later with a fresh grant, not a lost epoch.
   */
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/**
 * Sends an epoch's frozen files to storage through grants from the API, skipping files already
 * recorded as stored, so a restart after a crash sends only what storage has not confirmed —
 * byte-identical, under the same key. Files go in package order: the listings before
 * `metadata.json`, so a validator that sees the metadata finds the listings it describes.
 */
export class Uploader {
  private readonly backoff: BackoffPolicy;
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly api: MinerApiClient,
    private readonly options: UploaderOptions,
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.fetchFn = options.fetch ?? fetch;
  }

  async upload(work: EpochWork, signal: AbortSignal): Promise<void> {
    const packaged = work.state.package;
    if (!packaged) throw new Error(`epoch ${work.epochId} has nothing packaged to upload`);
    // A grant can expire or be refused mid-way; asking again is cheap next to losing the epoch.
    for (let round = 1; ; round += 1) {
      const pending = packaged.files.filter((file) => !work.state.uploadedFiles.includes(file.name));
      if (pending.length === 0) return;
      try {
        if (this.options.method === 'per-file') await this.uploadPerFile(work, pending, signal);
        else await this.uploadToFolder(work, pending, signal);
        return;
      } catch (error) {
        if (signal.aborted || round >= 3 || (error instanceof ApiRequestError && !error.retryable)) throw error;
      }
    }
  }

  private async uploadPerFile(
    work: EpochWork,
    pending: readonly { name: string; bytes: number; sha256: string }[],
    signal: AbortSignal,
  ): Promise<void> {
    // The API grants at most MAX_FILES_PER_MINER_UPLOAD files a request (an epoch in many parts
    // has more) and keeps every file declared in the manifest; each batch is asked for when due.
    for (let first = 0; first < pending.length; first += MAX_FILES_PER_MINER_UPLOAD) {
      await this.uploadGranted(work, pending.slice(first, first + MAX_FILES_PER_MINER_UPLOAD), signal);
    }
  }

  private async uploadGranted(
    work: EpochWork,
    pending: readonly { name: string; bytes: number; sha256: string }[],
    signal: AbortSignal,
  ): Promise<void> {
    const grant = await this.api.requestMinerUpload(work.epochId, pending, signal);
    for (const file of pending) {
      const fileGrant = grant.uploads.find((upload) => upload.name === file.name);
      if (!fileGrant) throw new UploadError(`the API granted no upload for ${file.name}`);
      if (fileGrant.sha256 !== file.sha256 || fileGrant.bytes !== file.bytes) {
        throw new UploadError(`the API granted ${file.name} for different content than declared`);
      }
      const content = await work.readPackagedFile(file.name);
      await this.send(
        file.name,
        () =>
          fileGrant.method === 'PUT'
            ? this.putRequest(fileGrant, content)
            : this.filePostRequest(fileGrant, file.name, content),
        signal,
      );
      await work.markUploaded(file.name);
      this.options.onFileStored?.({ name: file.name, bytes: content.byteLength });
    }
  }

  private async uploadToFolder(
    work: EpochWork,
    pending: readonly { name: string; bytes: number }[],
    signal: AbortSignal,
  ): Promise<void> {
    const grant = await this.api.requestFolderAccess(signal);
    for (const file of pending) {
      const content = await work.readPackagedFile(file.name);
      const key = minerObjectKey(this.api.hotkey, work.epochId, file.name);
      if (!key.startsWith(grant.folder))
        throw new UploadError(`the API granted ${grant.folder}, not this hotkey's folder`);
      await this.send(file.name, () => this.postRequest(grant, key, file.name, content), signal);
      await work.markUploaded(file.name);
      this.options.onFileStored?.({ name: file.name, bytes: content.byteLength });
    }
  }

  private putRequest(put: PresignedPut, content: Uint8Array): { url: string; init: RequestInit } {
    // fetch sets Content-Length from the body itself and refuses to be told it twice.
    const headers = Object.fromEntries(
      Object.entries(put.headers).filter(([name]) => !['content-length', 'host'].includes(name.toLowerCase())),
    );
    return { url: put.url, init: { method: 'PUT', headers, body: content } };
  }

  /** A per-file POST grant: its policy `fields` (the key among them), then the file, last. */
  private filePostRequest(
    post: PresignedFilePost,
    name: string,
    content: Uint8Array,
  ): { url: string; init: RequestInit } {
    const form = new FormData();
    for (const [field, value] of Object.entries(post.fields)) form.append(field, value);
    form.append('file', new Blob([content]), name);
    return { url: post.url, init: { method: 'POST', body: form } };
  }

  /** The Python miner's form: the policy `fields`, then `key`, then the file (S3 wants it last). */
  private postRequest(
    grant: FolderAccessResponse,
    key: string,
    name: string,
    content: Uint8Array,
  ): { url: string; init: RequestInit } {
    const form = new FormData();
    for (const [field, value] of Object.entries(grant.fields)) form.append(field, value);
    form.append('key', key);
    form.append('file', new Blob([content]), name);
    return { url: grant.url, init: { method: 'POST', body: form } };
  }

  private async send(
    name: string,
    build: () => { url: string; init: RequestInit },
    signal: AbortSignal,
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const { url, init } = build();
      let status = 0;
      let detail = '';
      try {
        const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 300_000);
        const response = await this.fetchFn(url, { ...init, signal: AbortSignal.any([signal, timeout]) });
        status = response.status;
        detail = (await response.text().catch(() => '')).slice(0, 300);
        if (response.ok) return;
      } catch (error) {
        if (signal.aborted) throw signal.reason as Error;
        detail = (error as Error).message;
      }
      const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
      if (!retryable || attempt >= this.backoff.maxAttempts) {
        throw new UploadError(
          `storage refused ${name}: ${status === 0 ? 'no answer' : `HTTP ${status}`} ${detail}`.trim(),
          retryable,
        );
      }
      await sleep(backoffDelayMs(attempt, this.backoff), signal);
    }
  }
}

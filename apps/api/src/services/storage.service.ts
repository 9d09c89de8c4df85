import { Inject, Injectable } from '@nestjs/common';
import type { HealthComponent } from '@resi/core';
import type { StorageRepository } from '../repositories/storage.repository.js';
import { STORAGE } from '../tokens.js';

const PING_TIMEOUT_MS = 3_000;

/**
 * Whether the storage is reachable, for the routes and the health check. Presigning is local
 * arithmetic, so without a round trip a route would hand out URLs to a store that is down; with
 * it the route answers 503 SERVICE_UNAVAILABLE and the rest of the API carries on.
 */
@Injectable()
export class StorageService {
  /** Requests arriving together share one round trip. */
  private pendingPing: Promise<void> | undefined;

  constructor(@Inject(STORAGE) readonly repository: StorageRepository) {}

  /** Runs `work` against the storage once the bucket has answered; SERVICE_UNAVAILABLE otherwise. */
  async use<T>(work: (storage: StorageRepository) => Promise<T>): Promise<T> {
    await this.requireReachable();
    return work(this.repository);
  }

  /** Throws SERVICE_UNAVAILABLE unless the bucket answers within a few seconds. */
  requireReachable(): Promise<void> {
    this.pendingPing ??= this.repository.ping(PING_TIMEOUT_MS).finally(() => (this.pendingPing = undefined));
    return this.pendingPing;
  }

  /** The `storage` component of GET /healthcheck. */
  async health(): Promise<HealthComponent> {
    const started = performance.now();
    const identity = { backend: this.repository.backend, bucket: this.repository.bucket };
    try {
      await this.requireReachable();
      return { status: 'ok', ...identity, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return { status: 'down', ...identity, message: (error as Error).message };
    }
  }
}

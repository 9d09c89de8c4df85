import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '../repositories/database.js';
import type { KeyValueStore } from '../repositories/kv-store.js';
import type { MetagraphSource } from '../repositories/metagraph.repository.js';
import { API_VERSIONS, type HealthcheckResponse, type HealthComponent, PROTOCOL_VERSION } from '@resi/core';
import { ClockRepository } from '../repositories/clock.repository.js';
import { StorageService } from './storage.service.js';
import { DATABASE, KV_STORE, METAGRAPH } from '../tokens.js';
import { API_VERSION, SERVICE_NAME } from '../version.js';

/** GET /healthcheck: Python clients check `status == "ok"` before they start work. */
@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
    private readonly clock: ClockRepository,
    private readonly storage: StorageService,
  ) {}

  async report(): Promise<HealthcheckResponse> {
    const started = performance.now();
    const database: HealthComponent = await this.database
      .ping()
      .then(() => ({
        status: 'ok' as const,
        backend: this.database.kind,
        latencyMs: round(performance.now() - started),
      }))
      .catch((error: unknown) => ({
        status: 'down' as const,
        backend: this.database.kind,
        message: (error as Error).message,
      }));
    const storeStatus = this.store.status();
    const redis: HealthComponent =
      storeStatus === 'memory'
        ? { status: 'ok', backend: 'memory', message: 'REDIS_URL not set: limits and replay cache are per process' }
        : storeStatus === 'ok'
          ? { status: 'ok', backend: 'redis' }
          : { status: 'degraded', backend: 'redis', message: 'Redis unreachable: serving from process memory' };
    const graph = this.metagraph.health();
    const metagraph: HealthComponent = {
      status: graph.status === 'ok' ? 'ok' : graph.status === 'stale' ? 'degraded' : 'down',
      backend: graph.source.split(':')[0] ?? graph.source,
      neurons: graph.neurons,
      ageSeconds: graph.ageSeconds,
      ...(graph.error ? { message: graph.error } : {}),
    };
    // A store that is down leaves the API up: storage routes answer 503, health says degraded.
    const storage = await this.storage.health();
    const components = [database, redis, metagraph, storage];
    return {
      success: true,
      status: components.every((c) => c.status === 'ok') ? 'ok' : 'degraded',
      timestamp: this.clock.now().toISOString(),
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      version: API_VERSION,
      service: SERVICE_NAME,
      protocolVersion: PROTOCOL_VERSION,
      apiVersions: [...API_VERSIONS],
      database,
      redis,
      storage,
      metagraph,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

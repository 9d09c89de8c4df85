import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '../repositories/database.js';
import type { KeyValueStore } from '../repositories/kv-store.js';
import type { MetagraphHealth, MetagraphSource } from '../repositories/metagraph.repository.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { DATABASE, KV_STORE, METAGRAPH } from '../tokens.js';
import { API_VERSION, SERVICE_NAME } from '../version.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  timestamp: string;
  uptime: number;
  version: string;
  service: string;
  database: 'ok' | 'unavailable';
  redis: 'ok' | 'memory' | 'degraded';
  storage: 'ok' | 'not_configured' | 'unavailable';
  metagraph: MetagraphHealth;
}

/** GET /healthcheck: Python clients check `status == "ok"` before they start work. */
@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
    private readonly clock: ClockRepository,
  ) {}

  async report(): Promise<HealthReport> {
    const database = await this.database
      .ping()
      .then(() => 'ok' as const)
      .catch(() => 'unavailable' as const);
    const redis = this.store.status();
    const metagraph = this.metagraph.health();
    // Storage arrives with the S3 routes; until then it is reported as not configured.
    const storage = 'not_configured' as const;
    const healthy = database === 'ok' && redis !== 'degraded' && metagraph.status === 'ok';
    return {
      status: healthy ? 'ok' : 'degraded',
      timestamp: this.clock.now().toISOString(),
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      version: API_VERSION,
      service: SERVICE_NAME,
      database,
      redis,
      storage,
      metagraph,
    };
  }
}

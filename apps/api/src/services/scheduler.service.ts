import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ApiEnv } from '../config/config.js';
import { type DatabaseHandle, LOCK_KEYS } from '../repositories/database.js';
import { API_CONFIG, DATABASE } from '../tokens.js';
import { EpochService } from './epoch.service.js';
import { EpochSnapshotService } from './epoch-snapshot.service.js';

/**
 * Drives the epoch lifecycle and the grace-end snapshots. Every replica ticks; only the one holding the Postgres advisory
 * lock does the work, and the work is idempotent, so a crash or clock jump costs nothing.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiEnv,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly epochs: EpochService,
    private readonly snapshots: EpochSnapshotService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SCHEDULER_ENABLED) return;
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.config.SCHEDULER_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  /** One guarded tick; overlapping ticks are skipped, failures logged and retried next time. */
  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        await this.database.withLock(LOCK_KEYS.scheduler, async () => {
          await this.epochs.tick();
          // Every epoch past its grace end gets its snapshot, so the reveal never waits for a
          // validator to ask; a storage outage is logged and retried on the next tick.
          await this.snapshots.takeDue();
        });
      } catch (error) {
        this.logger.error(`scheduler tick failed: ${(error as Error).message}`);
      } finally {
        this.running = undefined;
      }
    })();
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

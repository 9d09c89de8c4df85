import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { SignedRequestGuard } from './auth/signed-request.guard.js';
import type { ZipcodeCatalogue } from './catalogue/catalogue.js';
import type { ApiEnv } from './config/config.js';
import { GlobalExceptionFilter } from './middleware/global-exception.filter.js';
import { ClockRepository } from './repositories/clock.repository.js';
import type { DatabaseHandle } from './repositories/database.js';
import { EpochRepository } from './repositories/epoch.repository.js';
import { EpochSnapshotRepository } from './repositories/epoch-snapshot.repository.js';
import type { KeyValueStore } from './repositories/kv-store.js';
import type { MetagraphSource } from './repositories/metagraph.repository.js';
import type { MinerLabelSource } from './repositories/miner-labels.repository.js';
import type { StorageRepository } from './repositories/storage.repository.js';
import { SubmissionRepository } from './repositories/submission.repository.js';
import { AuthFailureLimitService } from './services/auth-failure-limit.service.js';
import { AuthService } from './services/auth.service.js';
import { EpochService } from './services/epoch.service.js';
import { EpochSnapshotService } from './services/epoch-snapshot.service.js';
import { HealthService } from './services/health.service.js';
import { MetricsService } from './services/metrics.service.js';
import { RateLimitService } from './services/rate-limit.service.js';
import { SchedulerService } from './services/scheduler.service.js';
import { StorageService } from './services/storage.service.js';
import {
  API_CONFIG,
  CATALOGUE,
  DATABASE,
  KV_STORE,
  METAGRAPH,
  MINER_LABELS,
  OPENAPI_DOCUMENT,
  STORAGE,
  ZIPCODE_SECRET,
} from './tokens.js';
import { API_CONTROLLERS, API_SERVICES } from './routes.js';

/** The repositories that do I/O, built before Nest starts so start-up failures read clearly. */
export interface ApiDependencies {
  config: ApiEnv;
  database: DatabaseHandle;
  store: KeyValueStore;
  metagraph: MetagraphSource;
  storage: StorageRepository;
  catalogue: ZipcodeCatalogue;
  zipcodeSecret: string;
  clock: ClockRepository;
  labels: MinerLabelSource;
  openApiDocument: Record<string, unknown>;
}

@Module({})
export class AppModule {
  static register(deps: ApiDependencies): DynamicModule {
    return {
      module: AppModule,
      controllers: API_CONTROLLERS,
      providers: [
        { provide: API_CONFIG, useValue: deps.config },
        { provide: DATABASE, useValue: deps.database },
        { provide: KV_STORE, useValue: deps.store },
        { provide: METAGRAPH, useValue: deps.metagraph },
        { provide: STORAGE, useValue: deps.storage },
        { provide: CATALOGUE, useValue: deps.catalogue },
        { provide: ZIPCODE_SECRET, useValue: deps.zipcodeSecret },
        { provide: ClockRepository, useValue: deps.clock },
        { provide: MINER_LABELS, useValue: deps.labels },
        { provide: OPENAPI_DOCUMENT, useValue: deps.openApiDocument },
        { provide: APP_GUARD, useClass: SignedRequestGuard },
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        EpochRepository,
        EpochSnapshotRepository,
        SubmissionRepository,
        MetricsService,
        AuthService,
        AuthFailureLimitService,
        RateLimitService,
        EpochService,
        EpochSnapshotService,
        SchedulerService,
        HealthService,
        StorageService,
        ...API_SERVICES,
      ],
    };
  }
}

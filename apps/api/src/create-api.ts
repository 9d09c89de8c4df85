import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ChainMetagraph } from '@resi/chain';
import { cryptoReady } from '@resi/core';
import { ApiLogger } from './api-logger.js';
import { type ApiDependencies, AppModule } from './app.module.js';
import { loadZipcodeCatalogue, type ZipcodeCatalogue } from './catalogue/catalogue.js';
import { type ApiEnv, ConfigError, parseTrustProxy, subtensorTargetOf } from './config/config.js';
import { ClockRepository } from './repositories/clock.repository.js';
import { type DatabaseHandle, openDatabase } from './repositories/database.js';
import { type KeyValueStore, MemoryStore, RedisStore } from './repositories/kv-store.js';
import { FileMetagraph, type MetagraphSource } from './repositories/metagraph.repository.js';
import { loadMinerLabels, type MinerLabelSource, StaticMinerLabels } from './repositories/miner-labels.repository.js';
import type { StorageRepository } from './repositories/storage.repository.js';
import { MetricsService } from './services/metrics.service.js';
import { openStorage } from './storage/open-storage.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { API_CONTROLLERS } from './routes.js';
import { toErrorBody } from './middleware/error-body.js';
import { API_VERSION } from './version.js';

/** Replace any repository, e.g. a fixed clock or a prepared metagraph in tests. */
export interface ApiOverrides {
  clock?: ClockRepository;
  database?: DatabaseHandle;
  store?: KeyValueStore;
  metagraph?: MetagraphSource;
  storage?: StorageRepository;
  catalogue?: ZipcodeCatalogue;
  labels?: MinerLabelSource;
}

export interface ApiInstance {
  app: NestFastifyApplication;
  deps: ApiDependencies;
  close(): Promise<void>;
}

const LOG_LEVELS: Record<ApiEnv['LOG_LEVEL'], LogLevel[] | false> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** The secret behind selection: configured, or one generated once per local state directory. */
export function resolveZipcodeSecret(config: ApiEnv, logger: Logger): string {
  if (config.ZIPCODE_SECRET) return config.ZIPCODE_SECRET;
  const path = join(config.RESI_HOME, 'zipcode-secret');
  if (!existsSync(path)) {
    mkdirSync(config.RESI_HOME, { recursive: true });
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600 });
    logger.warn(`ZIPCODE_SECRET is not set: generated a local one in ${resolve(path)} (set it in production)`);
  }
  return readFileSync(path, 'utf8').trim();
}

async function openMetagraph(config: ApiEnv, logger: Logger): Promise<MetagraphSource> {
  if (config.METAGRAPH_SOURCE === 'chain') {
    const target = subtensorTargetOf(config);
    logger.log(
      `Metagraph: subnet ${target.netuid} on ${target.endpoint}, synced every ${config.METAGRAPH_SYNC_SECONDS} s`,
    );
    return ChainMetagraph.open({
      connection: target.endpoint,
      netuid: target.netuid,
      syncIntervalMs: config.METAGRAPH_SYNC_SECONDS * 1000,
      logger: { log: (message) => logger.log(message), warn: (message) => logger.warn(message) },
    });
  }
  const path = config.METAGRAPH_FILE ?? join(config.RESI_HOME, 'metagraph.json');
  if (!existsSync(path)) {
    throw new ConfigError(
      `No metagraph file at ${resolve(path)}. Set METAGRAPH_FILE to a JSON file of registered neurons ` +
        '({"netuid":46,"neurons":[{"uid":0,"hotkey":"5…","coldkey":"5…","validatorPermit":false,"stake":0}]}), ' +
        'or run `npm start` (resi devnet), which writes one with generated dev wallets.',
    );
  }
  return new FileMetagraph(path);
}

async function openStore(config: ApiEnv, logger: Logger): Promise<KeyValueStore> {
  if (!config.REDIS_URL) return new MemoryStore();
  const store = new RedisStore(config.REDIS_URL, config.REDIS_KEY_PREFIX, (healthy, reason) => {
    if (healthy) logger.log('Redis connected');
    else logger.warn(`Redis unavailable (${reason ?? 'unknown'}): serving from process memory until it returns`);
  });
  if (!(await store.ready())) logger.warn('Redis is not reachable yet; starting degraded on process memory');
  return store;
}

/** Builds every repository, then the Nest application on Fastify (not yet listening). */
export async function createApi(config: ApiEnv, overrides: ApiOverrides = {}): Promise<ApiInstance> {
  const levels = LOG_LEVELS[config.LOG_LEVEL];
  const nestLogger = levels ? new ApiLogger({ logLevels: levels }) : false;
  Logger.overrideLogger(nestLogger);
  const logger = new Logger('API');
  await cryptoReady();

  // Checked before anything opens: a bad label file stops the start with a sentence, nothing to close.
  const labels =
    overrides.labels ?? (config.LABELS_FILE ? loadMinerLabels(config.LABELS_FILE) : new StaticMinerLabels());
  if (labels.size > 0) logger.log(`Operator labels: ${labels.size} from ${config.LABELS_FILE ?? 'the caller'}`);
  const opened: { close(): Promise<void> }[] = [];
  try {
    const database =
      overrides.database ??
      (await openDatabase({
        url: config.DATABASE_URL,
        dataDir: join(config.RESI_HOME, 'db'),
        poolSize: config.DATABASE_POOL_SIZE,
      }));
    if (!overrides.database) opened.push(database);
    const store = overrides.store ?? (await openStore(config, logger));
    if (!overrides.store) opened.push(store);
    const metagraph = overrides.metagraph ?? (await openMetagraph(config, logger));
    if (!overrides.metagraph) opened.push(metagraph);
    const storage = overrides.storage ?? (await openStorage(config, logger));
    if (!overrides.storage) opened.push(storage);
    const deps: ApiDependencies = {
      config,
      database,
      store,
      metagraph,
      storage,
      catalogue: overrides.catalogue ?? loadZipcodeCatalogue(),
      zipcodeSecret: resolveZipcodeSecret(config, logger),
      clock: overrides.clock ?? new ClockRepository(),
      labels,
      openApiDocument: apiOpenApiDocument(),
    };

    const adapter = new FastifyAdapter({
      bodyLimit: config.BODY_LIMIT_BYTES,
      // Only the proxies TRUST_PROXY names may set the client address that per-IP limits count.
      trustProxy: parseTrustProxy(config.TRUST_PROXY),
      // Unknown query fields are ignored by the route schemas (PROTOCOL.md §1), never merged into the input.
      routerOptions: { ignoreTrailingSlash: true },
      // A URL the router cannot even match (bad escape, over-long segment) gets the protocol's body too.
      frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
        const { body, headers } = toErrorBody(error);
        void reply.status(body.statusCode).headers(headers).send(body);
      },
    });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(deps), adapter, {
      logger: nestLogger,
      abortOnError: false,
    });
    app.enableShutdownHooks();
    installRequestMetrics(app);
    await app.init();
    return {
      app,
      deps,
      close: async () => {
        await app.close();
        for (const resource of opened.reverse()) await resource.close();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    throw error;
  }
}

/** Request metrics by route pattern (low cardinality: never the raw URL). */
function installRequestMetrics(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    done();
  });
}

/** The OpenAPI document of every route this server serves (committed as openapi.json). */
export function apiOpenApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(API_CONTROLLERS, API_VERSION);
}

/** Creates the API and listens on HOST:PORT. */
export async function startApi(config: ApiEnv, overrides: ApiOverrides = {}): Promise<ApiInstance & { url: string }> {
  const api = await createApi(config, overrides);
  await api.app.listen({ host: config.HOST, port: config.PORT });
  const address = api.app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return { ...api, url: `http://${config.HOST}:${port}` };
}

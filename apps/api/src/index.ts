export { apiOpenApiDocument, createApi, startApi, type ApiInstance, type ApiOverrides } from './create-api.js';
export { parseApiEnv, apiEnvSchema, ConfigError, type ApiEnv } from './config/config.js';
export { FixedClock, ClockRepository, ShiftedClock } from './repositories/clock.repository.js';
export { MemoryStore, RedisStore, type KeyValueStore } from './repositories/kv-store.js';
export { FileMetagraph, StaticMetagraph, type MetagraphSource } from './repositories/metagraph.repository.js';
export { openDatabase, type DatabaseHandle } from './repositories/database.js';
export { loadZipcodeCatalogue, ZipcodeCatalogue, type CatalogueZipcode } from './catalogue/catalogue.js';

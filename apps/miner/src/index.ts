/**
 * @resi/miner — the resi miner: collects listings for the epoch's assigned zipcodes from a source,
 * writes `listings.parquet` and `metadata.json`, uploads them through the API and reports status.
 */
export { ApiRequestError, apiErrorOf, parseApiAnswer } from './api/api-errors.js';
export { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelayMs, retryAfterMs } from './api/backoff.js';
export { CircuitBreaker, CircuitOpenError } from './api/circuit-breaker.js';
export { MinerApiClient, type MinerApiClientOptions, type StatusUpdate } from './api/miner-api-client.js';
export {
  DEFAULT_API_URLS,
  MINER_OPTIONS,
  type MinerConfig,
  MinerConfigError,
  type MinerOptionSpec,
  SOURCE_NAMES,
  type SourceName,
  parseMinerConfig,
} from './config/miner-config.js';
export { type NamedOption, netuidOf, parseOptionValues } from './config/option-values.js';
export { MinerDaemon, type MinerDaemonOptions } from './daemon/miner-daemon.js';
export { type CollectionSnapshot, collectionSnapshot } from './daemon/status-reporter.js';
export { type Logger, createLogger, silentLogger } from './observability/logger.js';
export { MinerMetrics } from './observability/metrics.js';
export { collectZipcode, type ZipcodeCollection } from './sources/collect-zipcode.js';
export { FileListingSource, mapFeedRow } from './sources/file-source.js';
export {
  type CandidateListing,
  type ListingSource,
  SourceError,
  type ZipcodeRequest,
} from './sources/listing-source.js';
export { RealtorListingSource, type RealtorSearchResult, mapRealtorResult } from './sources/realtor-source.js';
export { RedfinListingSource, mapRedfinRow, parseRedfinCsv } from './sources/redfin-source.js';
export { createListingSource } from './sources/source-registry.js';
export { ZillowRapidApiListingSource, mapZillowProperty } from './sources/zillow-rapidapi-source.js';
export { EpochWork, WorkStore } from './store/work-store.js';
export {
  LISTINGS_FILE_NAME,
  MAX_ROWS_PER_LISTINGS_FILE,
  METADATA_FILE_NAME,
  type PackageEpochOptions,
  listingsPartName,
  packageEpoch,
} from './upload/package-epoch.js';
export { Uploader, type UploadMethod } from './upload/uploader.js';
export { type MinerRun, startMiner } from './start-miner.js';
export { SourceHttpClient, type SourceHttpOptions } from './sources/source-http.js';

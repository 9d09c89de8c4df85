/**
 * @resi/miner — the resi miner: collects listings for the epoch's assigned zipcodes through a
 * source of @resi/sources, writes `listings.parquet` and `metadata.json`, uploads them through the
 * API and reports status.
 */
export { MinerApiClient, type MinerApiClientOptions, type StatusUpdate } from './api/miner-api-client.js';
export {
  MINER_OPTIONS,
  type MinerConfig,
  MinerConfigError,
  type MinerOptionSpec,
  parseMinerConfig,
} from './config/miner-config.js';
export { MinerDaemon, type MinerDaemonOptions } from './daemon/miner-daemon.js';
export { type CollectionSnapshot, collectionSnapshot } from './daemon/status-reporter.js';
export { MinerMetrics } from './observability/metrics.js';
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

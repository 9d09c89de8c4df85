/**
 * @resi/validator — the resi validator: downloads every miner's epoch upload, scores it
 * deterministically (DuckDB over all files at once, the rules of `@resi/core`), publishes the
 * results file and its digest, and sets weights.
 */
export { ValidatorApiClient, type ValidatorApiClientOptions } from './api/validator-api-client.js';
export {
  VALIDATOR_OPTIONS,
  VERIFICATION_SOURCE_OPTIONS,
  type ValidatorConfig,
  ValidatorConfigError,
  type ValidatorOptionSpec,
  parseValidatorConfig,
} from './config/validator-config.js';
export {
  type EpochScorer,
  ValidatorDaemon,
  type ValidatorDaemonOptions,
  ValidatorStartupError,
} from './daemon/validator-daemon.js';
export { HttpObjectFetcher, LocalObjectFetcher, type ObjectFetcher } from './download/object-fetcher.js';
export { type VerifiedSubmission, downloadSubmissions } from './download/submission-files.js';
export { DEFAULT_DOWNLOAD_LIMITS, type DownloadLimits } from './download/verified-download.js';
export {
  type EpochScoringInput,
  type EpochScoringOptions,
  type EpochScoringOutcome,
  applyEpochCredibility,
  scoreEpochSubmissions,
  scoringContextOf,
} from './pipeline/score-epoch.js';
export { DuckDbSession, type DuckDbSessionOptions } from './scan/duckdb-session.js';
export { EpochListingsScan } from './scan/epoch-listings-scan.js';
export { ProcessedEpochStore, ValidatorStateError } from './state/processed-epochs.js';
export { type ValidatorRun, startValidator } from './start-validator.js';
export {
  type AuditSources,
  type ZipcodeFeedAnswer,
  ZipcodeFeedAuditSources,
  type ZipcodeListingFeed,
} from './verification/verification-source.js';
export { type AuditVerification, indexFeed, verdictAgainstFeed, verifyAuditRows } from './verification/verify-audit.js';
export { ChainWeightPublisher, PrintWeightPublisher, type WeightPublisher } from './weights/weight-publisher.js';
export { type WeightTableRow, formatWeightTable, resultsFileUidOf, weightTableOf } from './weights/weight-table.js';
// The adversarial simulation's market rules, which the devnet's market simulator follows too.
export {
  DEFAULT_MARKET_DRIFT,
  type MarketDriftRates,
  type PriceCut,
  marketDriftForEpoch,
  pendingAtOf,
  priceAt,
  priceCutsOver,
} from './simulation/market.js';
export { type Random, randomOf } from './simulation/random.js';

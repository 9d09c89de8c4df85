/**
 * @resi/sources — where listings come from. A {@link ListingSource} plugin yields a zipcode's
 * listings a page at a time, mapped onto the listing columns; the realtor, zillow-rapidapi, redfin
 * and file adapters share one polite HTTP client (rate limit, concurrency, proxy, retries, 403
 * handling). The miner collects through these adapters and the validator verifies through them.
 */
export { collectZipcode, type CollectProgress, listingIdentity, type ZipcodeCollection } from './collect-zipcode.js';
export { csvRecords, parseCsv } from './csv.js';
export { type CollectedStatus } from './field-mapping.js';
export { FEED_EXTENSIONS, FileListingSource, type FileSourceOptions, mapFeedRow, readFeedRows } from './file-source.js';
export {
  type CandidateListing,
  type ClosedCandidate,
  type ListingSource,
  type RecentlyClosedRequest,
  SourceError,
  type ZipcodeRequest,
} from './listing-source.js';
export {
  REALTOR_PAGE_SIZE,
  RealtorListingSource,
  type RealtorSearchResult,
  type RealtorSourceOptions,
  mapRealtorResult,
  realtorSearchQuery,
} from './realtor-source.js';
export {
  REDFIN_MAX_ROWS,
  RedfinListingSource,
  type RedfinSourceOptions,
  mapRedfinRow,
  parseRedfinCsv,
} from './redfin-source.js';
export { ScrapeInstant, scrapeNow } from './scrape-clock.js';
export {
  type SourceCheckOptions,
  type SourceCheckOutcome,
  type SourceCheckResult,
  checkSource,
} from './source-check.js';
export {
  type RawSourceOptions,
  SOURCE_NAMES,
  SOURCE_OPTIONS,
  SOURCE_SCHEMA_SHAPE,
  type SourceConfig,
  type SourceName,
  sourceConfigOf,
  coverageProblems,
  VERIFIED_COVERAGE,
} from './source-config.js';
export {
  SourceHttpClient,
  type SourceHttpOptions,
  type SourceRequestInit,
  type SourceResponse,
} from './source-http.js';
export {
  type AdapterConfig,
  LISTING_SOURCE_ADAPTERS,
  type ListingSourceAdapter,
  adapterNamed,
  createListingSource,
  listingHostOf,
  servesHost,
  sourceOfUrl,
} from './source-registry.js';
export {
  DEFAULT_FEED_BUDGET,
  type EnabledSource,
  type FeedBudget,
  type FeedProgress,
  type FeedUnavailableCode,
  type RecentlyClosedAnswer,
  SourceFeeds,
  type SourceFeedsOptions,
  type ZipcodeFeedAnswer,
  describeFeedProgress,
} from './source-feeds.js';
export {
  type ZillowProperty,
  ZillowRapidApiListingSource,
  type ZillowRapidApiSourceOptions,
  mapZillowProperty,
} from './zillow-rapidapi-source.js';

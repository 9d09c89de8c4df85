import { type Listing, type ListingRejectReason } from '../listings/listing.js';
import { roundScore } from './score-components.js';

/**
 * Data quality, 25% of a miner's score (seed, `assess_data_quality`): the mean of four checks,
 * each the share of the miner's rows that pass it. The seed measured "required fields present"
 * and "data types" per column of a pandas frame; a Parquet file that lacks a §7 column or stores
 * one with an unconvertible type is refused outright (the miner scores 0), so here every check
 * is per row, which is what still varies between miners whose files are well formed.
 */
export const DATA_QUALITY_CHECKS = [
  'required_fields_present',
  'data_types_correct',
  'no_duplicates',
  'reasonable_values',
] as const;
export type DataQualityCheck = (typeof DATA_QUALITY_CHECKS)[number];

/**
 * Plausibility bounds beyond §7's rules ("Reasonable value checks: flag unrealistic property
 * data", seed §"Data Validation"). Generous on purpose: a mansion or a 40-bedroom dormitory is
 * real; a $12 house or a 900-bedroom home is not.
 */
export const LISTING_PLAUSIBILITY_BOUNDS = {
  /** USD. Below this it is a rent, a deposit or a typo; above, no home has ever listed. */
  price: { min: 1_000, max: 1_000_000_000 },
  bedrooms: { max: 100 },
  bathrooms: { max: 100 },
  /** Living area in square feet. */
  sqft: { max: 200_000 },
  /** A century on the market. */
  days_on_market: { max: 36_500 },
  /** The earliest credible listing date. */
  listingDateMin: '1900-01-01',
  /**
   * Scrapes may start this long before the epoch (clock skew, the PENDING lead) and must end by
   * the grace end; older data was not collected for this epoch.
   */
  scrapedLeadSeconds: 15 * 60,
} as const;

/** The columns the plausibility bounds cover, one `implausible_<column>` reason each. */
export const PLAUSIBILITY_COLUMNS = [
  'price',
  'bedrooms',
  'bathrooms',
  'sqft',
  'listing_date',
  'days_on_market',
  'scraped_timestamp',
] as const;
export type PlausibilityColumn = (typeof PLAUSIBILITY_COLUMNS)[number];

/** A valid (§7) value that is not credible for this epoch; a validator-side quality reason. */
export type ImplausibleReason = `implausible_${PlausibilityColumn}`;

/** Every reason a row can fail data quality: §7's reject reasons plus implausibility. */
export type RowQualityReason = ListingRejectReason | ImplausibleReason;

/** The epoch instants plausibility is judged against. */
export interface PlausibilityWindow {
  /** Epoch start, milliseconds since the Unix epoch. */
  readonly epochStartMs: number;
  /** End of the upload grace period, milliseconds since the Unix epoch. */
  readonly graceEndMs: number;
}

/**
 * The plausibility reasons of a row that is valid under §7 (run `validateListing` first): values
 * outside {@link LISTING_PLAUSIBILITY_BOUNDS}, a listing date after the grace end's UTC day or
 * before 1900, a scrape outside [epoch start − 15 min, grace end]. In column order.
 */
export function listingPlausibilityReasons(listing: Listing, window: PlausibilityWindow): ImplausibleReason[] {
  const bounds = LISTING_PLAUSIBILITY_BOUNDS;
  const reasons: ImplausibleReason[] = [];
  if (listing.price < bounds.price.min || listing.price > bounds.price.max) reasons.push('implausible_price');
  if (listing.bedrooms !== null && listing.bedrooms > bounds.bedrooms.max) reasons.push('implausible_bedrooms');
  if (listing.bathrooms !== null && listing.bathrooms > bounds.bathrooms.max) reasons.push('implausible_bathrooms');
  if (listing.sqft !== null && listing.sqft > bounds.sqft.max) reasons.push('implausible_sqft');
  const lastListingDate = new Date(window.graceEndMs).toISOString().slice(0, 10);
  if (listing.listing_date < bounds.listingDateMin || listing.listing_date > lastListingDate) {
    reasons.push('implausible_listing_date');
  }
  if (listing.days_on_market > bounds.days_on_market.max) reasons.push('implausible_days_on_market');
  const scrapedMs = Date.parse(listing.scraped_timestamp);
  if (scrapedMs < window.epochStartMs - bounds.scrapedLeadSeconds * 1000 || scrapedMs > window.graceEndMs) {
    reasons.push('implausible_scraped_timestamp');
  }
  return reasons;
}

/** Reasons about a value's format rather than its magnitude: they count against "data types correct". */
const FORMAT_REASONS: ReadonlySet<RowQualityReason> = new Set<RowQualityReason>([
  'invalid_address',
  'invalid_zipcode',
  'invalid_listing_date',
  'invalid_property_type',
  'invalid_listing_status',
  'invalid_mls_id',
  'invalid_source_url',
  'invalid_scraped_timestamp',
  'invalid_row',
]);

/**
 * The check a row failing with `reason` fails: a missing required value fails "required fields
 * present"; a wrong type or malformed text fails "data types correct"; a number breaking its §7
 * rule (a non-positive price, a fractional bedroom count), a listing outside the assignment or an
 * implausible value fails "reasonable values". Duplicates are counted separately.
 */
export function dataQualityCheckOf(reason: RowQualityReason): Exclude<DataQualityCheck, 'no_duplicates'> {
  if (reason.startsWith('missing_field:')) return 'required_fields_present';
  if (reason.startsWith('invalid_type:') || FORMAT_REASONS.has(reason)) return 'data_types_correct';
  return 'reasonable_values';
}

/** Row counts a data quality score is computed from. */
export interface DataQualityCounts {
  /** Every row of the miner's listings files. */
  readonly rows: number;
  /** Rows with at least one reason whose check is "required fields present". */
  readonly rowsMissingRequired: number;
  /** Rows with at least one reason whose check is "data types correct". */
  readonly rowsWithInvalidFormat: number;
  /** Rows with at least one reason whose check is "reasonable values". */
  readonly rowsWithUnreasonableValues: number;
  /** Rows repeating the identity of an earlier row of the same miner (see `listingIdentityKey`). */
  readonly duplicateRows: number;
}

/** A data quality score with the share of rows passing each check. */
export interface DataQualityScore {
  readonly score: number;
  readonly checks: Readonly<Record<DataQualityCheck, number>>;
}

/** The mean of the four checks' pass shares, each rounded; 0 for a miner without rows. */
export function dataQualityScore(counts: DataQualityCounts): DataQualityScore {
  const { rows } = counts;
  const passShare = (failing: number) => (rows === 0 ? 0 : roundScore(1 - failing / rows));
  const checks: Record<DataQualityCheck, number> = {
    required_fields_present: passShare(counts.rowsMissingRequired),
    data_types_correct: passShare(counts.rowsWithInvalidFormat),
    no_duplicates: passShare(counts.duplicateRows),
    reasonable_values: passShare(counts.rowsWithUnreasonableValues),
  };
  const sum = DATA_QUALITY_CHECKS.reduce((total, check) => total + checks[check], 0);
  return { score: roundScore(sum / DATA_QUALITY_CHECKS.length), checks };
}

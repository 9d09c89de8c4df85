import { LISTING_COLUMN_NAMES, type ListingColumnName, type ListingsFileRow } from '../listings/listing.js';

/**
 * Two ideas of "the same listing" the validator needs (PROTOCOL.md §8; seed "Duplicate
 * detection: penalize duplicate listings across miners"):
 *
 * - identity: the same property listing, however it was scraped. Repeats inside one miner's
 *   upload are duplicates and cost data quality.
 * - fingerprint: the same row, value for value. Two miners who scrape a listing independently
 *   agree on its identity but not on `scraped_timestamp`; a miner who re-uploads another's rows
 *   has identical fingerprints, and only the earlier upload earns for them.
 */

const ASCII_WHITESPACE_RUN = /[\t\n\v\f\r ]+/g;

/**
 * The identity of a row: its MLS id where it has one (unique per listing), else its source URL,
 * else its address lower-cased with whitespace runs collapsed; then `|` and the listing status,
 * because a home's past sale and its current listing are two listings. Missing parts are empty.
 * The validator computes the same key in SQL; whitespace is ASCII only so both agree.
 */
export function listingIdentityKey(
  row: Pick<ListingsFileRow, 'mls_id' | 'source_url' | 'address' | 'listing_status'>,
): string {
  const id = row.mls_id ?? row.source_url ?? row.address?.toLowerCase().replace(ASCII_WHITESPACE_RUN, ' ') ?? '';
  return `${id}|${row.listing_status ?? ''}`;
}

/**
 * The columns a copy fingerprint covers: all of §7's, `scraped_timestamp` included, since that
 * is the value an independent scrape cannot reproduce.
 */
export const COPY_FINGERPRINT_COLUMNS: readonly ListingColumnName[] = LISTING_COLUMN_NAMES;

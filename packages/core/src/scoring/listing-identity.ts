import type { ListingsFileRow } from '../listings/listing.js';
import { lowerAscii } from './audit.js';

/**
 * Repeats inside one miner's upload (PROTOCOL.md §8; seed "Duplicate detection"): rows with the
 * same identity key are duplicates and cost data quality. Crediting across uploads uses the
 * identity keys of `listingIdentityKeys` (audit.ts): each listing is credited once, to its
 * earliest upload, whoever else holds it.
 */

const ASCII_WHITESPACE_RUN = /[\t\n\v\f\r ]+/g;

/**
 * The identity of a row: its MLS id where it has one (unique per listing), else its source URL,
 * else its address with ASCII letters lower-cased and whitespace runs collapsed; then `|` and the listing status,
 * because a home's past sale and its current listing are two listings. Missing parts are empty.
 * The validator computes the same key in SQL; whitespace is ASCII only so both agree.
 */
export function listingIdentityKey(
  row: Pick<ListingsFileRow, 'mls_id' | 'source_url' | 'address' | 'listing_status'>,
): string {
  const id =
    row.mls_id ??
    row.source_url ??
    (row.address === null || row.address === undefined
      ? undefined
      : lowerAscii(row.address).replace(ASCII_WHITESPACE_RUN, ' ')) ??
    '';
  return `${id}|${row.listing_status ?? ''}`;
}

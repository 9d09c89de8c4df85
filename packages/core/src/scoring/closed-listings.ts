import { PRODUCTION_EPOCH_CONFIG, type EpochConfig } from '../epochs/epoch-config.js';
import { LISTING_COLUMN_NAMES, type Listing } from '../listings/listing.js';
import { type ListingComparison, type VerifiedListingValues, compareWithVerifiedListing } from './accuracy.js';

/**
 * Listings that left the market between a miner's scrape and the audit (PROTOCOL.md §8).
 *
 * The audit runs after the epoch's grace end, hours after a miner scraped; by then some listings
 * it saw for sale have gone pending, sold or off the market. A listing site no longer shows such a
 * listing among homes for sale, so the validator's verification feed also asks each site for the
 * zipcode's listings that closed since the epoch began ({@link recentlyClosedSince}). A row found
 * there is judged by {@link compareWithClosedListing}: it is **verified** (credited like any
 * verified row) when the listing closed on or after that day and the row agrees with what the
 * listing showed while it was on the market. The rule pays an honest miner for a real listing it
 * saw for sale, and cannot be gamed: a row claiming for sale (or pending) a home that closed before
 * the epoch began is a false claim (`listing_status` mismatched, not credited); a miner cannot
 * learn at upload time which listings will close before the audit; and a home a miner lists as
 * sold is compared as a sale (sale price) exactly as before.
 */

/** How a listing left the market, as the site shows it now. */
export type ClosedListingStatus = 'pending' | 'sold' | 'off_market';

/** What a site says about a listing that left the market, beyond its listing columns. */
export interface ClosedListingFacts {
  readonly status: ClosedListingStatus;
  /** The day (YYYY-MM-DD, UTC) it closed: sale, contract or withdrawal date; null when the site does not say. */
  readonly closedOn: string | null;
  /** Its last asking price while on the market, when the site gives it (a sold listing's `price` is the sale price). */
  readonly listPrice: number | null;
}

/**
 * Days before the epoch's start a listing may have closed on and still count as on the market
 * during the epoch. Multiple listing services record a sale or a contract with its own date a day
 * or two after it happened, and the sites keep showing the listing in its earlier state meanwhile,
 * so a miner scraping on the epoch's first day may honestly see for sale a home whose recorded
 * sale date is the day before.
 */
export const CLOSED_LISTING_SLACK_DAYS = 2;

const DAY_MS = 86_400_000;

/** The first day (YYYY-MM-DD, UTC) a listing may have closed on for a row claiming it on the market during the epoch that started at `epochStartMs`. */
export function recentlyClosedSince(epochStartMs: number): string {
  return new Date(epochStartMs - CLOSED_LISTING_SLACK_DAYS * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The start day a verification feed uses when it does not know the epoch it checks: the epoch,
 * its validation window (the audit runs within it) and the slack back from `nowMs`. With the
 * production schedule that is 2 days and 5 hours, i.e. the sold-in-the-last-3-days searches.
 */
export function defaultRecentlyClosedSince(nowMs: number, config: EpochConfig = PRODUCTION_EPOCH_CONFIG): string {
  const windowMs = (config.durationMinutes + config.validationWindowMinutes) * 60_000;
  return recentlyClosedSince(nowMs - windowMs);
}

/** Whole days from `sinceDay` to `nowMs`'s day, at least 1: the "sold in the last N days" a site's search takes. */
export function daysSinceDay(sinceDay: string, nowMs: number): number {
  const since = Date.parse(`${sinceDay}T00:00:00Z`);
  return Math.max(1, Math.ceil((nowMs - since) / DAY_MS));
}

/**
 * Compares a miner's row with a listing that has left the market since the miner could have seen
 * it (see the file comment). A row claiming the listing `sold` is compared as any row (the feed's
 * price is the sale price). A row claiming it `active` or `pending`:
 * - the listing must have closed on or after `sinceDay` (when the site gives the date), else the
 *   claim is false: `listing_status` mismatched;
 * - its price is compared with the last asking price when the site gives it (the sale price may
 *   differ from what the miner saw), else not compared; days on market, which stop at the close,
 *   are not compared;
 * - its status may only be at or before the closed one (a withdrawn listing was never sold: a row
 *   claiming it sold is mismatched).
 * Every other column is compared as {@link compareWithVerifiedListing} does.
 */
export function compareWithClosedListing(
  claimed: Listing,
  verified: VerifiedListingValues,
  closed: ClosedListingFacts,
  sinceDay: string,
): ListingComparison {
  if (closed.status === 'off_market' && claimed.listing_status === 'sold') {
    const { mismatches } = compareWithVerifiedListing(claimed, { ...verified, listing_status: undefined });
    return { accurate: false, mismatches: withStatus(mismatches) };
  }
  if (claimed.listing_status === 'sold') return compareWithVerifiedListing(claimed, verified);
  const onTheMarket: VerifiedListingValues = {
    ...verified,
    price: closed.listPrice,
    days_on_market: undefined,
    listing_status: closed.status === 'off_market' ? undefined : closed.status,
  };
  if (closed.closedOn !== null && closed.closedOn < sinceDay) {
    const { mismatches } = compareWithVerifiedListing(claimed, { ...onTheMarket, listing_status: undefined });
    return { accurate: false, mismatches: withStatus(mismatches) };
  }
  return compareWithVerifiedListing(claimed, onTheMarket);
}

function withStatus(mismatches: ListingComparison['mismatches']): ListingComparison['mismatches'] {
  const all = new Set([...mismatches, 'listing_status' as const]);
  return LISTING_COLUMN_NAMES.filter((column) => all.has(column));
}

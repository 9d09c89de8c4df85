import { LISTING_STATUSES, type Listing, type ListingColumnName } from '../listings/listing.js';
import { normaliseListingAddress } from './audit.js';

/**
 * Accuracy, 35% of a miner's score (PROTOCOL.md §8): every valid row a miner claims in an audited
 * zipcode (audit.ts) is compared with the listing the verification source holds now, within the
 * tolerances below. Accuracy is verified / (verified + mismatched + not found).
 */

/**
 * How closely a re-fetched listing must match the uploaded one. Prices and listing states move
 * within an epoch, sources round areas and count half baths differently, and "days on market" is
 * computed at scrape time, so exact equality would punish honest miners.
 */
export const ACCURACY_TOLERANCES = {
  /** Price may differ by this share of the verified price (a reduction during the epoch). */
  priceRelative: 0.01,
  /** Square feet may differ by this share of the verified area. */
  sqftRelative: 0.02,
  /** Bathrooms may differ by this many (a half bath counted or not). */
  bathroomsAbsolute: 0.5,
  /** Days on market may differ by this many days. */
  daysOnMarketAbsolute: 2,
  /** Listing dates may differ by this many days (time zones). */
  listingDateDays: 1,
} as const;

/** The values a verification source reports for a listing; null or absent when it does not say. */
export type VerifiedListingValues = { readonly [Column in ListingColumnName]?: string | number | null };

/** The outcome of comparing one sampled listing. */
export interface ListingComparison {
  readonly accurate: boolean;
  /** The columns outside their tolerance, in column order. */
  readonly mismatches: ListingColumnName[];
}

const DAY_MS = 86_400_000;

function withinRelative(claimed: number, verified: number, share: number): boolean {
  return Math.abs(claimed - verified) <= share * Math.abs(verified);
}

/**
 * Compares an uploaded listing with the source's current values under
 * {@link ACCURACY_TOLERANCES}. A value the source does not report is not compared, and a null
 * the miner uploaded for a nullable column is an omission, not a false claim. `source_url` (the
 * lookup key) and `scraped_timestamp` are not compared; `mls_id` must match when both have one;
 * a status may have moved forward (active → pending → sold) but not back.
 */
export function compareWithVerifiedListing(claimed: Listing, verified: VerifiedListingValues): ListingComparison {
  const mismatches: ListingColumnName[] = [];
  const tolerances = ACCURACY_TOLERANCES;
  const check = (column: ListingColumnName, agrees: (claimedValue: never, verifiedValue: never) => boolean) => {
    const verifiedValue = verified[column];
    const claimedValue = claimed[column];
    if (verifiedValue === undefined || verifiedValue === null || claimedValue === null) return;
    if (typeof verifiedValue !== typeof claimedValue || !agrees(claimedValue as never, verifiedValue as never)) {
      mismatches.push(column);
    }
  };
  // Identity's own normalisation: a row that verifies has the listing's address key (audit.ts).
  check('address', (a: string, b: string) => normaliseListingAddress(a) === normaliseListingAddress(b));
  check('zipcode', (a: string, b: string) => a === b);
  check('price', (a: number, b: number) => withinRelative(a, b, tolerances.priceRelative));
  check('bedrooms', (a: number, b: number) => a === b);
  check('bathrooms', (a: number, b: number) => Math.abs(a - b) <= tolerances.bathroomsAbsolute);
  check('sqft', (a: number, b: number) => withinRelative(a, b, tolerances.sqftRelative));
  check(
    'listing_date',
    (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) <= tolerances.listingDateDays * DAY_MS,
  );
  check('property_type', (a: string, b: string) => a === b);
  check('listing_status', (a: string, b: string) => {
    const order: readonly string[] = LISTING_STATUSES;
    const claimedStep = order.indexOf(a);
    return claimedStep !== -1 && claimedStep <= order.indexOf(b);
  });
  check('days_on_market', (a: number, b: number) => Math.abs(a - b) <= tolerances.daysOnMarketAbsolute);
  check('mls_id', (a: string, b: string) => a === b);
  return { accurate: mismatches.length === 0, mismatches };
}

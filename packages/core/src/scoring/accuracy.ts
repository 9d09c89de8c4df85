import { createHash } from 'node:crypto';
import { LISTING_STATUSES, type Listing, type ListingColumnName } from '../listings/listing.js';
import { roundScore } from './score-components.js';

/**
 * Accuracy, 35% of a miner's score (seed, `verify_listing_accuracy`; PROTOCOL.md §8): a sample of
 * the miner's valid listings is re-fetched from a verification source and compared with what the
 * miner uploaded. The sample is deterministic, so every validator checks the same listings.
 */

/** 10% of the listings, at least 5, at most 50 (seed). */
export const ACCURACY_SAMPLE_RULE = { fraction: 0.1, min: 5, max: 50 } as const;

/**
 * How many listings to verify out of `population`: `max(5, min(50, floor(10%)))` as the seed
 * computes it, but never more than there are.
 */
export function accuracySampleSize(population: number): number {
  if (!Number.isInteger(population) || population < 0) throw new RangeError(`population ${population} is not a count`);
  const { fraction, min, max } = ACCURACY_SAMPLE_RULE;
  return Math.min(population, Math.max(min, Math.min(max, Math.floor(population * fraction))));
}

/**
 * The sample seed of one miner in one epoch: lowercase hex SHA-256 of the UTF-8 text
 * `{nonce}:{epochId}:{hotkey}`. The nonce is unknown before the epoch, so miners cannot tell in
 * advance which of their rows will be checked; everyone can recompute it afterwards.
 */
export function accuracySampleSeed(epochNonce: string, epochId: string, hotkey: string): string {
  return createHash('sha256').update(`${epochNonce}:${epochId}:${hotkey}`, 'utf8').digest('hex');
}

/** The i-th 64-bit draw of the seed: the first 8 bytes of SHA-256(seed bytes ‖ u32be(i)). */
function draw(seed: Buffer, counter: number): bigint {
  const block = Buffer.alloc(4);
  block.writeUInt32BE(counter);
  return createHash('sha256').update(seed).update(block).digest().readBigUInt64BE(0);
}

/**
 * `size` distinct positions in `[0, population)`, ascending: a partial Fisher–Yates shuffle
 * whose i-th swap draws `i + (draw(i) mod (population − i))`. Positions index the miner's valid
 * rows in canonical order (files by name, rows in file order). The modulo bias is below 2⁻⁴⁰.
 */
export function accuracySampleIndices(seedHex: string, population: number, size: number): number[] {
  if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new RangeError('the sample seed must be 64 lowercase hex characters');
  if (!Number.isInteger(size) || size < 0 || size > population) {
    throw new RangeError(`cannot sample ${size} of ${population}`);
  }
  const seed = Buffer.from(seedHex, 'hex');
  // Only the touched slots of the virtual array 0..population-1 are stored.
  const swapped = new Map<number, number>();
  const at = (index: number) => swapped.get(index) ?? index;
  const chosen: number[] = [];
  for (let i = 0; i < size; i++) {
    const j = i + Number(draw(seed, i) % BigInt(population - i));
    const picked = at(j);
    swapped.set(j, at(i));
    chosen.push(picked);
  }
  return chosen.sort((a, b) => a - b);
}

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

const ADDRESS_PUNCTUATION = /[.,#]/g;
const ADDRESS_WHITESPACE = /\s+/g;

function normaliseAddress(address: string): string {
  return address.toLowerCase().replace(ADDRESS_PUNCTUATION, ' ').replace(ADDRESS_WHITESPACE, ' ').trim();
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
  check('address', (a: string, b: string) => normaliseAddress(a) === normaliseAddress(b));
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

/** What verifying a miner's sample found. */
export interface AccuracyTally {
  /** Listings in the sample. */
  readonly sampled: number;
  /** Found at the source and within tolerance. */
  readonly accurate: number;
  /** Not found at the source (a listing that does not exist, or no longer does). */
  readonly notFound: number;
  /** Found but outside tolerance. */
  readonly mismatched: number;
  /** The source could not answer (error, timeout); counted as not verified, like the seed does. */
  readonly unverifiable: number;
}

/** `accurate / sampled` (seed: `verified_count / sample_size`), rounded; 0 for an empty sample. */
export function accuracyScore(tally: AccuracyTally): number {
  return tally.sampled === 0 ? 0 : roundScore(tally.accurate / tally.sampled);
}

import { type Listing, type ListingColumnName, type VerifiedListingValues, LISTING_COLUMN_NAMES } from '@resi/core';

/**
 * Where the validator re-fetches sampled listings to check them (PROTOCOL.md §8, accuracy). A
 * source answers for one uploaded listing: found (with the values it holds now), not found, or
 * unavailable (it could not say: an error, a block, a timeout).
 */
export type VerificationAnswer =
  | { readonly kind: 'found'; readonly values: VerifiedListingValues }
  | { readonly kind: 'not_found' }
  | {
      readonly kind: 'unavailable';
      readonly reason: string;
      /** Why there is no verdict, when the source says (`source_unsupported`, `source_unavailable`, `budget_exhausted`). */
      readonly code?: string;
    };

export interface VerificationSource {
  /** Shown in logs, e.g. `file`, `realtor`. */
  readonly name: string;
  /** What the source holds now for the listing the miner uploaded. Never throws: errors are `unavailable`. */
  lookup(listing: Listing): Promise<VerificationAnswer>;
  close?(): Promise<void>;
}

/** A candidate as the miner's source adapters yield it: listing columns, values unchecked. */
export type SourceCandidate = { readonly [Column in ListingColumnName]?: unknown };

/**
 * The shape of `ListingSource` (`@resi/sources`) that
 * verification needs: one zipcode's listings, a page at a time. Every miner adapter fits it, so a
 * validator verifies against the same sites the miners scrape.
 */
export interface ZipcodeListingFeed {
  readonly name: string;
  fetchZipcode(request: {
    readonly zipcode: string;
    readonly expectedListings: number;
    readonly signal: AbortSignal;
  }): AsyncIterable<SourceCandidate[]>;
  close?(): Promise<void>;
}

/** The keys a candidate can be found under: its source URL and its MLS id. */
function lookupKeys(candidate: SourceCandidate): string[] {
  const keys: string[] = [];
  if (typeof candidate.source_url === 'string' && candidate.source_url !== '') keys.push(`url:${candidate.source_url}`);
  if (typeof candidate.mls_id === 'string' && candidate.mls_id !== '') keys.push(`mls:${candidate.mls_id}`);
  return keys;
}

/** A candidate's listing values as verification compares them. */
export function verifiedValuesOf(candidate: SourceCandidate): VerifiedListingValues {
  const values: Record<string, string | number | null> = {};
  for (const name of LISTING_COLUMN_NAMES) {
    const value = candidate[name];
    if (typeof value === 'string' || typeof value === 'number') values[name] = value;
    else if (value === null) values[name] = null;
  }
  return values;
}

export interface FeedVerificationOptions {
  /** Abort a zipcode fetch after this long; its lookups are then `unavailable`. */
  readonly zipcodeTimeoutMs?: number;
}

/**
 * Verification through a zipcode feed: each zipcode is fetched once per run (every miner shares
 * the assignment, so 250 miners' samples cost one fetch per zipcode, not 12,500 page loads) and
 * sampled listings are looked up by source URL, then MLS id.
 */
export class ZipcodeFeedVerificationSource implements VerificationSource {
  readonly name: string;
  private readonly zipcodes = new Map<string, Promise<Map<string, SourceCandidate> | Error>>();

  constructor(
    private readonly feed: ZipcodeListingFeed,
    private readonly options: FeedVerificationOptions = {},
  ) {
    this.name = feed.name;
  }

  async lookup(listing: Listing): Promise<VerificationAnswer> {
    let pending = this.zipcodes.get(listing.zipcode);
    if (!pending) {
      pending = this.fetchZipcode(listing.zipcode);
      this.zipcodes.set(listing.zipcode, pending);
    }
    const index = await pending;
    if (index instanceof Error) return { kind: 'unavailable', reason: index.message };
    for (const key of lookupKeys(listing)) {
      const candidate = index.get(key);
      if (candidate) return { kind: 'found', values: verifiedValuesOf(candidate) };
    }
    return { kind: 'not_found' };
  }

  private async fetchZipcode(zipcode: string): Promise<Map<string, SourceCandidate> | Error> {
    const index = new Map<string, SourceCandidate>();
    const signal = AbortSignal.timeout(this.options.zipcodeTimeoutMs ?? 120_000);
    try {
      // Verification needs every listing of the zipcode: no expectation a source could stop paging at.
      const request = { zipcode, expectedListings: Number.MAX_SAFE_INTEGER, signal };
      for await (const page of this.feed.fetchZipcode(request)) {
        for (const candidate of page) {
          for (const key of lookupKeys(candidate)) if (!index.has(key)) index.set(key, candidate);
        }
      }
      if (signal.aborted) return new Error(`${this.feed.name}: fetching zipcode ${zipcode} timed out`);
      return index;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async close(): Promise<void> {
    await this.feed.close?.();
  }
}

import {
  type ClosedListingFacts,
  type Listing,
  type ListingColumnName,
  type VerifiedListingValues,
  LISTING_COLUMN_NAMES,
} from '@resi/core';

/**
 * Where the validator verifies the rows of the audited zipcodes (PROTOCOL.md §8): the enabled
 * sources, each able to list a whole zipcode. The pipeline asks each source for each audited
 * zipcode at most once per epoch and shares the answer among every miner.
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

/** One listing looked up at its source. */
export interface VerificationSource {
  readonly name: string;
  lookup(listing: Listing): Promise<VerificationAnswer>;
  close?(): Promise<void>;
}

export interface AuditSources {
  /** Shown in logs, e.g. `file`, `realtor`. */
  readonly name: string;
  /** The enabled source serving listing URLs of `host` (lower case, no `www.`), or null when none does. */
  sourceFor(host: string): string | null;
  /** Every listing `source` has in `zipcode` now. Never throws: a failure after retries is `unavailable`. */
  fetchZipcode(source: string, zipcode: string): Promise<ZipcodeFeedAnswer>;
  /**
   * Forgets the feeds of the previous epoch (a source is fetched once per epoch); `epoch.startMs`
   * sets the recently-closed window to the listings closed since the epoch began.
   */
  startEpoch?(epoch?: { readonly startMs: number }): void;
  close?(): Promise<void>;
}

/**
 * A source's answer for a whole zipcode: its listings, and (for a source that can tell) those
 * that left the market since the epoch began, or why that part could not be fetched.
 */
export type ZipcodeFeedAnswer =
  | {
      readonly kind: 'listings';
      readonly listings: readonly SourceCandidate[];
      readonly recentlyClosed?: RecentlyClosedFeed;
    }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly code?: string };

/** The listings of a zipcode that left the market on or after `since` (YYYY-MM-DD), or why they could not be fetched. */
export type RecentlyClosedFeed =
  | {
      readonly kind: 'listings';
      readonly since: string;
      readonly listings: readonly { readonly listing: SourceCandidate; readonly closed: ClosedListingFacts }[];
    }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly code?: string };

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
  /** Abort a zipcode fetch after this long; the zipcode is then `unavailable`. */
  readonly zipcodeTimeoutMs?: number;
}

/**
 * Audit sources over one zipcode feed (the validator's configured source, built like a miner's):
 * it answers for every listing host. Not cached here: the pipeline fetches each zipcode once per
 * epoch, so a later epoch sees the source as it is then.
 */
export class ZipcodeFeedAuditSources implements AuditSources {
  readonly name: string;

  constructor(
    private readonly feed: ZipcodeListingFeed,
    private readonly options: FeedVerificationOptions = {},
  ) {
    this.name = feed.name;
  }

  sourceFor(): string {
    return this.feed.name;
  }

  async fetchZipcode(_source: string, zipcode: string): Promise<ZipcodeFeedAnswer> {
    const listings: SourceCandidate[] = [];
    const signal = AbortSignal.timeout(this.options.zipcodeTimeoutMs ?? 120_000);
    try {
      // Verification needs every listing of the zipcode: no expectation a source could stop paging at.
      const request = { zipcode, expectedListings: Number.MAX_SAFE_INTEGER, signal };
      for await (const page of this.feed.fetchZipcode(request)) listings.push(...page);
      if (signal.aborted)
        return { kind: 'unavailable', reason: `${this.feed.name}: fetching zipcode ${zipcode} timed out` };
      return { kind: 'listings', listings };
    } catch (error) {
      return { kind: 'unavailable', reason: `${this.feed.name}: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    await this.feed.close?.();
  }
}

import type { ClosedListingFacts, ListingColumnName } from '@resi/core';

/**
 * A listing as a source found it, already mapped onto the listing columns (PROTOCOL.md §7) but
 * not yet checked: values may be missing or wrong, and the collector validates every one with
 * the core schema and counts what it rejects.
 */
export type CandidateListing = { [Column in ListingColumnName]?: unknown };

/** What a source is asked for: one assigned zipcode. */
export interface ZipcodeRequest {
  readonly zipcode: string;
  /** The API's estimate; sources may stop paging once well past it. */
  readonly expectedListings: number;
  /** Aborts at the collection deadline or on shutdown; sources stop and return what they have. */
  readonly signal: AbortSignal;
}

/** What a validator asks a source for besides the homes for sale: the zipcode's listings that left the market since a day. */
export interface RecentlyClosedRequest extends ZipcodeRequest {
  /** The first day (YYYY-MM-DD, UTC) a listing may have closed on (core's `recentlyClosedSince`). */
  readonly since: string;
  /** Now, for sources whose searches take "in the last N days". */
  readonly nowMs: number;
}

/**
 * A listing that left the market (went pending or contingent, sold, or was withdrawn), mapped onto
 * the listing columns as the site shows it now (`listing_status` pending or sold, `price` the sale
 * price once sold), with what the site says about how and when it closed.
 */
export interface ClosedCandidate {
  readonly listing: CandidateListing;
  readonly closed: ClosedListingFacts;
}

/**
 * A plugin that finds listings for a zipcode. Sources do the fetching, paging and field mapping;
 * zipcode filtering, de-duplication and validation are the collector's, the same for all.
 */
export interface ListingSource {
  /** The `--source` name, e.g. `realtor`. */
  readonly name: string;
  /** Yields one page of candidates at a time, so progress shows and a deadline loses little. */
  fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]>;
  /**
   * The zipcode's listings that left the market on or after `request.since` and are no longer
   * among its homes for sale (verification only: a row a miner scraped for sale before it closed
   * is found here, not missing). Absent for a source that cannot tell (a local file).
   */
  fetchRecentlyClosed?(request: RecentlyClosedRequest): AsyncIterable<ClosedCandidate[]>;
  /** Releases connections; called once on shutdown. */
  close?(): Promise<void>;
}

/** A source failed for a reason worth telling the operator (blocked, bad key, malformed answer). */
export class SourceError extends Error {
  override readonly name = 'SourceError';

  constructor(
    readonly source: string,
    /** Short stable label for metrics: `http_403`, `http_429`, `malformed`, `network`, ... */
    readonly kind: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

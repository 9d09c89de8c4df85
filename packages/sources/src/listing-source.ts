import type { ListingColumnName } from '@resi/core';

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

/**
 * A plugin that finds listings for a zipcode. Sources do the fetching, paging and field mapping;
 * zipcode filtering, de-duplication and validation are the collector's, the same for all.
 */
export interface ListingSource {
  /** The `--source` name, e.g. `realtor`. */
  readonly name: string;
  /** Yields one page of candidates at a time, so progress shows and a deadline loses little. */
  fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]>;
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

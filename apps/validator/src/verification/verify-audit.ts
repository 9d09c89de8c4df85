import {
  AUDIT_ROW_BUDGET,
  LISTING_COLUMN_NAMES,
  type Listing,
  type RowVerdict,
  type ClosedListingFacts,
  type VerifiedListingValues,
  auditRowsWithinBudget,
  compareWithClosedListing,
  compareWithVerifiedListing,
  listingUrlHost,
  normaliseListingUrl,
} from '@resi/core';
import { LISTING_SOURCE_ADAPTERS, servesHost } from '@resi/sources';
import type { AuditRow } from '../scan/epoch-listings-scan.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { AuditSources, RecentlyClosedFeed, SourceCandidate } from './verification-source.js';

/**
 * Whether any listing source of the subnet serves `host` (whether or not this validator enabled
 * it). A row claiming a site no source serves can be verified by no validator: were it "no
 * verdict", a fabricator could escape every audit by naming a made-up host.
 */
export function isSubnetListingHost(host: string): boolean {
  return LISTING_SOURCE_ADAPTERS.some((adapter) => servesHost(adapter, host));
}

/** One zipcode feed as fetched, indexed for lookups. */
export interface FeedIndex {
  /** Distinct listings in the feed: the zipcode's true count at this source. */
  readonly count: number;
  readonly byKey: ReadonlyMap<string, SourceCandidate>;
  /**
   * The listings that left the market since `since`, by lookup key; `unavailable` when that part
   * of the feed failed; absent for a source that cannot tell (a local file).
   */
  readonly closed?:
    | {
        readonly since: string;
        readonly byKey: ReadonlyMap<string, { readonly listing: SourceCandidate; readonly closed: ClosedListingFacts }>;
      }
    | { readonly unavailable: string };
}

/** The keys a listing is found under in a feed: its normalised source URL, then its MLS id. */
function lookupKeys(candidate: SourceCandidate): string[] {
  const keys: string[] = [];
  if (typeof candidate.source_url === 'string' && candidate.source_url !== '') {
    keys.push(`url:${normaliseListingUrl(candidate.source_url)}`);
  }
  if (typeof candidate.mls_id === 'string' && candidate.mls_id !== '') keys.push(`mls:${candidate.mls_id}`);
  return keys;
}

/** Indexes a feed by lookup key (the first listing with a key keeps it), and its recently-closed part. */
export function indexFeed(listings: readonly SourceCandidate[], recentlyClosed?: RecentlyClosedFeed): FeedIndex {
  const byKey = new Map<string, SourceCandidate>();
  const distinct = new Set<string>();
  for (const candidate of listings) {
    const keys = lookupKeys(candidate);
    if (keys[0] !== undefined) distinct.add(keys[0]);
    for (const key of keys) if (!byKey.has(key)) byKey.set(key, candidate);
  }
  if (recentlyClosed === undefined) return { count: distinct.size, byKey };
  if (recentlyClosed.kind === 'unavailable')
    return { count: distinct.size, byKey, closed: { unavailable: recentlyClosed.reason } };
  const closedByKey = new Map<string, { listing: SourceCandidate; closed: ClosedListingFacts }>();
  for (const entry of recentlyClosed.listings)
    for (const key of lookupKeys(entry.listing)) if (!closedByKey.has(key)) closedByKey.set(key, entry);
  return { count: distinct.size, byKey, closed: { since: recentlyClosed.since, byKey: closedByKey } };
}

function verifiedValuesOf(candidate: SourceCandidate): VerifiedListingValues {
  const values: Record<string, string | number | null> = {};
  for (const name of LISTING_COLUMN_NAMES) {
    const value = candidate[name];
    if (typeof value === 'string' || typeof value === 'number') values[name] = value;
    else if (value === null) values[name] = null;
  }
  return values;
}

/**
 * A row's verdict against its zipcode's feed: found within core's tolerances, found outside them,
 * or absent.
 *
 * A listing that left the market since the epoch began (the feed's recently-closed part: pending,
 * sold or withdrawn) is judged first, by core's `compareWithClosedListing`: a row that saw it for
 * sale is **verified** when it agrees with what the listing showed on the market (the asking price,
 * not the sale price), so an honest miner is paid for a real listing it delivered, and never
 * counted as inventing it. It is not `delisted` (no credit): the miner saw it while it was for
 * sale, which is what the subnet pays for. A row claiming for sale a home that closed before the
 * epoch began is mismatched. A row absent from the homes for sale while the recently-closed part
 * failed has no verdict (`source_unavailable`): we could not look, which is never the miner's fault.
 */
export function verdictAgainstFeed(
  listing: Listing,
  feed: FeedIndex,
): 'verified' | 'mismatched' | 'not_found' | 'source_unavailable' {
  return judgeAgainstFeed(listing, feed).verdict;
}

/** {@link verdictAgainstFeed}, and whether the row was judged among the recently-closed listings. */
function judgeAgainstFeed(
  listing: Listing,
  feed: FeedIndex,
): { verdict: 'verified' | 'mismatched' | 'not_found' | 'source_unavailable'; closed: boolean } {
  const keys = lookupKeys(listing);
  if (feed.closed && 'byKey' in feed.closed) {
    for (const key of keys) {
      const entry = feed.closed.byKey.get(key);
      if (entry) {
        const comparison = compareWithClosedListing(
          listing,
          verifiedValuesOf(entry.listing),
          entry.closed,
          feed.closed.since,
        );
        return { verdict: comparison.accurate ? 'verified' : 'mismatched', closed: true };
      }
    }
  }
  for (const key of keys) {
    const candidate = feed.byKey.get(key);
    if (candidate) {
      const { accurate } = compareWithVerifiedListing(listing, verifiedValuesOf(candidate));
      return { verdict: accurate ? 'verified' : 'mismatched', closed: false };
    }
  }
  return { verdict: feed.closed && 'unavailable' in feed.closed ? 'source_unavailable' : 'not_found', closed: false };
}

/** `120 listings`, `120 listings, 9 closed since 2025-09-29`, or `120 listings, recently closed unavailable: …`. */
function describeFeed(feed: FeedIndex): string {
  const listings = `${feed.count} listings`;
  if (feed.closed === undefined) return listings;
  if ('unavailable' in feed.closed) return `${listings}, recently closed unavailable: ${feed.closed.unavailable}`;
  const closed = new Set([...feed.closed.byKey.values()]).size;
  return `${listings}, ${closed} closed since ${feed.closed.since}`;
}

/** What verifying an epoch's audited rows found. */
export interface AuditVerification {
  /** The verdict of every audited row fingerprint. */
  readonly verdicts: Map<bigint, RowVerdict>;
  /** The true count of each audited zipcode where a source answered (the largest, with several). */
  readonly trueCounts: Map<string, number>;
  /** Each feed asked for, in (source, zipcode) order: what it answered. */
  readonly feeds: { readonly source: string; readonly zipcode: string; readonly outcome: string }[];
  /** Of the verdicts, the rows verified among the listings closed since the epoch began. */
  readonly verifiedClosed: number;
}

/**
 * Verifies the distinct rows of the audited zipcodes: each row is routed by its URL's host to the
 * enabled source serving it (none: `source_unsupported`), each (source, zipcode) feed is fetched
 * once, `concurrency` at a time, and the row is looked up in it (`verdictAgainstFeed`). A feed that
 * failed after the source's retries gives `source_unavailable`; rows past the budget (which ones,
 * core's `auditRowsWithinBudget` draws from the epoch's audit seed) `budget_exhausted`. No verdict
 * is ever the miner's penalty.
 */
export async function verifyAuditRows(
  rows: readonly AuditRow[],
  sources: AuditSources,
  options: { readonly concurrency: number; readonly auditSeed: string; readonly budget?: number },
): Promise<AuditVerification> {
  const { within, beyond } = auditRowsWithinBudget(options.auditSeed, rows, options.budget ?? AUDIT_ROW_BUDGET);
  const routed = [
    ...within.map((row) => ({
      row,
      source: sources.sourceFor(listingUrlHost(row.listing.source_url)),
      withinBudget: true,
    })),
    ...beyond.map((row) => ({ row, source: null, withinBudget: false })),
  ];
  const wanted = [
    ...new Set(
      routed
        .filter((entry) => entry.source !== null)
        .map((entry) => `${entry.source}\u0000${entry.row.listing.zipcode}`),
    ),
  ].sort();
  const answers = await mapWithConcurrency(wanted, options.concurrency, async (key) => {
    const [source, zipcode] = key.split('\u0000') as [string, string];
    const answer = await sources
      .fetchZipcode(source, zipcode)
      .catch((error: Error) => ({ kind: 'unavailable', reason: error.message }) as const);
    if (answer.kind === 'listings') return indexFeed(answer.listings, answer.recentlyClosed);
    const code = 'code' in answer && answer.code === 'budget_exhausted' ? 'budget_exhausted' : 'source_unavailable';
    return Object.assign(new Error(answer.reason), { code });
  });
  const feedsByKey = new Map(wanted.map((key, index) => [key, answers[index]!]));
  const verdicts = new Map<bigint, RowVerdict>();
  let verifiedClosed = 0;
  for (const { row, source, withinBudget } of routed) {
    if (!withinBudget) verdicts.set(row.fingerprint, 'budget_exhausted');
    else if (source === null) {
      // A site the subnet has a source for, which this validator did not enable: no verdict. A site
      // no source serves: the listing cannot be shown to exist anywhere, so it counts as not found.
      const host = listingUrlHost(row.listing.source_url);
      verdicts.set(row.fingerprint, isSubnetListingHost(host) ? 'source_unsupported' : 'not_found');
    } else {
      const feed = feedsByKey.get(`${source}\u0000${row.listing.zipcode}`)!;
      if (feed instanceof Error) verdicts.set(row.fingerprint, 'source_unavailable');
      else {
        const judged = judgeAgainstFeed(row.listing, feed);
        verdicts.set(row.fingerprint, judged.verdict);
        if (judged.closed && judged.verdict === 'verified') verifiedClosed += 1;
      }
    }
  }
  const trueCounts = new Map<string, number>();
  const feeds = wanted.map((key) => {
    const [source, zipcode] = key.split('\u0000') as [string, string];
    const feed = feedsByKey.get(key)!;
    if (!(feed instanceof Error)) trueCounts.set(zipcode, Math.max(trueCounts.get(zipcode) ?? 0, feed.count));
    return {
      source,
      zipcode,
      outcome: feed instanceof Error ? `unavailable: ${feed.message}` : describeFeed(feed),
    };
  });
  return {
    verdicts,
    trueCounts: new Map([...trueCounts].sort(([a], [b]) => (a < b ? -1 : 1))),
    feeds,
    verifiedClosed,
  };
}

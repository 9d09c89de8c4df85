import { defaultRecentlyClosedSince, recentlyClosedSince } from '@resi/core';
import type { CandidateListing, ClosedCandidate, ListingSource } from './listing-source.js';
import {
  type AdapterConfig,
  LISTING_SOURCE_ADAPTERS,
  type ListingSourceAdapter,
  adapterNamed,
  createListingSource,
  listingHostOf,
  servesHost,
} from './source-registry.js';

/** Why a feed has no listings to check against. None of them is a miner's fault. */
export type FeedUnavailableCode =
  /** No enabled source serves the listing's site. */
  | 'source_unsupported'
  /** The source failed after its retries: down, blocked, rate-limited, timed out, changed shape. */
  | 'source_unavailable'
  /** The epoch's request or time budget ran out before this feed was fetched in full. */
  | 'budget_exhausted';

/**
 * The recently-closed part of a feed: the zipcode's listings that left the market on or after
 * `since`, or why they could not be fetched. A row not among the homes for sale is `not_found`
 * only when this part answered; when it failed, the row has no verdict (our fault, not the miner's).
 */
export type RecentlyClosedAnswer =
  | { readonly kind: 'listings'; readonly since: string; readonly listings: readonly ClosedCandidate[] }
  | { readonly kind: 'unavailable'; readonly code: FeedUnavailableCode; readonly reason: string };

/**
 * A source's answer for one whole zipcode: its listings as a miner collects them (for sale, and
 * the recent sales the source is set to collect), and, for a source that can tell, the listings
 * that closed since the epoch began (`recentlyClosed`; absent for a local file).
 */
export type ZipcodeFeedAnswer =
  | {
      readonly kind: 'listings';
      readonly listings: readonly CandidateListing[];
      readonly recentlyClosed?: RecentlyClosedAnswer;
    }
  | { readonly kind: 'unavailable'; readonly code: FeedUnavailableCode; readonly reason: string };

/** What one epoch's verification may spend, over every enabled source together. */
export interface FeedBudget {
  /** HTTP requests (attempts, retries included). */
  readonly maxRequests: number;
  /** Wall time from the epoch's first feed. */
  readonly maxMs: number;
}

/**
 * 4,000 requests and 45 minutes an epoch. At the default rates (realtor 30/min, zillow-rapidapi
 * 20/min, redfin 10/min) one source alone cannot spend more than 1,350 requests in 45 minutes, so
 * the time bound binds first and each site's own rate limit is never exceeded.
 */
export const DEFAULT_FEED_BUDGET: FeedBudget = Object.freeze({ maxRequests: 4_000, maxMs: 45 * 60_000 });

/** Where the feeds of an epoch stand, for progress output and benches. */
export interface FeedProgress {
  /** Requests made this epoch, by source. */
  readonly requests: Readonly<Record<string, number>>;
  readonly totalRequests: number;
  readonly feedsFetched: number;
  readonly feedsUnavailable: number;
  readonly feedsPending: number;
  readonly elapsedMs: number;
  readonly budget: FeedBudget;
}

/** One enabled source and the listing hosts it answers for. */
export interface EnabledSource {
  readonly source: ListingSource;
  readonly listingHosts: readonly string[];
}

export interface SourceFeedsOptions {
  readonly budget?: FeedBudget;
  /** Abort one zipcode's fetch after this long; it is then `source_unavailable`. */
  readonly zipcodeTimeoutMs?: number;
  /** Called after each feed settles. */
  readonly onProgress?: (progress: FeedProgress, settled: { source: string; zipcode: string; answer: string }) => void;
  readonly now?: () => number;
  /** The wall clock (ms since 1970), for the recently-closed window when no epoch start is given. */
  readonly wallClock?: () => number;
}

/**
 * The validator's view of the listing sites: several enabled sources, each zipcode's whole feed
 * fetched at most once per (source, zipcode) per epoch and shared by every miner's checks, within
 * a request and time budget. A row is routed by its `source_url` host ({@link sourceFor}); a host
 * no enabled source serves is `source_unsupported`. Never throws for a feed: failures are answers.
 */
export class SourceFeeds {
  private readonly sources: ReadonlyMap<string, EnabledSource>;
  private feeds = new Map<string, Promise<ZipcodeFeedAnswer>>();
  private requests = new Map<string, number>();
  private fetched = 0;
  private unavailable = 0;
  private epochStartedMs: number | undefined;
  private closedSince: string | undefined;
  private readonly inFlight = new Set<AbortController>();
  private readonly budget: FeedBudget;
  private readonly now: () => number;

  constructor(
    sources: readonly EnabledSource[],
    private readonly options: SourceFeedsOptions = {},
  ) {
    this.sources = new Map(sources.map((enabled) => [enabled.source.name, enabled]));
    this.budget = options.budget ?? DEFAULT_FEED_BUDGET;
    this.now = options.now ?? (() => performance.now());
  }

  /** Builds every configured source, counting its requests against the budget. */
  static fromConfigs(
    configs: readonly AdapterConfig[],
    options: SourceFeedsOptions & { readonly adapters?: readonly ListingSourceAdapter[] } = {},
  ): SourceFeeds {
    const adapters = options.adapters ?? LISTING_SOURCE_ADAPTERS;
    // The sources count their requests on the feeds built from them.
    const counter: { feeds?: SourceFeeds } = {};
    const enabled = configs.map((config) => ({
      source: createListingSource(config, (attempt) => counter.feeds?.countRequest(attempt.source), adapters),
      listingHosts: adapterNamed(config.source, adapters).listingHosts,
    }));
    counter.feeds = new SourceFeeds(enabled, options);
    return counter.feeds;
  }

  /** The enabled sources' names, e.g. `realtor+zillow-rapidapi`. */
  get name(): string {
    return [...this.sources.keys()].join('+');
  }

  get enabledSources(): string[] {
    return [...this.sources.keys()];
  }

  /** The enabled source serving listing URLs of `host` (a named site first, then a `*` feed), or null. */
  sourceFor(host: string): string | null {
    const normalised = host.toLowerCase().replace(/^www\./, '');
    for (const [name, enabled] of this.sources) if (servesHost(enabled, normalised)) return name;
    for (const [name, enabled] of this.sources) if (enabled.listingHosts.includes('*')) return name;
    return null;
  }

  /** {@link sourceFor} of a listing URL's host; null for an unreadable URL. */
  sourceOfUrl(url: unknown): string | null {
    const host = listingHostOf(url);
    return host === null ? null : this.sourceFor(host);
  }

  /**
   * Forgets the last epoch's feeds and resets the budget: the next epoch sees the sites as they are
   * then. `epoch.startMs` sets the recently-closed window to listings closed since the epoch began
   * (less core's slack); without it the window is core's default back from now.
   */
  startEpoch(epoch?: { readonly startMs: number }): void {
    this.closedSince = epoch === undefined ? undefined : recentlyClosedSince(epoch.startMs);
    for (const controller of this.inFlight) controller.abort(new Error('a new epoch started'));
    this.feeds = new Map();
    this.requests = new Map();
    this.fetched = 0;
    this.unavailable = 0;
    this.epochStartedMs = undefined;
  }

  /** Every listing `source` holds in `zipcode` now, fetched once per epoch however often asked. */
  fetchZipcode(source: string, zipcode: string): Promise<ZipcodeFeedAnswer> {
    const key = `${source}\u0000${zipcode}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = this.fetchOnce(source, zipcode).then((answer) => {
        if (answer.kind === 'listings') this.fetched += 1;
        else this.unavailable += 1;
        const shown = answer.kind === 'listings' ? describeListings(answer) : answer.code;
        this.options.onProgress?.(this.progress(), { source, zipcode, answer: shown });
        return answer;
      });
      this.feeds.set(key, feed);
    }
    return feed;
  }

  progress(): FeedProgress {
    const requests = Object.fromEntries([...this.requests].sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      requests,
      totalRequests: this.totalRequests(),
      feedsFetched: this.fetched,
      feedsUnavailable: this.unavailable,
      feedsPending: this.feeds.size - this.fetched - this.unavailable,
      elapsedMs: this.epochStartedMs === undefined ? 0 : this.now() - this.epochStartedMs,
      budget: this.budget,
    };
  }

  async close(): Promise<void> {
    for (const controller of this.inFlight) controller.abort(new Error('closing'));
    await Promise.allSettled([...this.sources.values()].map(async (enabled) => enabled.source.close?.()));
  }

  /**
   * Counts one request. A request past the budget stops every feed in flight (`budget_exhausted`),
   * so the budget is overrun by at most the requests already in flight at that moment.
   */
  countRequest(source: string): void {
    this.requests.set(source, (this.requests.get(source) ?? 0) + 1);
    if (this.totalRequests() > this.budget.maxRequests)
      for (const controller of this.inFlight) controller.abort(new BudgetExhausted('request'));
  }

  private totalRequests(): number {
    let total = 0;
    for (const count of this.requests.values()) total += count;
    return total;
  }

  private async fetchOnce(source: string, zipcode: string): Promise<ZipcodeFeedAnswer> {
    const enabled = this.sources.get(source);
    if (!enabled) return { kind: 'unavailable', code: 'source_unsupported', reason: `${source} is not enabled` };
    this.epochStartedMs ??= this.now();
    const remainingMs = this.budget.maxMs - (this.now() - this.epochStartedMs);
    if (this.totalRequests() >= this.budget.maxRequests || remainingMs <= 0)
      return exhausted(source, zipcode, remainingMs <= 0 ? 'time' : 'request');
    const controller = new AbortController();
    this.inFlight.add(controller);
    const zipcodeTimeout = AbortSignal.timeout(this.options.zipcodeTimeoutMs ?? 120_000);
    const epochTimeout = AbortSignal.timeout(Math.max(1, Math.ceil(remainingMs)));
    const signal = AbortSignal.any([controller.signal, zipcodeTimeout, epochTimeout]);
    const listings: CandidateListing[] = [];
    const stopped = (): ZipcodeFeedAnswer | undefined => {
      if (controller.signal.aborted && controller.signal.reason instanceof BudgetExhausted)
        return exhausted(source, zipcode, controller.signal.reason.kind);
      if (epochTimeout.aborted) return exhausted(source, zipcode, 'time');
      if (signal.aborted) {
        const why = zipcodeTimeout.aborted ? 'timed out' : String((signal.reason as Error)?.message ?? 'stopped');
        return { kind: 'unavailable', code: 'source_unavailable', reason: `${source}: zipcode ${zipcode}: ${why}` };
      }
      return undefined;
    };
    try {
      try {
        // Verification needs every listing of the zipcode: no expectation a source could stop paging at.
        for await (const page of enabled.source.fetchZipcode({
          zipcode,
          expectedListings: Number.MAX_SAFE_INTEGER,
          signal,
        }))
          listings.push(...page);
      } catch (error) {
        return (
          stopped() ?? {
            kind: 'unavailable',
            code: 'source_unavailable',
            reason: `${(error as Error).message ?? String(error)}`,
          }
        );
      }
      const stoppedEarly = stopped();
      if (stoppedEarly) return stoppedEarly;
      if (!enabled.source.fetchRecentlyClosed) return { kind: 'listings', listings };
      // The homes for sale answered: whatever happens to the recently-closed part, they stand.
      return {
        kind: 'listings',
        listings,
        recentlyClosed: await this.fetchClosed(enabled.source, zipcode, signal, stopped),
      };
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** The recently-closed part of a feed; a failure is its answer, never a throw. */
  private async fetchClosed(
    source: ListingSource,
    zipcode: string,
    signal: AbortSignal,
    stopped: () => ZipcodeFeedAnswer | undefined,
  ): Promise<RecentlyClosedAnswer> {
    const since = this.closedSince ?? defaultRecentlyClosedSince(this.wallClock());
    const listings: ClosedCandidate[] = [];
    const request = { zipcode, expectedListings: Number.MAX_SAFE_INTEGER, signal, since, nowMs: this.wallClock() };
    let failure: unknown;
    try {
      for await (const page of source.fetchRecentlyClosed!(request)) listings.push(...page);
    } catch (error) {
      failure = error;
    }
    const stoppedEarly = stopped();
    if (stoppedEarly?.kind === 'unavailable') return stoppedEarly;
    if (failure === undefined) return { kind: 'listings', since, listings };
    return {
      kind: 'unavailable',
      code: 'source_unavailable',
      reason: `${source.name}: zipcode ${zipcode}: recently closed listings: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`,
    };
  }

  private wallClock(): number {
    return (this.options.wallClock ?? Date.now)();
  }
}

/** `120 listings` or `120 listings + 14 recently closed` / `+ recently closed unavailable`. */
function describeListings(answer: Extract<ZipcodeFeedAnswer, { kind: 'listings' }>): string {
  const closed = answer.recentlyClosed;
  const tail =
    closed === undefined
      ? ''
      : closed.kind === 'listings'
        ? ` + ${closed.listings.length} recently closed`
        : ` + recently closed ${closed.code}`;
  return `${answer.listings.length} listings${tail}`;
}

class BudgetExhausted extends Error {
  constructor(readonly kind: 'request' | 'time') {
    super(`the epoch's ${kind} budget is spent`);
  }
}

function exhausted(source: string, zipcode: string, kind: 'request' | 'time'): ZipcodeFeedAnswer {
  return {
    kind: 'unavailable',
    code: 'budget_exhausted',
    reason: `${source}: zipcode ${zipcode} not fetched: the epoch's ${kind} budget is spent`,
  };
}

/** One line of progress: `feeds 12 fetched, 1 unavailable, 3 pending; requests 85/4000 (realtor 60, …); 34/2700 s`. */
export function describeFeedProgress(progress: FeedProgress): string {
  const bySource = Object.entries(progress.requests)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  return (
    `feeds ${progress.feedsFetched} fetched, ${progress.feedsUnavailable} unavailable, ${progress.feedsPending} pending; ` +
    `requests ${progress.totalRequests}/${progress.budget.maxRequests}${bySource ? ` (${bySource})` : ''}; ` +
    `${Math.round(progress.elapsedMs / 1000)}/${Math.round(progress.budget.maxMs / 1000)} s`
  );
}

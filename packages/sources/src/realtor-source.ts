import { scrapeNow } from './scrape-clock.js';
import {
  dayOrNull,
  daysSince,
  integerOf,
  isoDateOf,
  normaliseListingStatus,
  normalisePropertyType,
  numberOf,
  textOf,
} from './field-mapping.js';
import {
  type CandidateListing,
  type ClosedCandidate,
  type ListingSource,
  type RecentlyClosedRequest,
  SourceError,
  type ZipcodeRequest,
} from './listing-source.js';
import type { SourceHttpClient } from './source-http.js';

/** realtor.com pages `home_search` 200 results at a time, and serves at most 10,000 per query. */
export const REALTOR_PAGE_SIZE = 200;
const REALTOR_MAX_OFFSET = 10_000;

/** One result of realtor.com's `home_search`, the fields the mapping reads. */
export interface RealtorSearchResult {
  property_id?: string | null;
  listing_id?: string | null;
  status?: string | null;
  list_price?: number | null;
  list_date?: string | null;
  last_sold_price?: number | null;
  last_sold_date?: string | null;
  permalink?: string | null;
  description?: {
    type?: string | null;
    beds?: number | null;
    baths?: number | null;
    baths_consolidated?: string | null;
    sqft?: number | null;
  } | null;
  location?: {
    address?: {
      line?: string | null;
      city?: string | null;
      state_code?: string | null;
      postal_code?: string | null;
    } | null;
  } | null;
  source?: { id?: string | null; listing_id?: string | null } | null;
  flags?: { is_pending?: boolean | null; is_contingent?: boolean | null } | null;
  /** When the listing last changed status (asked for in recently-closed searches only). */
  last_status_change_date?: string | null;
  /** When realtor.com last updated the listing (asked for in recently-closed searches only). */
  last_update_date?: string | null;
}

const RESULT_FIELDS = resultFields('');

function resultFields(extra: string): string {
  return `
    total
    count
    results {${extra}
      property_id
      listing_id
      status
      list_price
      list_date
      last_sold_price
      last_sold_date
      permalink
      description { type beds baths baths_consolidated sqft }
      location { address { line city state_code postal_code } }
      source { id listing_id }
      flags { is_pending is_contingent }
    }`;
}

/**
 * The `home_search` query for one postal code: homes for sale (pending and contingent included),
 * or homes sold in the last `soldDays` days, newest sale first.
 */
export function realtorSearchQuery(kind: 'for_sale' | 'sold', soldDays: number): string {
  const filter =
    kind === 'for_sale'
      ? 'status: [for_sale, ready_to_build]'
      : `status: sold\n        sold_date: { min: "$today-${Math.trunc(soldDays)}D" }`;
  const sort = kind === 'sold' ? '\n      sort: [{ field: sold_date, direction: desc }]' : '';
  return `query ZipcodeHomeSearch($postal_code: String!, $offset: Int!, $limit: Int!) {
  home_search(
      query: {
        postal_code: $postal_code
        ${filter}
      }${sort}
      limit: $limit
      offset: $offset
  ) {${RESULT_FIELDS}
  }
}`;
}

/**
 * The `home_search` query for one postal code's listings that left the market on or after `since`
 * (YYYY-MM-DD), as HomeHarvest asks realtor.com for them: `sold` with a `sold_date` minimum (newest
 * sale first), or `off_market` newest update first (realtor.com has no server-side date filter for
 * it, so the source reads `last_status_change_date` and stops paging once updates are older).
 * Pending and contingent homes need no query of their own: the for-sale search returns them (its
 * `flags`), which is why HomeHarvest offers to exclude them from it.
 */
export function realtorClosedQuery(kind: 'sold' | 'off_market', since: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(since) ? since : '1970-01-01';
  const filter = kind === 'sold' ? `status: sold\n        sold_date: { min: "${day}" }` : 'status: off_market';
  const field = kind === 'sold' ? 'sold_date' : 'last_update_date';
  return `query ZipcodeClosedSearch($postal_code: String!, $offset: Int!, $limit: Int!) {
  home_search(
      query: {
        postal_code: $postal_code
        ${filter}
      }
      sort: [{ field: ${field}, direction: desc }]
      limit: $limit
      offset: $offset
  ) {${resultFields('\n      last_status_change_date\n      last_update_date')}
  }
}`;
}

type RealtorAddress = NonNullable<NonNullable<RealtorSearchResult['location']>['address']>;

const isTextOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** `line, city, ST 12345`, leaving out what is missing; null without a street line. */
function fullAddressOf(address: RealtorAddress | null | undefined): string | null {
  const line = textOf(address?.line);
  if (typeof line !== 'string') return null;
  const city = textOf(address?.city);
  const state = textOf(address?.state_code);
  const postalCode = textOf(address?.postal_code);
  if (isTextOrNull(city) && isTextOrNull(state) && isTextOrNull(postalCode)) {
    // textOf leaves no empty text: each part is either there or null.
    const stateAndPostalCode = state !== null && postalCode !== null ? `${state} ${postalCode}` : (state ?? postalCode);
    let full = line;
    if (city !== null) full += `, ${city}`;
    if (stateAndPostalCode !== null) full += `, ${stateAndPostalCode}`;
    return full;
  }
  // Values of types realtor.com does not send: joined by the general rule, as JavaScript writes them.
  return [line, city, [state, postalCode].filter(Boolean).join(' ')]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(', ');
}

let lastScrapedAt: Date | undefined;
let lastScrapedAtMs = Number.NaN;
let lastScrapedTimestamp = '';

/** `scrapedAt.toISOString()`, formatted once for a page whose results share the instant. */
function scrapedTimestampOf(scrapedAt: Date): string {
  if (scrapedAt !== lastScrapedAt || scrapedAt.getTime() !== lastScrapedAtMs) {
    lastScrapedTimestamp = scrapedAt.toISOString();
    lastScrapedAt = scrapedAt;
    lastScrapedAtMs = scrapedAt.getTime();
  }
  return lastScrapedTimestamp;
}

/** Maps one `home_search` result to the listing columns. */
export function mapRealtorResult(result: RealtorSearchResult, scrapedAt: Date): CandidateListing {
  const address = result.location?.address;
  const fullAddress = fullAddressOf(address);
  const sold = result.status === 'sold';
  const listingDate = isoDateOf(result.list_date ?? (sold ? result.last_sold_date : undefined));
  const soldDate = isoDateOf(result.last_sold_date);
  const status = sold
    ? 'sold'
    : result.flags?.is_pending || result.flags?.is_contingent
      ? 'pending'
      : normaliseListingStatus(result.status);
  const daysOnMarket =
    sold && typeof soldDate === 'string' && typeof listingDate === 'string'
      ? daysSince(listingDate, new Date(`${soldDate}T00:00:00Z`))
      : daysSince(listingDate, scrapedAt);
  const permalink = textOf(result.permalink);
  const propertyId = textOf(result.property_id);
  return {
    address: fullAddress,
    zipcode: textOf(address?.postal_code),
    price: numberOf(sold ? (result.last_sold_price ?? result.list_price) : result.list_price),
    bedrooms: integerOf(result.description?.beds),
    bathrooms: numberOf(result.description?.baths_consolidated ?? result.description?.baths),
    sqft: integerOf(result.description?.sqft),
    listing_date: listingDate,
    property_type: normalisePropertyType(result.description?.type),
    listing_status: status,
    days_on_market: daysOnMarket,
    mls_id: textOf(result.source?.listing_id),
    source_url:
      typeof permalink === 'string'
        ? `https://www.realtor.com/realestateandhomes-detail/${permalink}`
        : typeof propertyId === 'string'
          ? `https://www.realtor.com/realestateandhomes-detail/M${propertyId}`
          : null,
    scraped_timestamp: scrapedTimestampOf(scrapedAt),
  };
}

/**
 * A result of a recently-closed search with how it closed: sold (its sale date, its last asking
 * price) or off the market (the day its status changed). Null for a result that is neither (a
 * search answering with homes for sale is no evidence of a closing) and for an off-market home
 * without the day it left.
 */
export function mapRealtorClosedResult(result: RealtorSearchResult, scrapedAt: Date): ClosedCandidate | null {
  const listPrice = numberOf(result.list_price);
  const facts = { listPrice: typeof listPrice === 'number' ? listPrice : null };
  if (result.status === 'sold') {
    return {
      listing: mapRealtorResult(result, scrapedAt),
      closed: { status: 'sold', closedOn: dayOrNull(result.last_sold_date), ...facts },
    };
  }
  if (result.status === 'off_market') {
    // Every home realtor.com knows and that is not for sale is off the market: without the day it
    // left, it is no evidence of a recent closing (else any old home could be claimed for sale).
    const changedOn = dayOrNull(result.last_status_change_date ?? result.last_update_date);
    if (changedOn === null) return null;
    return {
      listing: mapRealtorResult(result, scrapedAt),
      closed: { status: 'off_market', closedOn: changedOn, ...facts },
    };
  }
  return null;
}

export interface RealtorSourceOptions {
  readonly graphqlUrl: string;
  readonly suggestUrl: string;
  /** Also collect homes sold in the last N days; 0 for homes for sale only. */
  readonly soldDays: number;
  readonly http: SourceHttpClient;
  readonly now?: () => Date;
}

/**
 * `realtor`: realtor.com's public GraphQL search, the way the open-source HomeHarvest project
 * uses it: resolve the zipcode with the location-suggest service (an unknown or non-residential
 * ZIP resolves to nothing, which is the honest answer for it), then page `home_search` for the
 * postal code 200 at a time, for sale and then recently sold.
 */
export class RealtorListingSource implements ListingSource {
  readonly name = 'realtor';
  private readonly now: () => Date;

  constructor(private readonly options: RealtorSourceOptions) {
    this.now = options.now ?? scrapeNow;
  }

  async *fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]> {
    if (!(await this.resolvesToPostalCode(request))) return;
    const kinds: ('for_sale' | 'sold')[] = this.options.soldDays > 0 ? ['for_sale', 'sold'] : ['for_sale'];
    for (const kind of kinds) {
      const query = realtorSearchQuery(kind, this.options.soldDays);
      for (let offset = 0; offset < REALTOR_MAX_OFFSET; offset += REALTOR_PAGE_SIZE) {
        if (request.signal.aborted) return;
        const page = await this.searchPage(query, request, offset);
        const scrapedAt = this.now();
        yield page.results.map((result) => mapRealtorResult(result, scrapedAt));
        if (page.results.length === 0 || offset + REALTOR_PAGE_SIZE >= page.total) break;
      }
    }
  }

  /**
   * Homes sold since `request.since` (realtor.com filters on the sale date), then homes taken off
   * the market since then (newest update first; paging stops at the first page whose last update
   * is older or that holds no status change since the day; only those on or after it are kept).
   */
  async *fetchRecentlyClosed(request: RecentlyClosedRequest): AsyncIterable<ClosedCandidate[]> {
    if (!(await this.resolvesToPostalCode(request))) return;
    for (const kind of ['sold', 'off_market'] as const) {
      const query = realtorClosedQuery(kind, request.since);
      for (let offset = 0; offset < REALTOR_MAX_OFFSET; offset += REALTOR_PAGE_SIZE) {
        if (request.signal.aborted) return;
        const page = await this.searchPage(query, request, offset);
        const scrapedAt = this.now();
        const closed = page.results
          .map((result) => mapRealtorClosedResult(result, scrapedAt))
          .filter((candidate): candidate is ClosedCandidate => candidate !== null)
          .filter((candidate) => candidate.closed.closedOn === null || candidate.closed.closedOn >= request.since);
        yield closed;
        if (page.results.length === 0 || offset + REALTOR_PAGE_SIZE >= page.total) break;
        // Newest update first: a page whose last update, or every status change, is older than the
        // day ends the off-market listings that matter (a zipcode holds thousands of older ones).
        const lastUpdated = dayOrNull(page.results.at(-1)?.last_update_date);
        if (kind === 'off_market' && ((lastUpdated !== null && lastUpdated < request.since) || closed.length === 0))
          break;
      }
    }
  }

  private async resolvesToPostalCode(request: ZipcodeRequest): Promise<boolean> {
    const url = new URL(this.options.suggestUrl);
    url.searchParams.set('input', request.zipcode);
    url.searchParams.set('client_id', 'for-sale');
    url.searchParams.set('limit', '1');
    url.searchParams.set('area_types', 'postal_code');
    const body = (await this.options.http.fetchJson(url, {
      signal: request.signal,
      headers: { accept: 'application/json' },
    })) as { autocomplete?: unknown } | null;
    if (!body || !Array.isArray(body.autocomplete)) {
      throw new SourceError(this.name, 'malformed', 'the location service answered without an autocomplete list');
    }
    const first = body.autocomplete[0] as { area_type?: unknown; postal_code?: unknown } | undefined;
    return first?.area_type === 'postal_code' && first.postal_code === request.zipcode;
  }

  private async searchPage(
    query: string,
    request: ZipcodeRequest,
    offset: number,
  ): Promise<{ total: number; results: RealtorSearchResult[] }> {
    const body = (await this.options.http.fetchJson(this.options.graphqlUrl, {
      method: 'POST',
      signal: request.signal,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        origin: 'https://www.realtor.com',
        referer: 'https://www.realtor.com/',
      },
      body: JSON.stringify({
        operationName: 'ZipcodeHomeSearch',
        query,
        variables: { postal_code: request.zipcode, offset, limit: REALTOR_PAGE_SIZE },
      }),
    })) as {
      data?: { home_search?: { total?: unknown; results?: unknown } | null } | null;
      errors?: { message?: string }[];
    };
    const search = body?.data?.home_search;
    if (!search || !Array.isArray(search.results) || typeof search.total !== 'number') {
      const reason = body?.errors?.[0]?.message;
      throw new SourceError(
        this.name,
        'malformed',
        `home_search answered without results${reason ? `: ${reason}` : ''} (the query format may have changed)`,
      );
    }
    return { total: search.total, results: search.results as RealtorSearchResult[] };
  }
}

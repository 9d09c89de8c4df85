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
  zipcodeOf,
} from './field-mapping.js';
import { daysSinceDay } from '@resi/core';
import {
  type CandidateListing,
  type ClosedCandidate,
  type ListingSource,
  type RecentlyClosedRequest,
  SourceError,
  type ZipcodeRequest,
} from './listing-source.js';
import type { SourceHttpClient } from './source-http.js';

/**
 * One property of `propertyExtendedSearch`. The API has served `address` as one string with
 * `listingStatus`/`propertyType`, and (in the form the Python miner read) as an object with
 * `homeStatus`/`homeType`; both are read.
 */
export interface ZillowProperty {
  zpid?: string | number | null;
  address?: string | { streetAddress?: string; city?: string; state?: string; zipcode?: string } | null;
  zipcode?: string | null;
  price?: number | string | null;
  bedrooms?: number | null;
  bathrooms?: number | null;
  livingArea?: number | null;
  listingStatus?: string | null;
  homeStatus?: string | null;
  propertyType?: string | null;
  homeType?: string | null;
  daysOnZillow?: number | null;
  dateSold?: number | string | null;
  detailUrl?: string | null;
  mlsid?: string | null;
}

const TRAILING_ZIPCODE = /\b(\d{5})(?:-\d{4})?\s*$/;

/** Maps one Zillow property to the listing columns. */
export function mapZillowProperty(property: ZillowProperty, scrapedAt: Date): CandidateListing {
  const { address } = property;
  let fullAddress: unknown = null;
  let zipcode: unknown = zipcodeOf(property.zipcode ?? undefined);
  if (typeof address === 'string') {
    fullAddress = textOf(address);
    zipcode ??= TRAILING_ZIPCODE.exec(address)?.[1] ?? null;
  } else if (address && typeof address === 'object') {
    const street = textOf(address.streetAddress);
    fullAddress =
      typeof street === 'string'
        ? [street, textOf(address.city), [textOf(address.state), textOf(address.zipcode)].filter(Boolean).join(' ')]
            .filter((part) => typeof part === 'string' && part !== '')
            .join(', ')
        : null;
    zipcode ??= zipcodeOf(address.zipcode);
  }
  const status = normaliseListingStatus(property.listingStatus ?? property.homeStatus);
  const days = integerOf(property.daysOnZillow);
  const soldDate = isoDateOf(property.dateSold ?? undefined);
  // Zillow gives days on Zillow, not a list date: the list date is that many days ago (from the
  // sale for a sold home). Without either, the row is rejected rather than dated by guess.
  const reference = status === 'sold' && typeof soldDate === 'string' ? new Date(`${soldDate}T00:00:00Z`) : scrapedAt;
  const listingDate =
    typeof days === 'number' ? new Date(reference.getTime() - days * 86_400_000).toISOString().slice(0, 10) : null;
  const detail = textOf(property.detailUrl);
  const zpid = textOf(property.zpid);
  return {
    address: fullAddress,
    zipcode,
    price: numberOf(property.price),
    bedrooms: integerOf(property.bedrooms),
    bathrooms: numberOf(property.bathrooms),
    sqft: integerOf(property.livingArea),
    listing_date: listingDate,
    property_type: normalisePropertyType(property.propertyType ?? property.homeType),
    listing_status: status,
    days_on_market: typeof days === 'number' ? days : daysSince(listingDate, scrapedAt),
    mls_id: textOf(property.mlsid),
    source_url:
      typeof detail === 'string'
        ? detail.startsWith('http')
          ? detail
          : `https://www.zillow.com${detail.startsWith('/') ? '' : '/'}${detail}`
        : typeof zpid === 'string'
          ? `https://www.zillow.com/homedetails/${zpid}_zpid/`
          : null,
    scraped_timestamp: scrapedAt.toISOString(),
  };
}

/**
 * The "sold in last" choices Zillow's search offers (days), smallest first; `soldInLast` takes
 * one of them, so a window is rounded up to the next.
 */
export const ZILLOW_SOLD_IN_LAST_DAYS = [1, 7, 14, 30, 90] as const;

/** The smallest "sold in last" choice covering `days`, or the largest. */
export function zillowSoldInLast(days: number): string {
  return String(ZILLOW_SOLD_IN_LAST_DAYS.find((choice) => choice >= days) ?? ZILLOW_SOLD_IN_LAST_DAYS.at(-1));
}

/**
 * A property of a recently-closed search with how it closed: sold (`dateSold`, the sale price as
 * its price; the search gives no asking price) or pending / under contract (no date; its price is
 * the asking price). Null for a property that is still simply for sale.
 */
export function mapZillowClosedProperty(property: ZillowProperty, scrapedAt: Date): ClosedCandidate | null {
  const listing = mapZillowProperty(property, scrapedAt);
  if (listing.listing_status === 'sold')
    return { listing, closed: { status: 'sold', closedOn: dayOrNull(property.dateSold), listPrice: null } };
  if (listing.listing_status === 'pending') {
    const price = typeof listing.price === 'number' ? listing.price : null;
    return { listing, closed: { status: 'pending', closedOn: null, listPrice: price } };
  }
  return null;
}

export interface ZillowRapidApiSourceOptions {
  /** e.g. `https://zillow-com1.p.rapidapi.com`; its host is the `X-RapidAPI-Host`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** `status_type` values to page through, e.g. `ForSale`, `RecentlySold`. */
  readonly statusTypes: readonly string[];
  /** Pages per zipcode and status type: each page is a paid call. */
  readonly maxPages: number;
  readonly http: SourceHttpClient;
  readonly now?: () => Date;
}

/**
 * `zillow-rapidapi`: Zillow through RapidAPI's `propertyExtendedSearch` by zipcode, as the
 * Python miner called it (`location`, `status_type`, `page`, sorted newest first), paging until
 * `totalPages` or the page limit. Quota pacing: the request rate is the HTTP client's, a 429
 * waits out `Retry-After`, and an exhausted monthly quota
 * (`X-RateLimit-Requests-Remaining: 0`) stops the source instead of burning failed calls.
 */
export class ZillowRapidApiListingSource implements ListingSource {
  readonly name = 'zillow-rapidapi';
  private readonly now: () => Date;
  private quotaExhausted = false;

  constructor(private readonly options: ZillowRapidApiSourceOptions) {
    this.now = options.now ?? scrapeNow;
  }

  async *fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]> {
    for (const statusType of this.options.statusTypes) {
      for (let page = 1; page <= this.options.maxPages; page += 1) {
        if (request.signal.aborted) return;
        const { properties, totalPages } = await this.searchPage(request, statusType, page);
        const scrapedAt = this.now();
        yield properties.map((property) => mapZillowProperty(property, scrapedAt));
        if (properties.length === 0 || page >= totalPages) break;
      }
    }
  }

  /**
   * Homes sold since `request.since` (`status_type=RecentlySold` with the smallest `soldInLast`
   * covering the window, kept when `dateSold` is on or after the day), then homes pending or under
   * contract (`status_type=ForSale` with `isPendingUnderContract=1` and `isAcceptingBackupOffers=1`,
   * which Zillow's default for-sale search leaves out; only those whose status says so are kept).
   * Zillow's search offers no off-market listings, so a withdrawn home is not found here.
   */
  async *fetchRecentlyClosed(request: RecentlyClosedRequest): AsyncIterable<ClosedCandidate[]> {
    const searches: [string, Record<string, string>][] = [
      ['RecentlySold', { soldInLast: zillowSoldInLast(daysSinceDay(request.since, request.nowMs)) }],
      ['ForSale', { isPendingUnderContract: '1', isAcceptingBackupOffers: '1' }],
    ];
    for (const [statusType, filters] of searches) {
      for (let page = 1; page <= this.options.maxPages; page += 1) {
        if (request.signal.aborted) return;
        const { properties, totalPages } = await this.searchPage(request, statusType, page, filters);
        const scrapedAt = this.now();
        yield properties
          .map((property) => mapZillowClosedProperty(property, scrapedAt))
          .filter((candidate): candidate is ClosedCandidate => candidate !== null)
          .filter((candidate) => candidate.closed.closedOn === null || candidate.closed.closedOn >= request.since);
        if (properties.length === 0 || page >= totalPages) break;
      }
    }
  }

  private async searchPage(
    request: ZipcodeRequest,
    statusType: string,
    page: number,
    filters: Readonly<Record<string, string>> = {},
  ): Promise<{ properties: ZillowProperty[]; totalPages: number }> {
    if (this.quotaExhausted) {
      throw new SourceError(this.name, 'quota', 'the RapidAPI request quota is used up for this period');
    }
    const url = new URL('/propertyExtendedSearch', this.options.baseUrl);
    url.searchParams.set('location', request.zipcode);
    url.searchParams.set('status_type', statusType);
    url.searchParams.set('sort', 'Newest');
    url.searchParams.set('page', String(page));
    for (const [name, value] of Object.entries(filters)) url.searchParams.set(name, value);
    const response = await this.options.http.fetchText(url, {
      signal: request.signal,
      headers: {
        accept: 'application/json',
        'x-rapidapi-key': this.options.apiKey,
        'x-rapidapi-host': new URL(this.options.baseUrl).host,
      },
    });
    if (response.headers.get('x-ratelimit-requests-remaining') === '0') this.quotaExhausted = true;
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      throw new SourceError(this.name, 'malformed', 'propertyExtendedSearch answered with something that is not JSON');
    }
    const document = body as {
      props?: unknown;
      totalPages?: unknown;
      totalResultCount?: unknown;
      zpid?: unknown;
      message?: unknown;
    };
    // An exact single match comes back as the property itself, not a list.
    if (document.zpid !== undefined && document.props === undefined) {
      return { properties: [document as ZillowProperty], totalPages: 1 };
    }
    if (!Array.isArray(document.props)) {
      if (document.totalResultCount === 0) return { properties: [], totalPages: 0 };
      const message = typeof document.message === 'string' ? `: ${document.message}` : '';
      throw new SourceError(this.name, 'malformed', `propertyExtendedSearch answered without props${message}`);
    }
    const totalPages = typeof document.totalPages === 'number' ? document.totalPages : page;
    return { properties: document.props as ZillowProperty[], totalPages };
  }
}

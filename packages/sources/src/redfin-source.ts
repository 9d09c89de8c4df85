import { scrapeNow } from './scrape-clock.js';
import { csvRecords } from './csv.js';
import {
  dayOrNull,
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

/** Redfin's region type for a ZIP code in its search and download URLs. */
const REDFIN_ZIP_REGION_TYPE = '2';
/** Rows one CSV download holds at most. */
export const REDFIN_MAX_ROWS = 350;
/** The second row of every download: a notice, not a listing. */
const MLS_DISCLAIMER = /^In accordance with local MLS rules/i;

/** Maps one row of Redfin's CSV download to the listing columns. */
export function mapRedfinRow(row: Record<string, string>, scrapedAt: Date): CandidateListing {
  const urlColumn = Object.keys(row).find((name) => name.toUpperCase().startsWith('URL'));
  const street = textOf(row.ADDRESS);
  const zipcode = zipcodeOf(row['ZIP OR POSTAL CODE']);
  const address =
    typeof street === 'string'
      ? [
          street,
          textOf(row.CITY),
          [textOf(row['STATE OR PROVINCE']), typeof zipcode === 'string' ? zipcode : null].filter(Boolean).join(' '),
        ]
          .filter((part) => typeof part === 'string' && part !== '')
          .join(', ')
      : null;
  const sold = /past sale/i.test(row['SALE TYPE'] ?? '') || /sold/i.test(row.STATUS ?? '');
  const days = integerOf(row['DAYS ON MARKET']);
  const soldDate = isoDateOf(textOf(row['SOLD DATE']));
  // The download has days on market but no list date: count back from the sale or from now.
  // A row with neither is left undated and rejected, not dated by guess.
  const reference = sold && typeof soldDate === 'string' ? new Date(`${soldDate}T00:00:00Z`) : scrapedAt;
  const listingDate =
    typeof days === 'number' ? new Date(reference.getTime() - days * 86_400_000).toISOString().slice(0, 10) : null;
  return {
    address,
    zipcode,
    price: numberOf(row.PRICE),
    bedrooms: integerOf(row.BEDS),
    bathrooms: numberOf(row.BATHS),
    sqft: integerOf(row['SQUARE FEET']),
    listing_date: listingDate,
    property_type: normalisePropertyType(row['PROPERTY TYPE']),
    listing_status: sold ? 'sold' : normaliseListingStatus(row.STATUS),
    days_on_market: days,
    mls_id: textOf(row['MLS#']),
    source_url: urlColumn ? textOf(row[urlColumn]) : null,
    scraped_timestamp: scrapedAt.toISOString(),
  };
}

/** Redfin's status filter for homes under contract: 2 (contingent) + 128 (pending). */
export const REDFIN_UNDER_CONTRACT_STATUS = '130';

/**
 * A row of a recently-closed download with how it closed: sold (its SOLD DATE; PRICE is then the
 * sale price and the download gives no asking price) or pending / contingent (no date; PRICE is the
 * asking price). Null for a row still simply for sale.
 */
export function mapRedfinClosedRow(row: Record<string, string>, scrapedAt: Date): ClosedCandidate | null {
  const listing = mapRedfinRow(row, scrapedAt);
  if (listing.listing_status === 'sold')
    return { listing, closed: { status: 'sold', closedOn: dayOrNull(textOf(row['SOLD DATE'])), listPrice: null } };
  if (listing.listing_status === 'pending') {
    const price = typeof listing.price === 'number' ? listing.price : null;
    return { listing, closed: { status: 'pending', closedOn: null, listPrice: price } };
  }
  return null;
}

/** Parses a Redfin CSV download: header, then listings, skipping the MLS disclaimer row. */
export function parseRedfinCsv(text: string): Record<string, string>[] {
  if (!/^\uFEFF?"?SALE TYPE"?,/i.test(text.trimStart())) {
    throw new SourceError('redfin', 'malformed', 'the download is not Redfin CSV (a block page or a changed format)');
  }
  return csvRecords(text).filter((row) => !Object.values(row).some((cell) => MLS_DISCLAIMER.test(cell)));
}

export interface RedfinSourceOptions {
  /** e.g. `https://www.redfin.com`. */
  readonly baseUrl: string;
  /** Also download homes sold in the last N days; 0 for homes for sale only. */
  readonly soldDays: number;
  readonly http: SourceHttpClient;
  readonly now?: () => Date;
}

/**
 * `redfin`: Redfin's CSV download for a ZIP region. The zipcode is resolved to Redfin's region
 * id with its location autocomplete (answers are JSON behind a `{}&&` guard), then the CSV of
 * homes for sale and, optionally, of recent sales is downloaded (one file each, at most
 * {@link REDFIN_MAX_ROWS} rows) and its MLS disclaimer row skipped.
 */
export class RedfinListingSource implements ListingSource {
  readonly name = 'redfin';
  private readonly now: () => Date;

  constructor(private readonly options: RedfinSourceOptions) {
    this.now = options.now ?? scrapeNow;
  }

  async *fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]> {
    const regionId = await this.regionIdOf(request);
    if (regionId === undefined) return;
    const downloads: Record<string, string>[] = [{ status: '9' }];
    if (this.options.soldDays > 0) downloads.push({ sold_within_days: String(this.options.soldDays) });
    for (const filter of downloads) {
      if (request.signal.aborted) return;
      const rows = await this.download(request, regionId, filter);
      const scrapedAt = this.now();
      yield rows.map((row) => mapRedfinRow(row, scrapedAt));
    }
  }

  /**
   * Homes sold since `request.since` (the sold download, `sold_within_days` covering the window,
   * kept when the SOLD DATE is on or after the day), then homes under contract (the download with
   * `status=130`: Redfin's status filter is a sum of flags, 2 contingent and 128 pending, as its
   * search page sends it for "under contract/pending"; kept when their STATUS says so). Redfin's
   * download offers no off-market homes, so a withdrawn home is not found here.
   */
  async *fetchRecentlyClosed(request: RecentlyClosedRequest): AsyncIterable<ClosedCandidate[]> {
    const regionId = await this.regionIdOf(request);
    if (regionId === undefined) return;
    const downloads: Record<string, string>[] = [
      { sold_within_days: String(daysSinceDay(request.since, request.nowMs)) },
      { status: REDFIN_UNDER_CONTRACT_STATUS },
    ];
    for (const filter of downloads) {
      if (request.signal.aborted) return;
      const rows = await this.download(request, regionId, filter);
      const scrapedAt = this.now();
      yield rows
        .map((row) => mapRedfinClosedRow(row, scrapedAt))
        .filter((candidate): candidate is ClosedCandidate => candidate !== null)
        .filter((candidate) => candidate.closed.closedOn === null || candidate.closed.closedOn >= request.since);
    }
  }

  private async download(
    request: ZipcodeRequest,
    regionId: string,
    filter: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>[]> {
    const url = new URL('/stingray/api/gis-csv', this.options.baseUrl);
    for (const [key, value] of Object.entries({
      al: '1',
      region_id: regionId,
      region_type: REDFIN_ZIP_REGION_TYPE,
      num_homes: String(REDFIN_MAX_ROWS),
      uipt: '1,2,3,4,5,6,7,8',
      v: '8',
      ...filter,
    })) {
      url.searchParams.set(key, value);
    }
    const response = await this.options.http.fetchText(url, {
      signal: request.signal,
      headers: { accept: 'text/csv' },
    });
    return parseRedfinCsv(response.text);
  }

  private async regionIdOf(request: ZipcodeRequest): Promise<string | undefined> {
    const url = new URL('/stingray/do/location-autocomplete', this.options.baseUrl);
    url.searchParams.set('location', request.zipcode);
    url.searchParams.set('v', '2');
    const response = await this.options.http.fetchText(url, {
      signal: request.signal,
      headers: { accept: 'application/json' },
    });
    let body: { payload?: { exactMatch?: RegionRow; sections?: { rows?: RegionRow[] }[] } };
    try {
      body = JSON.parse(response.text.replace(/^\s*\{\}&&/, '')) as typeof body;
    } catch {
      throw new SourceError(
        this.name,
        'malformed',
        'the location autocomplete answered with something that is not JSON',
      );
    }
    const rows = [body.payload?.exactMatch, ...(body.payload?.sections ?? []).flatMap((section) => section.rows ?? [])];
    const match = rows.find(
      (row) => row !== undefined && String(row.type) === REDFIN_ZIP_REGION_TYPE && row.name === request.zipcode,
    );
    const id = match?.id?.split('_')[1];
    return id && /^\d+$/.test(id) ? id : undefined;
  }
}

interface RegionRow {
  id?: string;
  type?: string | number;
  name?: string;
}

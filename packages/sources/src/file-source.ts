import { scrapeNow } from './scrape-clock.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type ListingColumnName, readListingsParquet } from '@resi/core';
import { csvRecords } from './csv.js';
import {
  daysSince,
  integerOf,
  isoDateOf,
  normaliseListingStatus,
  normalisePropertyType,
  numberOf,
  textOf,
  zipcodeOf,
} from './field-mapping.js';
import { type CandidateListing, type ListingSource, SourceError, type ZipcodeRequest } from './listing-source.js';

/** The feed formats the file source reads, by file extension. */
export const FEED_EXTENSIONS = ['.csv', '.json', '.jsonl', '.ndjson', '.parquet'] as const;

/** Column names a feed may use for each listing column besides the column's own name. */
const FEED_COLUMN_ALIASES: Record<ListingColumnName, readonly string[]> = {
  address: ['address', 'full_address', 'street_address', 'formatted_address'],
  zipcode: ['zipcode', 'zip', 'zip_code', 'postal_code', 'zip or postal code'],
  price: ['price', 'list_price', 'listing_price', 'sold_price'],
  bedrooms: ['bedrooms', 'beds'],
  bathrooms: ['bathrooms', 'baths'],
  sqft: ['sqft', 'square_feet', 'living_area', 'living_area_sqft'],
  listing_date: ['listing_date', 'list_date', 'listed_date'],
  property_type: ['property_type', 'home_type', 'type'],
  listing_status: ['listing_status', 'status'],
  days_on_market: ['days_on_market', 'dom'],
  mls_id: ['mls_id', 'mls', 'mls_number', 'mls#'],
  source_url: ['source_url', 'url', 'property_url', 'listing_url'],
  scraped_timestamp: ['scraped_timestamp', 'scraped_at'],
};

const PAGE_SIZE = 500;

/**
 * Maps one feed row to the listing columns: looks each column up by its name or a common alias
 * (case-insensitive), normalises zipcodes, numbers, dates, types and statuses, derives
 * `days_on_market` from the listing date when absent, and stamps `scraped_timestamp` when the
 * feed has none.
 */
export function mapFeedRow(row: Record<string, unknown>, scrapedAt: Date): CandidateListing {
  const byLowerName = new Map(Object.entries(row).map(([key, value]) => [key.trim().toLowerCase(), value]));
  const pick = (column: ListingColumnName): unknown => {
    for (const alias of FEED_COLUMN_ALIASES[column]) {
      const value = byLowerName.get(alias);
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const listingDate = isoDateOf(pick('listing_date'));
  const daysOnMarket = pick('days_on_market');
  return {
    address: textOf(pick('address')),
    zipcode: zipcodeOf(pick('zipcode')),
    price: numberOf(pick('price')),
    bedrooms: integerOf(pick('bedrooms')),
    bathrooms: numberOf(pick('bathrooms')),
    sqft: integerOf(pick('sqft')),
    listing_date: listingDate,
    property_type: normalisePropertyType(pick('property_type')),
    listing_status: normaliseListingStatus(pick('listing_status')),
    days_on_market: daysOnMarket === undefined ? daysSince(listingDate, scrapedAt) : integerOf(daysOnMarket),
    mls_id: textOf(pick('mls_id')),
    source_url: textOf(pick('source_url')),
    scraped_timestamp: textOf(pick('scraped_timestamp')) ?? scrapedAt.toISOString(),
  };
}

/** Rows of a feed file, by its extension. */
export async function readFeedRows(path: string): Promise<Record<string, unknown>[]> {
  const extension = extname(path).toLowerCase();
  const bytes = await readFile(path);
  // A plain Uint8Array view: core copies a view it cannot use whole with slice(), which on a
  // Node Buffer would share the pooled memory instead of copying it.
  if (extension === '.parquet') {
    return (await readListingsParquet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))).rows;
  }
  const text = bytes.toString('utf8');
  if (extension === '.csv') return csvRecords(text);
  if (extension === '.jsonl' || extension === '.ndjson') {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new SourceError('file', 'malformed', `${path} line ${index + 1} is not JSON`);
        }
      });
  }
  if (extension === '.json') {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new SourceError('file', 'malformed', `${path} is not JSON`);
    }
    const rows = Array.isArray(document) ? document : (document as { listings?: unknown } | null)?.listings;
    if (!Array.isArray(rows)) {
      throw new SourceError('file', 'malformed', `${path} must hold an array of listings or {"listings": [...]}`);
    }
    return rows as Record<string, unknown>[];
  }
  throw new SourceError('file', 'unsupported', `${path}: unsupported feed format (use ${FEED_EXTENSIONS.join(', ')})`);
}

export interface FileSourceOptions {
  /** A feed file holding any zipcodes, or a directory of per-zipcode files `<zipcode>.<ext>`. */
  readonly path: string;
  readonly now?: () => Date;
}

/**
 * `file`: listings from a feed the operator supplies (CSV, JSON, JSON lines or Parquet), for
 * miners with their own data. A single file is read once (again when it changes) and filtered
 * by zipcode; in a directory, `<zipcode>.csv` (or another extension) holds one zipcode's rows,
 * and a row there in another zipcode is rejected as `zipcode_not_assigned`.
 */
export class FileListingSource implements ListingSource {
  readonly name = 'file';
  private cached: { path: string; mtimeMs: number; rowsByZipcode: Map<string, Record<string, unknown>[]> } | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: FileSourceOptions) {
    this.now = options.now ?? scrapeNow;
  }

  async *fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]> {
    const rows = await this.rowsFor(request.zipcode);
    const scrapedAt = this.now();
    for (let start = 0; start < rows.length; start += PAGE_SIZE) {
      if (request.signal.aborted) return;
      yield rows.slice(start, start + PAGE_SIZE).map((row) => mapFeedRow(row, scrapedAt));
    }
  }

  private async rowsFor(zipcode: string): Promise<Record<string, unknown>[]> {
    let info;
    try {
      info = await stat(this.options.path);
    } catch {
      throw new SourceError('file', 'missing', `feed ${this.options.path} does not exist (set --file.path)`);
    }
    if (info.isDirectory()) {
      const names = await readdir(this.options.path);
      const name = FEED_EXTENSIONS.map((extension) => `${zipcode}${extension}`).find((candidate) =>
        names.includes(candidate),
      );
      return name === undefined ? [] : readFeedRows(join(this.options.path, name));
    }
    if (this.cached?.path !== this.options.path || this.cached.mtimeMs !== info.mtimeMs) {
      const rowsByZipcode = new Map<string, Record<string, unknown>[]>();
      for (const row of await readFeedRows(this.options.path)) {
        const candidate = mapFeedRow(row, new Date(0));
        const key = typeof candidate.zipcode === 'string' ? candidate.zipcode : '';
        const group = rowsByZipcode.get(key);
        if (group) group.push(row);
        else rowsByZipcode.set(key, [row]);
      }
      this.cached = { path: this.options.path, mtimeMs: info.mtimeMs, rowsByZipcode };
    }
    return this.cached.rowsByZipcode.get(zipcode) ?? [];
  }
}

import { type ClosedListingFacts, type Listing, PRODUCTION_EPOCH_CONFIG, PROPERTY_TYPES } from '@resi/core';
import type { ClosedCandidate, ListingSource } from '@resi/sources';
import { type Random, randomOf } from './random.js';

/**
 * The simulated market: listing sites as independent miners and a validator see them, moving
 * over time. Listings arrive and leave (a steady turnover: most sell, some are withdrawn), prices
 * are cut now and then, and active listings go pending. What any scrape returns is a pure
 * function of the seed, the zipcode and the instant, so two miners scraping minutes apart collect
 * slightly different data, and the validator, fetching after the grace period, sees a market that
 * moved again. The validator reaches it as a `ListingSource` ({@link SimulatedMarket.source}):
 * homes for sale, and the recently-closed search production verification asks every site for.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** A zipcode of the simulated country. */
export interface MarketZipcode {
  readonly zipcode: string;
  /** No residential market: nothing is ever listed here (a honeypot candidate). */
  readonly empty: boolean;
  /** The catalogue's estimate of its listing count (what the API publishes as `expectedListings`). */
  readonly estimate: number;
}

export interface MarketOptions {
  readonly seed: string;
  /** Zipcodes with a market, and zipcodes without. */
  readonly realZipcodes: number;
  readonly emptyZipcodes: number;
  /** Typical number of listings on the market in a zipcode at any instant. */
  readonly listingsPerZipcode: readonly [min: number, max: number];
  /** Mean time a listing stays on the market: the turnover between scrapes. */
  readonly meanLifetimeMs: number;
  /** Mean time between two price cuts of one listing. */
  readonly meanPriceCutMs: number;
  /** The simulated period: listings exist from well before `fromMs` to `untilMs`. */
  readonly fromMs: number;
  readonly untilMs: number;
}

/** The listing host of the market's source URLs: the site its source answers for. */
export const MARKET_LISTING_HOST = 'realtor.com';

/** Share of listings that leave the market withdrawn (off the market) rather than sold. */
const WITHDRAWN_SHARE = 0.15;

/**
 * How fast the simulated market moves, against production's 4-hour epochs: a listing stays about
 * 5 days (about 3% of the market turns over per epoch) and its price is cut about every 6 days.
 */
export const DEFAULT_MARKET_DRIFT = {
  listingsPerZipcode: [25, 70] as const,
  meanLifetimeMs: 5 * DAY_MS,
  meanPriceCutMs: 6 * DAY_MS,
};

/** The rates of a market drift (mean times between its changes). */
export interface MarketDriftRates {
  readonly meanLifetimeMs: number;
  readonly meanPriceCutMs: number;
}

/**
 * {@link DEFAULT_MARKET_DRIFT}'s rates for epochs of `epochMs` (a devnet's minutes-long epochs):
 * the same share of the market turns over, and the same share of prices is cut, per epoch.
 */
export function marketDriftForEpoch(epochMs: number): MarketDriftRates {
  const scale = epochMs / (PRODUCTION_EPOCH_CONFIG.durationMinutes * 60_000);
  return {
    meanLifetimeMs: DEFAULT_MARKET_DRIFT.meanLifetimeMs * scale,
    meanPriceCutMs: DEFAULT_MARKET_DRIFT.meanPriceCutMs * scale,
  };
}

/** A price cut of a listing: from `atMs` on, its price is multiplied by `factor`. */
export interface PriceCut {
  readonly atMs: number;
  readonly factor: number;
}

/** The price cuts of a listing on the market from `fromMs` to `untilMs`: every 'meanPriceCutMs' or so, 2–7% each. */
export function priceCutsOver(random: Random, fromMs: number, untilMs: number, meanPriceCutMs: number): PriceCut[] {
  const priceCuts: PriceCut[] = [];
  for (let cutAt = fromMs + random.exponential(meanPriceCutMs); cutAt < untilMs;) {
    priceCuts.push({ atMs: cutAt, factor: random.between(0.93, 0.98) });
    cutAt += random.exponential(meanPriceCutMs);
  }
  return priceCuts;
}

/** A listing's price at `atMs`: its first price with every cut made by then. */
export function priceAt(basePrice: number, priceCuts: readonly PriceCut[], atMs: number): number {
  let price = basePrice;
  for (const cut of priceCuts) if (cut.atMs <= atMs) price = Math.round(price * cut.factor);
  return price;
}

/** When a listing that stays `staysMs` goes pending: 60–120% of its stay in (past it: never). */
export function pendingAtOf(random: Random, listedAtMs: number, staysMs: number): number {
  return listedAtMs + random.between(0.6, 1.2) * staysMs;
}

interface MarketListing {
  readonly zipcode: string;
  readonly listedAtMs: number;
  readonly delistedAtMs: number;
  readonly pendingAtMs: number;
  readonly basePrice: number;
  readonly priceCuts: readonly PriceCut[];
  readonly address: string;
  readonly bedrooms: number | null;
  readonly bathrooms: number | null;
  readonly sqft: number | null;
  readonly propertyType: Listing['property_type'];
  readonly mlsId: string | null;
  readonly sourceUrl: string;
  /** How it leaves the market at `delistedAtMs`: sold (at its sale price) or withdrawn. */
  readonly closing: { readonly kind: 'sold'; readonly salePrice: number } | { readonly kind: 'off_market' };
}

const STREETS = ['Oak', 'Maple', 'Cedar', 'Pine', 'Elm', 'Walnut', 'Lake', 'Hill', 'Park', 'Main', 'Church', 'Mill'];
const SUFFIXES = ['St', 'Ave', 'Rd', 'Ln', 'Dr', 'Ct', 'Way', 'Pl'];

/**
 * A zipcode's listings over the simulated period. How each one closes is drawn from `closings`,
 * a stream of its own, so the listings miners scrape do not depend on it.
 */
function generateZipcodeListings(
  random: Random,
  closings: Random,
  zipcode: string,
  size: number,
  options: MarketOptions,
) {
  const listings: MarketListing[] = [];
  const lifetime = options.meanLifetimeMs;
  // Arrivals at size/lifetime per ms keep about `size` listings on the market (Little's law).
  let atMs = options.fromMs - 4 * lifetime;
  for (let index = 0; ; index++) {
    atMs += random.exponential(lifetime / size);
    if (atMs >= options.untilMs) break;
    const staysMs = random.exponential(lifetime);
    const priceCuts = priceCutsOver(random, atMs, atMs + staysMs, options.meanPriceCutMs);
    const beds = random.int(1, 6);
    const id = `${zipcode}${String(index).padStart(5, '0')}`;
    const withdrawn = closings() < WITHDRAWN_SHARE;
    // A sale closes within a few percent of the last asking price, either way.
    const saleFactor = closings.between(0.96, 1.04);
    const basePrice = Math.round(random.between(120_000, 1_400_000) / 1000) * 1000;
    listings.push({
      zipcode,
      listedAtMs: atMs,
      delistedAtMs: atMs + staysMs,
      pendingAtMs: pendingAtOf(random, atMs, staysMs),
      basePrice,
      priceCuts,
      address: `${random.int(10, 9999)} ${random.pick(STREETS)} ${random.pick(SUFFIXES)}, Unit ${index}, Springfield ${zipcode}`,
      bedrooms: random() < 0.05 ? null : beds,
      bathrooms: random() < 0.05 ? null : 1 + random.int(0, 6) * 0.5,
      sqft: random() < 0.08 ? null : 400 + beds * 300 + random.int(0, 900),
      propertyType: random.pick(PROPERTY_TYPES),
      mlsId: random() < 0.25 ? null : `MLS-${id}`,
      sourceUrl: `https://www.realtor.com/realestateandhomes-detail/M${id}`,
      closing: withdrawn
        ? { kind: 'off_market' }
        : {
            kind: 'sold',
            salePrice: Math.round((priceAt(basePrice, priceCuts, atMs + staysMs) * saleFactor) / 1000) * 1000,
          },
    });
  }
  return listings;
}

const dayOf = (atMs: number) => new Date(atMs).toISOString().slice(0, 10);

/**
 * A listing as the site shows it at `atMs`. Once closed: sold at its sale price, or, withdrawn,
 * as it last stood on the market (the site no longer lists it for sale).
 */
function listingAt(listing: MarketListing, atMs: number): Listing {
  const closed = atMs >= listing.delistedAtMs;
  const sold = closed && listing.closing.kind === 'sold';
  const lastOnMarketMs = Math.min(atMs, listing.delistedAtMs);
  return {
    address: listing.address,
    zipcode: listing.zipcode,
    price:
      listing.closing.kind === 'sold' && sold
        ? listing.closing.salePrice
        : priceAt(listing.basePrice, listing.priceCuts, lastOnMarketMs),
    bedrooms: listing.bedrooms,
    bathrooms: listing.bathrooms,
    sqft: listing.sqft,
    listing_date: dayOf(listing.listedAtMs),
    property_type: listing.propertyType,
    listing_status: sold ? 'sold' : lastOnMarketMs >= listing.pendingAtMs ? 'pending' : 'active',
    // A closed listing's days on market stop at its close.
    days_on_market: Math.floor((Math.min(atMs, listing.delistedAtMs) - listing.listedAtMs) / DAY_MS),
    mls_id: listing.mlsId,
    source_url: listing.sourceUrl,
    scraped_timestamp: new Date(atMs).toISOString(),
  };
}

/** The listing site of the simulation. */
export class SimulatedMarket {
  readonly zipcodes: readonly MarketZipcode[];
  private readonly listings = new Map<string, readonly MarketListing[]>();

  constructor(readonly options: MarketOptions) {
    const random = randomOf(`${options.seed}:zipcodes`);
    const total = options.realZipcodes + options.emptyZipcodes;
    // Numbers drawn from one range, so a zipcode's number says nothing about its market.
    const numbers = new Set<string>();
    while (numbers.size < total) numbers.add(String(random.int(10_000, 99_999)));
    const empties = new Set(random.shuffle([...numbers]).slice(0, options.emptyZipcodes));
    const zipcodes: MarketZipcode[] = [];
    for (const zipcode of [...numbers].sort()) {
      const [min, max] = options.listingsPerZipcode;
      const size = random.int(min, max);
      // The catalogue's estimate misses the true count both ways; an empty zipcode gets a plausible one.
      const estimate = Math.max(5, Math.round(size * random.between(0.75, 1.35)));
      const empty = empties.has(zipcode);
      zipcodes.push({ zipcode, empty, estimate });
      this.listings.set(
        zipcode,
        empty
          ? []
          : generateZipcodeListings(
              randomOf(`${options.seed}:market:${zipcode}`),
              randomOf(`${options.seed}:closings:${zipcode}`),
              zipcode,
              size,
              options,
            ),
      );
    }
    this.zipcodes = zipcodes;
  }

  /** What the site lists in `zipcode` at `atMs`, each row stamped with that instant. */
  listingsAt(zipcode: string, atMs: number): Listing[] {
    return (this.listings.get(zipcode) ?? [])
      .filter((listing) => listing.listedAtMs <= atMs && atMs < listing.delistedAtMs)
      .map((listing) => listingAt(listing, atMs));
  }

  /**
   * What the site's recently-closed searches return at `atMs` (realtor.com's sold and off-market
   * searches): the listings of `zipcode` that left the market on or after the day `since`
   * (YYYY-MM-DD) and by `atMs`, each as the site shows it now, with how and when it closed and its
   * last asking price.
   */
  recentlyClosedAt(zipcode: string, since: string, atMs: number): ClosedCandidate[] {
    return (this.listings.get(zipcode) ?? [])
      .filter((listing) => listing.delistedAtMs <= atMs && dayOf(listing.delistedAtMs) >= since)
      .map((listing) => {
        const closed: ClosedListingFacts = {
          status: listing.closing.kind,
          closedOn: dayOf(listing.delistedAtMs),
          listPrice: priceAt(listing.basePrice, listing.priceCuts, listing.delistedAtMs),
        };
        return { listing: listingAt(listing, atMs), closed };
      });
  }

  /**
   * Listings that exist nowhere on the site, as a fabricator invents them: plausible values,
   * source URLs and MLS ids in the site's own format.
   */
  inventedListings(random: Random, zipcode: string, count: number, atMs: number): Listing[] {
    return Array.from({ length: count }, (_, index) => {
      const id = `${zipcode}9${String(random.int(0, 9999)).padStart(4, '0')}${index}`;
      const beds = random.int(1, 5);
      return {
        address: `${random.int(10, 9999)} ${random.pick(STREETS)} ${random.pick(SUFFIXES)}, Unit ${9000 + index}, Springfield ${zipcode}`,
        zipcode,
        price: Math.round(random.between(150_000, 900_000) / 1000) * 1000,
        bedrooms: beds,
        bathrooms: 1 + random.int(0, 4) * 0.5,
        sqft: 400 + beds * 300 + random.int(0, 900),
        listing_date: new Date(atMs - random.int(1, 60) * DAY_MS).toISOString().slice(0, 10),
        property_type: random.pick(PROPERTY_TYPES),
        listing_status: 'active',
        days_on_market: random.int(1, 60),
        mls_id: random() < 0.25 ? null : `MLS-${id}`,
        source_url: `https://www.realtor.com/realestateandhomes-detail/M${id}`,
        scraped_timestamp: new Date(atMs + index * 1000).toISOString(),
      };
    });
  }

  /**
   * The site as a `ListingSource`, the way production verification (`SourceFeeds`) reaches a
   * listing site: every page of a zipcode's homes for sale, and its listings closed since the day
   * asked, as they stand at `atMs()` when asked (the site's present, whatever clock the caller
   * keeps). `down` fails every request as a blocked or unreachable site does; `closedDown` fails
   * only the recently-closed searches.
   */
  source(atMs: () => number, options: { down?: boolean; closedDown?: boolean } = {}): ListingSource {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const market = this;
    const unavailable = () => new Error('market: HTTP 503 Service Unavailable (the site is down)');
    return {
      name: 'market',
      async *fetchZipcode({ zipcode }) {
        if (options.down) throw unavailable();
        yield* pages(market.listingsAt(zipcode, atMs()));
      },
      async *fetchRecentlyClosed({ zipcode, since }) {
        if (options.down || options.closedDown) throw unavailable();
        yield* pages(market.recentlyClosedAt(zipcode, since, atMs()));
      },
    };
  }
}

/** A site's answer a page of 200 at a time. */
async function* pages<T>(rows: readonly T[]): AsyncIterable<T[]> {
  for (let offset = 0; offset < rows.length; offset += 200) {
    await Promise.resolve();
    yield rows.slice(offset, offset + 200);
  }
}

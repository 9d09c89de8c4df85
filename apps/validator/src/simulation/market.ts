import { type Listing, PROPERTY_TYPES } from '@resi/core';
import type { SourceCandidate, ZipcodeListingFeed } from '../verification/verification-source.js';
import { type Random, randomOf } from './random.js';

/**
 * The simulated market: listing sites as independent miners and a validator see them, moving
 * over time. Listings arrive and leave (a steady turnover), prices are cut now and then, and
 * active listings go pending. What any scrape returns is a pure function of the seed, the zipcode
 * and the instant, so two miners scraping minutes apart collect slightly different data, and the
 * validator, fetching after the grace period, sees a market that moved again.
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

/** How long a closed listing stays in a verification query's answer (a sold-in-the-last-day filter). */
export const RECENTLY_CLOSED_MS = DAY_MS;

export const DEFAULT_MARKET_DRIFT = {
  listingsPerZipcode: [25, 70] as const,
  meanLifetimeMs: 5 * DAY_MS,
  meanPriceCutMs: 6 * DAY_MS,
};

interface MarketListing {
  readonly zipcode: string;
  readonly listedAtMs: number;
  readonly delistedAtMs: number;
  readonly pendingAtMs: number;
  readonly basePrice: number;
  readonly priceCuts: readonly { readonly atMs: number; readonly factor: number }[];
  readonly address: string;
  readonly bedrooms: number | null;
  readonly bathrooms: number | null;
  readonly sqft: number | null;
  readonly propertyType: Listing['property_type'];
  readonly mlsId: string | null;
  readonly sourceUrl: string;
}

const STREETS = ['Oak', 'Maple', 'Cedar', 'Pine', 'Elm', 'Walnut', 'Lake', 'Hill', 'Park', 'Main', 'Church', 'Mill'];
const SUFFIXES = ['St', 'Ave', 'Rd', 'Ln', 'Dr', 'Ct', 'Way', 'Pl'];

function generateZipcodeListings(random: Random, zipcode: string, size: number, options: MarketOptions) {
  const listings: MarketListing[] = [];
  const lifetime = options.meanLifetimeMs;
  // Arrivals at size/lifetime per ms keep about `size` listings on the market (Little's law).
  let atMs = options.fromMs - 4 * lifetime;
  for (let index = 0; ; index++) {
    atMs += random.exponential(lifetime / size);
    if (atMs >= options.untilMs) break;
    const staysMs = random.exponential(lifetime);
    const priceCuts: { atMs: number; factor: number }[] = [];
    for (let cutAt = atMs + random.exponential(options.meanPriceCutMs); cutAt < atMs + staysMs;) {
      priceCuts.push({ atMs: cutAt, factor: random.between(0.93, 0.98) });
      cutAt += random.exponential(options.meanPriceCutMs);
    }
    const beds = random.int(1, 6);
    const id = `${zipcode}${String(index).padStart(5, '0')}`;
    listings.push({
      zipcode,
      listedAtMs: atMs,
      delistedAtMs: atMs + staysMs,
      pendingAtMs: atMs + random.between(0.6, 1.2) * staysMs,
      basePrice: Math.round(random.between(120_000, 1_400_000) / 1000) * 1000,
      priceCuts,
      address: `${random.int(10, 9999)} ${random.pick(STREETS)} ${random.pick(SUFFIXES)}, Unit ${index}, Springfield ${zipcode}`,
      bedrooms: random() < 0.05 ? null : beds,
      bathrooms: random() < 0.05 ? null : 1 + random.int(0, 6) * 0.5,
      sqft: random() < 0.08 ? null : 400 + beds * 300 + random.int(0, 900),
      propertyType: random.pick(PROPERTY_TYPES),
      mlsId: random() < 0.25 ? null : `MLS-${id}`,
      sourceUrl: `https://www.realtor.com/realestateandhomes-detail/M${id}`,
    });
  }
  return listings;
}

function listingAt(listing: MarketListing, atMs: number): Listing {
  let price = listing.basePrice;
  for (const cut of listing.priceCuts) if (cut.atMs <= atMs) price = Math.round(price * cut.factor);
  return {
    address: listing.address,
    zipcode: listing.zipcode,
    price,
    bedrooms: listing.bedrooms,
    bathrooms: listing.bathrooms,
    sqft: listing.sqft,
    listing_date: new Date(listing.listedAtMs).toISOString().slice(0, 10),
    property_type: listing.propertyType,
    listing_status: atMs >= listing.delistedAtMs ? 'sold' : atMs >= listing.pendingAtMs ? 'pending' : 'active',
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
        empty ? [] : generateZipcodeListings(randomOf(`${options.seed}:market:${zipcode}`), zipcode, size, options),
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
   * What a validator's verification query returns at `atMs`: the listings on the market, plus those
   * that closed within {@link RECENTLY_CLOSED_MS} (status `sold`), as realtor.com, Zillow and Redfin
   * keep answering for recently sold homes. A listing an honest miner scraped and that closed
   * before the check is therefore found, moved forward to sold, not missing.
   */
  verificationListingsAt(zipcode: string, atMs: number): Listing[] {
    return (this.listings.get(zipcode) ?? [])
      .filter((listing) => listing.listedAtMs <= atMs && atMs < listing.delistedAtMs + RECENTLY_CLOSED_MS)
      .map((listing) => listingAt(listing, atMs));
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
   * The site as the validator's verification fetches it: every page of a zipcode as it stands at
   * `atMs()` when asked. `down` makes every request fail as a blocked or unreachable site does.
   */
  feed(atMs: () => number, options: { down?: boolean } = {}): ZipcodeListingFeed {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const market = this;
    return {
      name: 'market',
      async *fetchZipcode({ zipcode }): AsyncIterable<SourceCandidate[]> {
        if (options.down) throw new Error('market: HTTP 503 Service Unavailable (the site is down)');
        const rows = market.verificationListingsAt(zipcode, atMs());
        for (let offset = 0; offset < rows.length; offset += 200) {
          await Promise.resolve();
          yield rows.slice(offset, offset + 200);
        }
      },
    };
  }
}

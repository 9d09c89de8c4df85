import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CatalogueZipcode } from '@resi/api';
import { PRODUCTION_EPOCH_CONFIG } from '@resi/core';
import type { RealtorSearchResult } from '@resi/sources';
import {
  type MarketDriftRates,
  type PriceCut,
  type Random,
  marketDriftForEpoch,
  pendingAtOf,
  priceAt,
  priceCutsOver,
  randomOf,
} from '@resi/validator';

/** What the simulator needs to know of a zipcode: the catalogue's row, or nothing. */
export type ZipcodeLookup = (zipcode: string) => CatalogueZipcode | undefined;

/** The two URLs the `realtor` source is pointed at (`--realtor.url`, `--realtor.suggest-url`). */
export interface RealtorEndpoints {
  graphqlUrl: string;
  suggestUrl: string;
}

/**
 * How the simulator answers, by path prefix:
 * - `market`: the market as it is (every honest miner sees this);
 * - `slow`: the same market, each answer held for `slowDelayMs` (a throttled source, so a
 *   miner is still collecting when the devnet freezes or kills it);
 * - `fabricated`: a made-up market: plausible homes in every zipcode asked, honeypots included,
 *   none of which exists in `market` (what a miner inventing data would upload);
 * - `verify`: the same market as it stood at the last multiple of `verificationStepMs` (the
 *   devnet's epoch length), for the validators: two validators scoring an epoch seconds apart
 *   must get the same answers to publish byte-identical results, which a live site, moving
 *   between their requests, would not give them.
 */
export type MarketVariant = 'market' | 'slow' | 'fabricated' | 'verify';

export interface MarketSimulator extends RealtorEndpoints {
  url: string;
  /** The market itself, for in-process devnet actors that read it without HTTP. */
  market: DriftingMarket;
  endpoints(variant: MarketVariant): RealtorEndpoints;
  close(): Promise<void>;
}

/**
 * How the devnet's market moves: the adversarial simulation's drift (core of it in
 * `@resi/validator`'s simulated market) at the devnet's epoch length, and how long a listing that
 * left the market stays in the site's off-market search.
 */
export interface MarketDrift extends MarketDriftRates {
  /** How long a listing that left the market is shown among off-market homes. */
  readonly closedRetentionMs: number;
}

/**
 * How many epochs a devnet's site keeps a listing that left the market. A validator scores the
 * epochs it missed when it starts again, so a devnet stopped (Ctrl-C) and resumed has its
 * validators score the epochs before the stop late; a real site still shows those listings, and
 * with a shorter memory every honest miner of such an epoch was flagged for fabrication.
 */
export const DEVNET_CLOSED_RETENTION_EPOCHS = 100;

/**
 * The drift of a devnet whose epochs last `epochMinutes`: the simulation's rates per epoch, and
 * off-market listings kept for {@link DEVNET_CLOSED_RETENTION_EPOCHS} epochs (5 hours at the
 * default 3 minutes; at least twice an epoch with its validation window), so a validator scoring
 * an epoch that late still finds every listing an honest miner saw for sale.
 */
export function devnetMarketDrift(epochMinutes: number, validationWindowMinutes: number): MarketDrift {
  return {
    ...marketDriftForEpoch(epochMinutes * 60_000),
    closedRetentionMs:
      Math.max(2 * (epochMinutes + validationWindowMinutes), DEVNET_CLOSED_RETENTION_EPOCHS * epochMinutes) * 60_000,
  };
}

const STREETS = [
  'Oak',
  'Maple',
  'Cedar',
  'Pine',
  'Elm',
  'Walnut',
  'Chestnut',
  'Lake',
  'Hill',
  'Park',
  'Main',
  'Church',
];
const SUFFIXES = ['St', 'Ave', 'Rd', 'Ln', 'Dr', 'Ct', 'Way', 'Pl'];
const TYPES = [
  'single_family',
  'single_family',
  'single_family',
  'condos',
  'townhomes',
  'multi_family',
  'land',
  'mobile',
];
const PRICE_BY_TIER = { PREMIUM: 650_000, STANDARD: 340_000, EMERGING: 190_000 } as const;
const DAY_MS = 86_400_000;
/** Share of its seat's cycle a listing is on the market; the rest the seat is empty (see `DriftingMarket`). */
const ON_MARKET_SHARE = 0.9;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What does not change about a home while it is listed. */
interface Home {
  readonly propertyId: string;
  readonly line: string;
  readonly type: string;
  readonly beds: number;
  readonly baths: number;
  readonly sqft: number;
  readonly basePrice: number;
}

function drawHome(random: Random, zip: CatalogueZipcode, propertyId: string, unit: string): Home {
  const beds = random.int(1, 5);
  return {
    propertyId,
    line: `${random.int(100, 9_899)} ${random.pick(STREETS)} ${random.pick(SUFFIXES)}${unit}`,
    type: random.pick(TYPES),
    beds,
    baths: 1 + random.int(0, 5) / 2,
    sqft: 500 + beds * 350 + random.int(0, 899),
    basePrice: Math.round((PRICE_BY_TIER[zip.marketTier] * random.between(0.5, 1.7)) / 1000) * 1000,
  };
}

/** A home as realtor.com's `home_search` returns it. */
function searchResult(
  zip: CatalogueZipcode,
  home: Home,
  state: {
    status: 'for_sale' | 'sold' | 'off_market';
    listPrice: number;
    listDate: string;
    pending?: boolean;
    sold?: { price: number; date: string };
    statusChangedAt?: string;
  },
): RealtorSearchResult {
  const slug = `${home.line.replaceAll(' ', '-')}_${zip.city.replaceAll(' ', '-')}_${zip.state}_${zip.zipcode}_M${home.propertyId}`;
  return {
    property_id: home.propertyId,
    listing_id: `L${home.propertyId}`,
    status: state.status,
    list_price: state.listPrice,
    list_date: `${state.listDate}T00:00:00Z`,
    last_sold_price: state.sold?.price ?? null,
    last_sold_date: state.sold?.date ?? null,
    permalink: slug,
    description: {
      type: home.type,
      beds: home.beds,
      baths: home.baths,
      baths_consolidated: String(home.baths),
      sqft: home.sqft,
    },
    location: { address: { line: home.line, city: zip.city, state_code: zip.state, postal_code: zip.zipcode } },
    source: { id: 'SIMMLS', listing_id: `SIM${home.propertyId}` },
    flags: { is_pending: state.pending ?? false, is_contingent: false },
    ...(state.statusChangedAt
      ? { last_status_change_date: state.statusChangedAt, last_update_date: state.statusChangedAt }
      : {}),
  };
}

/** One listing of a seat: the home, its stay on the market and what happens to it meanwhile. */
interface SeatListing {
  readonly home: Home;
  readonly listedAtMs: number;
  readonly closedAtMs: number;
  readonly pendingAtMs: number;
  readonly priceCuts: readonly PriceCut[];
  readonly listDate: string;
}

/** A place in a zipcode's market that one listing after another holds: a cycle and where it starts. */
interface Seat {
  readonly index: number;
  readonly cycleMs: number;
  readonly phase: number;
}

interface ZipcodeMarket {
  readonly zip: CatalogueZipcode;
  readonly seats: readonly Seat[];
  readonly sold: readonly {
    readonly home: Home;
    readonly soldDaysAgo: number;
    readonly listedDaysBefore: number;
    readonly salePrice: number;
  }[];
}

/**
 * The devnet's listing site: a live market that moves as the adversarial simulation's does, so
 * miners that scrape it at different instants collect slightly different data, as independent
 * miners of a live site would. A zipcode's market is a number of seats (its catalogue estimate, give
 * or take); each seat holds one listing after another, each on the market for 90% of the seat's
 * cycle (the simulation's mean stay, at this devnet's epoch length), its price cut now and then,
 * pending towards the end, then off the market (shown among off-market homes for
 * `closedRetentionMs`), and the seat is empty until the next listing arrives. Homes sold in the
 * last two months are a fixed stock per zipcode. Everything is a pure function of the seed, the
 * zipcode and the instant: two miners asking at one instant see the same market, and a validator
 * asking later sees where every listing a miner saw went. A zipcode with no residents (a honeypot
 * candidate) has none, as in reality.
 */
export class DriftingMarket {
  private readonly zipcodes = new Map<string, ZipcodeMarket>();
  private readonly listings = new Map<string, SeatListing>();

  constructor(
    readonly seed: string,
    readonly drift: MarketDrift,
  ) {}

  /** Homes for sale at `atMs`, pending ones flagged, oldest listing first (a new one comes last). */
  forSale(zip: CatalogueZipcode, atMs: number): RealtorSearchResult[] {
    const market = this.marketOf(zip);
    if (!market) return [];
    const listed: SeatListing[] = [];
    for (const seat of market.seats) {
      const listing = this.listingOf(market, seat, this.generationAt(seat, atMs));
      if (atMs >= listing.listedAtMs && atMs < listing.closedAtMs) listed.push(listing);
    }
    return listed
      .sort((a, b) => a.listedAtMs - b.listedAtMs)
      .map((listing) =>
        searchResult(zip, listing.home, {
          status: 'for_sale',
          listPrice: priceAt(listing.home.basePrice, listing.priceCuts, atMs),
          listDate: listing.listDate,
          pending: atMs >= listing.pendingAtMs,
        }),
      );
  }

  /** Homes sold on or after `sinceDay` (the sold stock, dated back from `atMs`'s day), newest sale first. */
  soldSince(zip: CatalogueZipcode, sinceDay: string, atMs: number): RealtorSearchResult[] {
    const market = this.marketOf(zip);
    if (!market) return [];
    const today = Date.parse(`${dayOf(atMs)}T00:00:00Z`);
    return market.sold
      .map((sale) => ({ sale, soldOn: dayOf(today - sale.soldDaysAgo * DAY_MS) }))
      .filter(({ soldOn }) => soldOn >= sinceDay)
      .sort((a, b) => a.sale.soldDaysAgo - b.sale.soldDaysAgo)
      .map(({ sale, soldOn }) =>
        searchResult(zip, sale.home, {
          status: 'sold',
          listPrice: sale.home.basePrice,
          listDate: dayOf(today - (sale.soldDaysAgo + sale.listedDaysBefore) * DAY_MS),
          sold: { price: sale.salePrice, date: soldOn },
        }),
      );
  }

  /** Listings that left the market within `closedRetentionMs` before `atMs`, most recent first, at their last price. */
  offMarket(zip: CatalogueZipcode, atMs: number): RealtorSearchResult[] {
    const market = this.marketOf(zip);
    if (!market) return [];
    const closed: SeatListing[] = [];
    for (const seat of market.seats) {
      for (let generation = this.generationAt(seat, atMs); ; generation--) {
        const listing = this.listingOf(market, seat, generation);
        if (listing.closedAtMs <= atMs - this.drift.closedRetentionMs) break;
        if (listing.closedAtMs <= atMs) closed.push(listing);
      }
    }
    return closed
      .sort((a, b) => b.closedAtMs - a.closedAtMs)
      .map((listing) =>
        searchResult(zip, listing.home, {
          status: 'off_market',
          listPrice: priceAt(listing.home.basePrice, listing.priceCuts, listing.closedAtMs),
          listDate: listing.listDate,
          statusChangedAt: new Date(listing.closedAtMs).toISOString(),
        }),
      );
  }

  private marketOf(zip: CatalogueZipcode): ZipcodeMarket | undefined {
    if (zip.honeypotCandidate || zip.population === 0) return undefined;
    let market = this.zipcodes.get(zip.zipcode);
    if (!market) {
      const random = randomOf(`${this.seed}:${zip.zipcode}:market`);
      // Seats for 60–105% of the estimate and a sold stock of 10–25% of it: a zipcode's true count
      // misses the catalogue's estimate both ways, as the simulation's does.
      const seats = Array.from(
        { length: Math.round(zip.expectedListings * random.between(0.6, 1.05)) },
        (_, index) => ({
          index,
          cycleMs: (this.drift.meanLifetimeMs / ON_MARKET_SHARE) * random.between(0.5, 1.5),
          phase: random(),
        }),
      );
      const sold = Array.from({ length: Math.round(zip.expectedListings * random.between(0.1, 0.25)) }, (_, index) => {
        const home = drawHome(random, zip, `${zip.zipcode}S${String(index).padStart(5, '0')}`, '');
        return {
          home,
          soldDaysAgo: random.int(1, 60),
          listedDaysBefore: random.int(5, 120),
          salePrice: Math.round((home.basePrice * random.between(0.95, 1.03)) / 100) * 100,
        };
      });
      market = { zip, seats, sold };
      // Bounded: the devnet asks for a new set of zipcodes every epoch.
      if (this.zipcodes.size >= 20_000) this.zipcodes.clear();
      this.zipcodes.set(zip.zipcode, market);
    }
    return market;
  }

  /** Which listing of its seat is the current one at `atMs` (on the market or the seat empty after it). */
  private generationAt(seat: Seat, atMs: number): number {
    return Math.floor(atMs / seat.cycleMs + seat.phase);
  }

  private listingOf(market: ZipcodeMarket, seat: Seat, generation: number): SeatListing {
    const key = `${market.zip.zipcode}:${seat.index}:${generation}`;
    let listing = this.listings.get(key);
    if (!listing) {
      const random = randomOf(`${this.seed}:${key}`);
      const listedAtMs = (generation - seat.phase) * seat.cycleMs;
      const staysMs = ON_MARKET_SHARE * seat.cycleMs;
      const home = drawHome(
        random,
        market.zip,
        `${market.zip.zipcode}${String(seat.index).padStart(5, '0')}${generation}`,
        // One unit per seat: two listings of a zipcode never share an address.
        ` Unit ${seat.index + 1}`,
      );
      listing = {
        home,
        listedAtMs,
        closedAtMs: listedAtMs + staysMs,
        pendingAtMs: pendingAtOf(random, listedAtMs, staysMs),
        priceCuts: priceCutsOver(random, listedAtMs, listedAtMs + staysMs, this.drift.meanPriceCutMs),
        // The devnet compresses how fast the market turns, not the calendar: listed 0–120 days ago.
        listDate: dayOf(listedAtMs - random.int(0, 120) * DAY_MS),
      };
      if (this.listings.size >= 200_000) this.listings.clear();
      this.listings.set(key, listing);
    }
    return listing;
  }
}

/**
 * A home for sale that exists nowhere on the site, as a miner inventing data makes it up: plausible
 * values in the site's format, listed 1–120 days before `atMs`, under `propertyId` (with an `F`,
 * which no real home's id has).
 */
export function inventedHomeForSale(
  random: Random,
  zip: CatalogueZipcode,
  propertyId: string,
  atMs: number,
): RealtorSearchResult {
  const home = drawHome(random, zip, propertyId, '');
  const listDate = dayOf(atMs - random.int(1, 120) * DAY_MS);
  return searchResult(zip, home, { status: 'for_sale', listPrice: home.basePrice, listDate });
}

/**
 * Homes a miner inventing data would upload: plausible homes in every zipcode, honeypots included,
 * a new set each day, under ids no real home has.
 */
export function inventedHomes(
  seed: string,
  zip: CatalogueZipcode,
  kind: 'for_sale' | 'sold',
  day: string,
): RealtorSearchResult[] {
  const empty = zip.honeypotCandidate || zip.population === 0;
  const random = randomOf(`${seed}:fabricated:${zip.zipcode}:${kind}:${day}`);
  const expected = empty ? 40 : zip.expectedListings;
  const count = Math.round(expected * (kind === 'for_sale' ? random.between(0.8, 1.2) : random.between(0.3, 0.5)));
  const today = Date.parse(`${day}T00:00:00Z`);
  return Array.from({ length: count }, (_, index) => {
    const propertyId = `${zip.zipcode}F${kind === 'sold' ? 'S' : 'L'}${String(index).padStart(5, '0')}`;
    if (kind === 'for_sale') return inventedHomeForSale(random, zip, propertyId, today);
    const home = drawHome(random, zip, propertyId, '');
    const listDate = dayOf(today - random.int(1, 120) * DAY_MS);
    const sold = {
      price: Math.round((home.basePrice * random.between(0.95, 1.03)) / 100) * 100,
      date: dayOf(today - random.int(1, 60) * DAY_MS),
    };
    return searchResult(zip, home, { status: 'sold', listPrice: home.basePrice, listDate, sold });
  });
}

/** `/suggest`, `/graphql`, or either under a variant's prefix (`/slow/graphql`). */
const ROUTE = /^(?:\/(slow|fabricated|verify))?\/(suggest|graphql)$/;
/** The sale-date minimum of a sold search: a day, or `$today-<n>D`. */
const SOLD_SINCE = /sold_date:\s*\{\s*min:\s*"(?:(\d{4}-\d{2}-\d{2})|\$today-(\d+)D)"/;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local stand-in for realtor.com on a devnet: it answers the `realtor` source's location
 * suggestion and GraphQL `home_search` requests (for sale, sold since a day, off the market) in
 * their recorded format from a {@link DriftingMarket}, so miners and validators run their real
 * adapter code. Loopback only.
 */
export async function startMarketSimulator(options: {
  lookup: ZipcodeLookup;
  seed?: string;
  port?: number;
  now?: () => Date;
  /** How the market moves; default: the simulation's drift at production's epoch length. */
  drift?: MarketDrift;
  /** How long the `slow` variant holds each answer; default 500 ms. */
  slowDelayMs?: number;
  /** The `verify` variant answers as the market stood at the last multiple of this; default production's epoch. */
  verificationStepMs?: number;
}): Promise<MarketSimulator> {
  const seed = options.seed ?? 'resi-devnet';
  const now = options.now ?? (() => new Date());
  const slowDelayMs = options.slowDelayMs ?? 500;
  const market = new DriftingMarket(
    seed,
    options.drift ??
      devnetMarketDrift(PRODUCTION_EPOCH_CONFIG.durationMinutes, PRODUCTION_EPOCH_CONFIG.validationWindowMinutes),
  );
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = ROUTE.exec(url.pathname);
      const variant = (route?.[1] ?? 'market') as MarketVariant;
      const endpoint = route?.[2];
      if (variant === 'slow') await new Promise((resolve) => setTimeout(resolve, slowDelayMs));
      const invent = variant === 'fabricated';
      if (req.method === 'GET' && endpoint === 'suggest') {
        const input = url.searchParams.get('input') ?? '';
        const zip = options.lookup(input);
        const known = zip && (invent || !zip.honeypotCandidate);
        send(res, 200, { autocomplete: known ? [{ area_type: 'postal_code', postal_code: input }] : [] });
        return;
      }
      if (req.method === 'POST' && endpoint === 'graphql') {
        let body: { query?: unknown; variables?: { postal_code?: unknown; offset?: unknown; limit?: unknown } };
        try {
          body = JSON.parse(await readBody(req)) as typeof body;
        } catch {
          send(res, 400, { errors: [{ message: 'body is not JSON' }] });
          return;
        }
        const postal = body.variables?.postal_code;
        const zipcode = typeof postal === 'string' ? postal : '';
        const offset = Number(body.variables?.offset ?? 0);
        const limit = Math.min(200, Number(body.variables?.limit ?? 200));
        const query = typeof body.query === 'string' ? body.query : '';
        const zip = options.lookup(zipcode);
        const nowMs = now().getTime();
        const step = options.verificationStepMs ?? PRODUCTION_EPOCH_CONFIG.durationMinutes * 60_000;
        const atMs = variant === 'verify' ? Math.floor(nowMs / step) * step : nowMs;
        const soldSince = SOLD_SINCE.exec(query);
        const since = soldSince?.[1] ?? dayOf(atMs - Number(soldSince?.[2] ?? 0) * DAY_MS);
        let homes: RealtorSearchResult[] = [];
        if (zip && invent) {
          // Invented homes are not off the market: a made-up market has no history.
          if (!query.includes('status: off_market'))
            homes = inventedHomes(seed, zip, query.includes('status: sold') ? 'sold' : 'for_sale', dayOf(atMs));
        } else if (zip) {
          homes = query.includes('status: off_market')
            ? market.offMarket(zip, atMs)
            : query.includes('status: sold')
              ? market.soldSince(zip, since, atMs)
              : market.forSale(zip, atMs);
        }
        const results = homes.slice(offset, offset + limit);
        send(res, 200, { data: { home_search: { total: homes.length, count: results.length, results } } });
        return;
      }
      send(res, 404, { errors: [{ message: 'not found' }] });
    })().catch(() => send(res, 500, { errors: [{ message: 'simulator error' }] }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const endpoints = (variant: MarketVariant): RealtorEndpoints => {
    const prefix = variant === 'market' ? url : `${url}/${variant}`;
    return { graphqlUrl: `${prefix}/graphql`, suggestUrl: `${prefix}/suggest` };
  };
  return {
    url,
    market,
    ...endpoints('market'),
    endpoints,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

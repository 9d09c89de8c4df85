import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CatalogueZipcode } from '@resi/api';

/** What the simulator needs to know of a zipcode: the catalogue's row, or nothing. */
export type ZipcodeLookup = (zipcode: string) => CatalogueZipcode | undefined;

/** The two URLs the `realtor` source is pointed at (`--realtor.url`, `--realtor.suggest-url`). */
export interface RealtorEndpoints {
  graphqlUrl: string;
  suggestUrl: string;
}

/**
 * How the simulator answers, by path prefix:
 * - `market`: the market as it is (every honest miner and both validators see this);
 * - `slow`: the same market, each answer held for `slowDelayMs` (a throttled source, so a
 *   miner is still collecting when the devnet freezes or kills it);
 * - `fabricated`: a made-up market: plausible homes in every zipcode asked, honeypots included,
 *   none of which exists in `market` (what a miner inventing data would upload).
 */
export type MarketVariant = 'market' | 'slow' | 'fabricated';

export interface MarketSimulator extends RealtorEndpoints {
  url: string;
  endpoints(variant: MarketVariant): RealtorEndpoints;
  close(): Promise<void>;
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

/** A deterministic stream of numbers in [0, 1) for one (seed, key). */
function random(seed: string, key: string): () => number {
  let counter = 0;
  let pool: Buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 4 > pool.length) {
      pool = createHash('sha256').update(`${seed}:${key}:${counter++}`).digest();
      offset = 0;
    }
    const value = pool.readUInt32BE(offset) / 2 ** 32;
    offset += 4;
    return value;
  };
}

/**
 * The homes of one zipcode on one day, for sale or sold: a function of the seed, the zipcode and
 * the day only, so every miner that asks sees the same market. Counts follow the catalogue's
 * expected listings; a zipcode with no residents (a honeypot candidate) has none, as in reality.
 * `fabricated` makes up homes everywhere, empty zipcodes included, under ids no real home has.
 */
export function simulatedHomes(
  seed: string,
  zip: CatalogueZipcode,
  kind: 'for_sale' | 'sold',
  day: string,
  options: { fabricated?: boolean } = {},
): Record<string, unknown>[] {
  const empty = zip.honeypotCandidate || zip.population === 0;
  if (empty && !options.fabricated) return [];
  const rng = random(seed, `${zip.zipcode}:${kind}:${day}`);
  const expected = empty ? 40 : zip.expectedListings;
  const count = Math.round(expected * (kind === 'for_sale' ? 0.8 + rng() * 0.4 : 0.3 + rng() * 0.2));
  const today = Date.parse(`${day}T00:00:00Z`);
  const base = PRICE_BY_TIER[zip.marketTier];
  return Array.from({ length: count }, (_, i) => {
    const number = 100 + Math.floor(rng() * 9_800);
    const line = `${number} ${STREETS[Math.floor(rng() * STREETS.length)]} ${SUFFIXES[Math.floor(rng() * SUFFIXES.length)]}`;
    const beds = 1 + Math.floor(rng() * 5);
    const sqft = 500 + beds * 350 + Math.floor(rng() * 900);
    const price = Math.round((base * (0.5 + rng() * 1.2)) / 1000) * 1000;
    const listDate = new Date(today - Math.floor(rng() * 120 + 1) * DAY_MS).toISOString().slice(0, 10);
    const soldDate = new Date(today - Math.floor(rng() * 60 + 1) * DAY_MS).toISOString().slice(0, 10);
    const propertyId = `${zip.zipcode}${options.fabricated ? 'F' : ''}${kind === 'sold' ? 'S' : 'L'}${String(i).padStart(5, '0')}`;
    const slug = `${line.replaceAll(' ', '-')}_${zip.city.replaceAll(' ', '-')}_${zip.state}_${zip.zipcode}_M${propertyId}`;
    return {
      property_id: propertyId,
      listing_id: `L${propertyId}`,
      status: kind === 'sold' ? 'sold' : 'for_sale',
      list_price: price,
      list_date: `${listDate}T00:00:00Z`,
      last_sold_price: kind === 'sold' ? Math.round(price * (0.95 + rng() * 0.08)) : null,
      last_sold_date: kind === 'sold' ? soldDate : null,
      permalink: slug,
      description: {
        type: TYPES[Math.floor(rng() * TYPES.length)],
        beds,
        baths: 1 + Math.floor(rng() * 3),
        baths_consolidated: String(1 + Math.floor(rng() * 6) / 2),
        sqft,
      },
      location: { address: { line, city: zip.city, state_code: zip.state, postal_code: zip.zipcode } },
      source: { id: 'SIMMLS', listing_id: `SIM${propertyId}` },
      flags: { is_pending: kind === 'for_sale' && rng() < 0.1, is_contingent: false },
    };
  });
}

/** `/suggest`, `/graphql`, or either under a variant's prefix (`/slow/graphql`). */
const ROUTE = /^(?:\/(slow|fabricated))?\/(suggest|graphql)$/;

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
 * suggestion and GraphQL `home_search` requests in their recorded format, so miners run their real
 * adapter code. Loopback only.
 */
export async function startMarketSimulator(options: {
  lookup: ZipcodeLookup;
  seed?: string;
  port?: number;
  now?: () => Date;
  /** How long the `slow` variant holds each answer; default 500 ms. */
  slowDelayMs?: number;
}): Promise<MarketSimulator> {
  const seed = options.seed ?? 'resi-devnet';
  const now = options.now ?? (() => new Date());
  const slowDelayMs = options.slowDelayMs ?? 500;
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
        const kind = typeof body.query === 'string' && body.query.includes('status: sold') ? 'sold' : 'for_sale';
        const zip = options.lookup(zipcode);
        const day = now().toISOString().slice(0, 10);
        // Invented homes come from another seed: none of them is in the real market.
        const homes = zip
          ? simulatedHomes(invent ? `${seed}:fabricated` : seed, zip, kind, day, { fabricated: invent })
          : [];
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
    ...endpoints('market'),
    endpoints,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

import type { CatalogueZipcode } from '@resi/api';
import { type Listing, validateListing } from '@resi/core';
import { type ListingSource, collectZipcode, mapRealtorResult } from '@resi/sources';
import { type Random, randomOf } from '@resi/validator';
import {
  type ActorEpoch,
  type ActorSubmission,
  type MinerActor,
  type MinerActorOptions,
  startMinerActor,
} from './miner-actor.js';
import { type DriftingMarket, type ZipcodeLookup, inventedHomeForSale } from './market-simulator.js';

/**
 * The devnet's misbehaving miners that know the protocol, played in-process (`startMinerActor`):
 * each takes its turn once its peer (an honest miner) has uploaded the epoch, reads the market as
 * a miner's scrape would, and cheats in its own way. They follow the adversarial simulation's cast
 * (`apps/validator/src/simulation/miners.ts`); the devnet shows what the validators catch.
 */

/** The adversaries of the devnet that collect from the market, by role. */
export const MARKET_ADVERSARIES = ['knowing-fabricator', 'padder', 'sybil', 'overclaimer', 'outsider'] as const;
export type MarketAdversary = (typeof MARKET_ADVERSARIES)[number];

/** What the adversaries see of the world. */
export interface AdversaryWorld {
  readonly market: DriftingMarket;
  readonly lookup: ZipcodeLookup;
  /** The catalogue's zipcodes (the outsider picks zipcodes it was not assigned from it). */
  readonly catalogue: readonly CatalogueZipcode[];
  readonly now?: () => Date;
}

const DAY_MS = 86_400_000;
/** How far back a scrape asks for sold homes: the miner's `--realtor.sold-days` default. */
const SOLD_DAYS = 90;

/** The market as a miner's scrape through the realtor adapter collects it, read in-process at `atMs`. */
function marketSource(world: AdversaryWorld, atMs: number): ListingSource {
  return {
    name: 'realtor',
    async *fetchZipcode({ zipcode }) {
      const zip = world.lookup(zipcode);
      if (!zip) return;
      const since = new Date(atMs - SOLD_DAYS * DAY_MS).toISOString().slice(0, 10);
      const scrapedAt = new Date(atMs);
      await Promise.resolve();
      yield [...world.market.forSale(zip, atMs), ...world.market.soldSince(zip, since, atMs)].map((result) =>
        mapRealtorResult(result, scrapedAt),
      );
    },
  };
}

/** Real rows of `zipcodes` at `atMs`: what an honest miner collecting now would upload. */
async function scrape(
  world: AdversaryWorld,
  zipcodes: readonly string[],
  atMs: number,
): Promise<Map<string, Listing[]>> {
  const source = marketSource(world, atMs);
  const signal = new AbortController().signal;
  const rows = new Map<string, Listing[]>();
  for (const zipcode of zipcodes)
    rows.set(zipcode, (await collectZipcode(source, { zipcode, expectedListings: 0, signal })).listings);
  return rows;
}

/** `count` listings of `zipcode` no site has, in the site's format, as a fabricator makes them up. */
function invent(world: AdversaryWorld, random: Random, zipcode: string, count: number, atMs: number, tag: string) {
  const zip = world.lookup(zipcode);
  if (!zip || count <= 0) return [];
  const scrapedAt = new Date(atMs);
  return Array.from({ length: count }, (_, index) => {
    const result = inventedHomeForSale(random, zip, `${zipcode}F${tag}${String(index).padStart(4, '0')}`, atMs);
    return validateListing(mapRealtorResult(result, scrapedAt));
  }).flatMap((validation) => (validation.ok ? [validation.listing] : []));
}

const rowCount = (rows: ReadonlyMap<string, readonly Listing[]>) =>
  [...rows.values()].reduce((sum, listings) => sum + listings.length, 0);

const assignedOf = (epoch: ActorEpoch) => epoch.own.state.assignment.zipcodes;

/** Each role's submission for an epoch, from what it sees. */
type Cheat = (world: AdversaryWorld, epoch: ActorEpoch, random: Random, atMs: number) => Promise<ActorSubmission>;

/**
 * Knows the scoring code and everything the API sends. Adds invented listings to its real rows,
 * a tenth more (at least 3) in every zipcode where it found listings and none where it found
 * nothing (a honeypot, by the look of it), shuffled among them. Under a predictable accuracy
 * sample it would have put its real rows where the sample falls; the audit's seed is revealed only
 * after the grace end, and it checks every row of the zipcodes it draws.
 */
const knowingFabricator: Cheat = async (world, epoch, random, atMs) => {
  const real = await scrape(
    world,
    assignedOf(epoch).map((z) => z.zipcode),
    atMs,
  );
  let invented = 0;
  const rowsByZipcode = new Map<string, Listing[]>();
  for (const [zipcode, rows] of real) {
    const made =
      rows.length === 0 ? [] : invent(world, random, zipcode, Math.max(3, Math.ceil(rows.length / 10)), atMs, 'K');
    invented += made.length;
    rowsByZipcode.set(zipcode, random.shuffle([...rows, ...made]));
  }
  return {
    rowsByZipcode,
    line: `uploaded ${rowCount(rowsByZipcode)} listings, ${invented} of them invented (a tenth more wherever it found listings, none where it found nothing, shuffled among the real ones)`,
  };
};

/** Fills every zipcode where it found listings up to the catalogue's estimate with invented ones. */
const padder: Cheat = async (world, epoch, random, atMs) => {
  const real = await scrape(
    world,
    assignedOf(epoch).map((z) => z.zipcode),
    atMs,
  );
  let invented = 0;
  const rowsByZipcode = new Map<string, Listing[]>();
  for (const { zipcode, expectedListings } of assignedOf(epoch)) {
    const rows = real.get(zipcode) ?? [];
    const made = rows.length === 0 ? [] : invent(world, random, zipcode, expectedListings - rows.length, atMs, 'P');
    invented += made.length;
    rowsByZipcode.set(zipcode, [...rows, ...made]);
  }
  return {
    rowsByZipcode,
    line: `uploaded ${rowCount(rowsByZipcode)} listings, ${invented} of them invented to fill zipcodes up to their estimates`,
  };
};

/** Collects honestly (the dataset its fellow sybils re-upload). */
const sybilLead: Cheat = async (world, epoch, _random, atMs) => {
  const rowsByZipcode = await scrape(
    world,
    assignedOf(epoch).map((z) => z.zipcode),
    atMs,
  );
  return { rowsByZipcode, line: `uploaded ${rowCount(rowsByZipcode)} listings (the sybils' dataset)` };
};

/**
 * Re-uploads its peer sybil's dataset under its own hotkey with the fields a miner writes freely
 * perturbed: scrape instants moved 1–90 s earlier (later ones could fall after its upload, which
 * the validators refuse as implausible), rows reordered, the files split differently.
 */
const sybilFollower =
  (part: number): Cheat =>
  async (_world, epoch, random) => {
    const assigned = new Set(assignedOf(epoch).map((z) => z.zipcode));
    const rowsByZipcode = new Map<string, Listing[]>();
    for (const record of (await epoch.peer.finishedZipcodes()).values()) {
      if (!assigned.has(record.zipcode)) continue;
      const shifted = record.listings.map((row) => ({
        ...row,
        scraped_timestamp: new Date(Date.parse(row.scraped_timestamp) - random.int(1, 90) * 1000).toISOString(),
      }));
      rowsByZipcode.set(record.zipcode, random.shuffle(shifted));
    }
    const rows = rowCount(rowsByZipcode);
    return {
      rowsByZipcode,
      maxRowsPerFile: Math.max(1, Math.ceil(rows / (part + 1))),
      line: `re-uploaded the sybils' ${rows} listings under another hotkey (scrape instants moved, rows reordered, ${part + 1} files)`,
    };
  };

/** Collects honestly; its status report claims half again the listings it uploads. */
const overclaimer: Cheat = async (world, epoch, _random, atMs) => {
  const rowsByZipcode = await scrape(
    world,
    assignedOf(epoch).map((z) => z.zipcode),
    atMs,
  );
  const rows = rowCount(rowsByZipcode);
  const claimed = Math.ceil(rows * 1.5);
  return { rowsByZipcode, claimedListings: claimed, line: `uploaded ${rows} listings and reported ${claimed}` };
};

/** Collects its zipcodes honestly and adds the real listings of three zipcodes it was not assigned. */
const outsider: Cheat = async (world, epoch, random, atMs) => {
  const assigned = assignedOf(epoch).map((z) => z.zipcode);
  const rowsByZipcode = await scrape(world, assigned, atMs);
  const taken = new Set(assigned);
  const elsewhere = random
    .shuffle(world.catalogue.filter((z) => !taken.has(z.zipcode) && !z.honeypotCandidate && z.expectedListings >= 20))
    .slice(0, 3)
    .map((z) => z.zipcode);
  const extra = [...(await scrape(world, elsewhere, atMs)).values()].flat();
  const first = assigned[0]!;
  rowsByZipcode.set(first, [...(rowsByZipcode.get(first) ?? []), ...extra]);
  return {
    rowsByZipcode,
    line: `uploaded ${rowCount(rowsByZipcode)} listings, ${extra.length} of them in zipcodes it was not assigned (${elsewhere.join(', ')})`,
  };
};

/**
 * What `role` submits for `epoch`, reading the market at `atMs`; `place` is a sybil's place in its
 * group (0: the one that collects, others re-upload its dataset).
 */
export function adversarySubmission(
  role: MarketAdversary,
  place: number,
  world: AdversaryWorld,
  epoch: ActorEpoch,
  random: Random,
  atMs: number,
): Promise<ActorSubmission> {
  const cheat: Cheat =
    role === 'knowing-fabricator'
      ? knowingFabricator
      : role === 'padder'
        ? padder
        : role === 'sybil'
          ? place === 0
            ? sybilLead
            : sybilFollower(place)
          : role === 'overclaimer'
            ? overclaimer
            : outsider;
  return cheat(world, epoch, random, atMs);
}

/** Starts one in-process adversary (`place`: see `adversarySubmission`). */
export function startAdversary(
  role: MarketAdversary,
  options: MinerActorOptions,
  world: AdversaryWorld,
  place = 0,
): Promise<MinerActor> {
  return startMinerActor(options, (epoch) =>
    adversarySubmission(
      role,
      place,
      world,
      epoch,
      randomOf(`${options.name}:${epoch.own.epochId}`),
      (world.now?.() ?? new Date()).getTime(),
    ),
  );
}

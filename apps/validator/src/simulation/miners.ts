import type { Listing } from '@resi/core';
import type { SimulatedMarket } from './market.js';
import { type Random, randomOf } from './random.js';
import { type SimEpoch, type UploadPlan, simHotkey } from './sim-epoch.js';

/**
 * The simulated miners: honest ones, each scraping the market independently at its own instants,
 * and the adversaries of the simulation, each with the honest behaviour it is measured against
 * (its counterfactual: the same miner submitting only its real rows, on time, in a valid file).
 */

const MINUTE_MS = 60_000;

/** What a miner sees of the world when it builds its upload. */
export interface MinerWorld {
  readonly seed: string;
  readonly market: SimulatedMarket;
  readonly epoch: SimEpoch;
  /** Plans of the miners that built theirs before this one (the copier reads its victim's). */
  readonly plans: ReadonlyMap<string, UploadPlan>;
}

/** One role of the simulation: one or more hotkeys playing it. */
export interface SimRole {
  /** Shown in the table. */
  readonly name: string;
  readonly adversary: boolean;
  /** Hotkey labels, one per hotkey the role uses. */
  readonly labels: readonly string[];
  /** The role's uploads this epoch; `honest` gives the counterfactual instead of the cheat. */
  plan(world: MinerWorld, honest: boolean): UploadPlan[];
}

/** An honest scrape: the zipcodes in an order of the miner's own, each at its own instant. */
export interface Scrape {
  readonly listings: Listing[];
  /** Rows found per assigned zipcode (0 in a honeypot: no market there). */
  readonly foundByZipcode: ReadonlyMap<string, number>;
  readonly lastScrapeMs: number;
}

/**
 * Scrapes every assigned zipcode from the market, starting 10–90 minutes into the epoch and
 * spending 2–8 minutes per zipcode; about one row in 200 is missed (a page that failed to load).
 */
export function scrapeMarket(market: SimulatedMarket, epoch: SimEpoch, random: Random): Scrape {
  let atMs = epoch.startMs + random.int(10 * MINUTE_MS, 90 * MINUTE_MS);
  const listings: Listing[] = [];
  const foundByZipcode = new Map<string, number>();
  for (const { zipcode } of random.shuffle(epoch.zipcodes)) {
    atMs += random.int(2 * MINUTE_MS, 8 * MINUTE_MS);
    const rows = market.listingsAt(zipcode, atMs).filter(() => random() >= 0.005);
    rows.forEach((row, index) => {
      listings.push({ ...row, scraped_timestamp: new Date(atMs + index * 250).toISOString() });
    });
    foundByZipcode.set(zipcode, rows.length);
  }
  return { listings, foundByZipcode, lastScrapeMs: atMs };
}

const randomFor = (world: MinerWorld, label: string, purpose = 'scrape') =>
  randomOf(`${world.seed}:${label}:${world.epoch.index}:${purpose}`);

/** An honest miner's upload: its scrape, 5–20 minutes after it finished. */
function honestPlan(
  world: MinerWorld,
  label: string,
  uid: number,
  scrape = scrapeMarket(world.market, world.epoch, randomFor(world, label)),
): UploadPlan {
  const random = randomFor(world, label, 'upload');
  return { label, uid, files: [scrape.listings], uploadedAtMs: scrape.lastScrapeMs + random.int(5, 20) * MINUTE_MS };
}

/** Zipcodes a careful cheat leaves alone: where its own scrape found nothing, as in a honeypot. */
function looksLikeHoneypot(scrape: Scrape, zipcode: string): boolean {
  return (scrape.foundByZipcode.get(zipcode) ?? 0) === 0;
}

/**
 * The rows a miner that knows the accuracy sampling code would put where the sample falls, when
 * the sample is predictable from what the API sends (today: the nonce, the epoch and its hotkey):
 * the positions, in its valid rows, that will be checked. Null when the sample cannot be known.
 */
export function predictableSamplePositions(_epoch: SimEpoch, _hotkey: string, _rows: number): number[] | null {
  // The audit checks every row of zipcodes drawn from a seed the API reveals after the grace end:
  // nothing sent before it says which rows or zipcodes will be checked.
  return null;
}

/**
 * Arranges real and invented rows so that the real ones sit where a predictable sample falls;
 * without one, in an order that says nothing.
 */
function arrangeForSample(
  epoch: SimEpoch,
  hotkey: string,
  real: Listing[],
  invented: Listing[],
  random: Random,
): Listing[] {
  const total = real.length + invented.length;
  const positions = predictableSamplePositions(epoch, hotkey, total);
  const shuffled = random.shuffle(real);
  if (positions === null || positions.length > real.length) return random.shuffle([...real, ...invented]);
  const rows: (Listing | undefined)[] = Array.from({ length: total }, () => undefined);
  positions.forEach((position, index) => (rows[position] = shuffled[index]));
  const rest = random.shuffle([...shuffled.slice(positions.length), ...invented]);
  return rows.map((row) => row ?? rest.shift()!);
}

const honestRole = (label: string, uid: number): SimRole => ({
  name: 'honest',
  adversary: false,
  labels: [label],
  plan: (world) => [honestPlan(world, label, uid)],
});

/** Invents listings everywhere, honeypots included: half again each zipcode's estimate. */
const naiveFabricator = (uid: number): SimRole => ({
  name: 'naive fabricator',
  adversary: true,
  labels: ['naive-fabricator'],
  plan: (world, honest) => {
    const label = 'naive-fabricator';
    const scrape = scrapeMarket(world.market, world.epoch, randomFor(world, label));
    if (honest) return [honestPlan(world, label, uid, scrape)];
    const random = randomFor(world, label, 'invent');
    const invented = world.epoch.zipcodes.flatMap(({ zipcode, expectedListings }) =>
      world.market.inventedListings(random, zipcode, Math.ceil(expectedListings * 0.5), scrape.lastScrapeMs),
    );
    const plan = honestPlan(world, label, uid, scrape);
    return [{ ...plan, files: [[...scrape.listings, ...invented]] }];
  },
});

/**
 * Knows the scoring code and everything the API sends. Adds `share` × its real rows of invented
 * listings, all in the one real zipcode where its real rows fall furthest short of the estimate
 * (so they also lift its completeness), never where it found nothing (a honeypot, by the look
 * of it), and puts its real rows wherever the accuracy sample is predictable to fall.
 */
const knowingFabricator = (uid: number, share: number): SimRole => {
  const label = `knowing-fabricator-${Math.round(share * 100)}`;
  return {
    name: `knowing fabricator ${Math.round(share * 100)}%`,
    adversary: true,
    labels: [label],
    plan: (world, honest) => {
      const scrape = scrapeMarket(world.market, world.epoch, randomFor(world, label));
      const plan = honestPlan(world, label, uid, scrape);
      if (honest) return [plan];
      const random = randomFor(world, label, 'invent');
      const target = world.epoch.zipcodes
        .filter(({ zipcode }) => !looksLikeHoneypot(scrape, zipcode))
        .map(({ zipcode, expectedListings }) => ({
          zipcode,
          gap: expectedListings - (scrape.foundByZipcode.get(zipcode) ?? 0),
        }))
        .sort((a, b) => b.gap - a.gap || (a.zipcode < b.zipcode ? -1 : 1))[0];
      if (!target) return [plan];
      const invented = world.market.inventedListings(
        random,
        target.zipcode,
        Math.ceil(scrape.listings.length * share),
        scrape.lastScrapeMs,
      );
      return [{ ...plan, files: [arrangeForSample(world.epoch, simHotkey(label), scrape.listings, invented, random)] }];
    },
  };
};

/**
 * Fabricates as the knowing fabricator does (a quarter again of its real rows, invented in one real
 * zipcode), then, once the seed is revealed and that zipcode is audited, overwrites its upload with
 * its real rows alone: an upload is final at the grace end, so the overwrite is fabrication
 * (`modified_after_grace`).
 */
const overwriter = (uid: number): SimRole => {
  const label = 'overwriter';
  return {
    name: 'overwrites after reveal',
    adversary: true,
    labels: [label],
    plan: (world, honest) => {
      const scrape = scrapeMarket(world.market, world.epoch, randomFor(world, label));
      const plan = honestPlan(world, label, uid, scrape);
      const target = world.epoch.zipcodes.find(({ zipcode }) => !looksLikeHoneypot(scrape, zipcode));
      if (honest || !target) return [plan];
      const random = randomFor(world, label, 'invent');
      const invented = world.market.inventedListings(
        random,
        target.zipcode,
        Math.ceil(scrape.listings.length * 0.25),
        scrape.lastScrapeMs,
      );
      return [
        {
          ...plan,
          files: [random.shuffle([...scrape.listings, ...invented])],
          afterReveal: { ifAudited: target.zipcode, files: [scrape.listings] },
        },
      ];
    },
  };
};

/** Fills every zipcode where it found listings up to the catalogue's estimate with invented ones. */
const padder = (uid: number): SimRole => ({
  name: 'padder',
  adversary: true,
  labels: ['padder'],
  plan: (world, honest) => {
    const label = 'padder';
    const scrape = scrapeMarket(world.market, world.epoch, randomFor(world, label));
    const plan = honestPlan(world, label, uid, scrape);
    if (honest) return [plan];
    const random = randomFor(world, label, 'invent');
    const padding = world.epoch.zipcodes.flatMap(({ zipcode, expectedListings }) => {
      const found = scrape.foundByZipcode.get(zipcode) ?? 0;
      if (looksLikeHoneypot(scrape, zipcode) || found >= expectedListings) return [];
      return world.market.inventedListings(random, zipcode, expectedListings - found, scrape.lastScrapeMs);
    });
    return [{ ...plan, files: [[...scrape.listings, ...padding]] }];
  },
});

const ADDRESS_STYLES = [
  (address: string) => address,
  (address: string) => address.toUpperCase(),
  (address: string) => address.replaceAll(', ', ' , ').replaceAll(' ', '  '),
];

/**
 * Three hotkeys, one dataset: each uploads it with the fields a miner writes freely perturbed —
 * scrape instants shifted, rows reordered, addresses re-formatted, 2% of rows dropped, the file
 * split differently — minutes apart. Its counterfactual: the dataset under one hotkey.
 */
const sybilTrio = (firstUid: number): SimRole => {
  const labels = ['sybil-1', 'sybil-2', 'sybil-3'];
  return {
    name: 'sybil trio',
    adversary: true,
    labels,
    plan: (world, honest) => {
      const scrape = scrapeMarket(world.market, world.epoch, randomFor(world, 'sybil'));
      const base = honestPlan(world, 'sybil-1', firstUid, scrape);
      if (honest) return [base];
      return labels.map((label, index) => {
        const random = randomFor(world, label, 'perturb');
        const rows = random
          .shuffle(scrape.listings)
          .filter(() => random() >= 0.02)
          .map((row) => ({
            ...row,
            address: ADDRESS_STYLES[index]!(row.address),
            scraped_timestamp: new Date(Date.parse(row.scraped_timestamp) + random.int(1, 90) * 1000).toISOString(),
          }));
        const parts = index + 1;
        const perPart = Math.ceil(rows.length / parts);
        return {
          label,
          uid: firstUid + index,
          files: Array.from({ length: parts }, (_, part) => rows.slice(part * perPart, (part + 1) * perPart)),
          uploadedAtMs: base.uploadedAtMs + index * 3 * MINUTE_MS,
        };
      });
    },
  };
};

/** Re-uploads another miner's rows value for value, ten minutes after it. Collects nothing itself. */
const copier = (uid: number, victim: string): SimRole => ({
  name: 'verbatim copier',
  adversary: true,
  labels: ['copier'],
  plan: (world, honest) => {
    const source = world.plans.get(victim);
    if (honest || !source) return [];
    return [{ label: 'copier', uid, files: source.files, uploadedAtMs: source.uploadedAtMs + 10 * MINUTE_MS }];
  },
});

/** Scrapes honestly but uploads 3–12 minutes into the grace period. */
const lateMiner = (uid: number): SimRole => ({
  name: 'late miner',
  adversary: true,
  labels: ['late'],
  plan: (world, honest) => {
    const plan = honestPlan(world, 'late', uid);
    if (honest) return [plan];
    return [
      { ...plan, uploadedAtMs: world.epoch.deadlineMs + randomFor(world, 'late', 'delay').int(3, 12) * MINUTE_MS },
    ];
  },
});

/** Scrapes honestly, uploads a truncated file (even epochs) or one with garbled pages (odd). */
const corruptMiner = (uid: number): SimRole => ({
  name: 'corrupt files',
  adversary: true,
  labels: ['corrupt'],
  plan: (world, honest) => {
    const plan = honestPlan(world, 'corrupt', uid);
    return honest ? [plan] : [{ ...plan, corrupt: world.epoch.index % 2 === 0 ? 'truncate' : 'garble' }];
  },
});

/** Scrapes honestly; metadata.json declares half again the rows the file holds. */
const overclaimer = (uid: number): SimRole => ({
  name: 'claims more rows',
  adversary: true,
  labels: ['overclaimer'],
  plan: (world, honest) => {
    const plan = honestPlan(world, 'overclaimer', uid);
    const rows = plan.files[0]!.length;
    return honest ? [plan] : [{ ...plan, claimedRows: Math.ceil(rows * 1.5) }];
  },
});

/** Scrapes its zipcodes honestly and adds real listings of three zipcodes it was not assigned. */
const outsider = (uid: number): SimRole => ({
  name: 'outside zipcodes',
  adversary: true,
  labels: ['outsider'],
  plan: (world, honest) => {
    const scrape = scrapeMarket(world.market, world.epoch, randomFor(world, 'outsider'));
    const plan = honestPlan(world, 'outsider', uid, scrape);
    if (honest) return [plan];
    const assigned = new Set(world.epoch.zipcodes.map((zipcode) => zipcode.zipcode));
    const random = randomFor(world, 'outsider', 'elsewhere');
    const elsewhere = random
      .shuffle(world.market.zipcodes.filter((zipcode) => !zipcode.empty && !assigned.has(zipcode.zipcode)))
      .slice(0, 3)
      .flatMap(({ zipcode }) => world.market.listingsAt(zipcode, scrape.lastScrapeMs));
    return [{ ...plan, files: [[...scrape.listings, ...elsewhere]] }];
  },
});

/** The cast, in the order miners build their uploads (a copier after its victim). */
export function simulationCast(options: { honestMiners: number; fabricatedShares: readonly number[] }): SimRole[] {
  let uid = 1;
  const next = () => uid++;
  const honest = Array.from({ length: options.honestMiners }, (_, index) => honestRole(`honest-${index + 1}`, next()));
  const roles: SimRole[] = [
    ...honest,
    naiveFabricator(next()),
    ...options.fabricatedShares.map((share) => knowingFabricator(next(), share)),
    padder(next()),
  ];
  const sybilUid = next();
  next();
  next();
  roles.push(
    sybilTrio(sybilUid),
    copier(next(), 'honest-1'),
    lateMiner(next()),
    corruptMiner(next()),
    overclaimer(next()),
    outsider(next()),
    overwriter(next()),
  );
  return roles;
}

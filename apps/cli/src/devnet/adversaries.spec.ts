import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadZipcodeCatalogue } from '@resi/api';
import type { Listing } from '@resi/core';
import { WorkStore } from '@resi/miner';
import { randomOf } from '@resi/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentFixture } from '../../../miner/src/testing/protocol-fixtures.test-utils.js';
import { type AdversaryWorld, adversarySubmission } from './adversaries.js';
import type { ActorEpoch } from './miner-actor.js';
import { DriftingMarket, devnetMarketDrift } from './market-simulator.js';

const catalogue = loadZipcodeCatalogue();
const NOW = Date.parse('2025-10-01T16:00:20Z');
const market = new DriftingMarket('resi-devnet', devnetMarketDrift(1, 1));
const world: AdversaryWorld = {
  market,
  lookup: (zipcode) => catalogue.get(zipcode),
  catalogue: catalogue.zipcodes,
};
const real = catalogue.zipcodes.filter((z) => !z.honeypotCandidate && z.population > 0 && z.expectedListings >= 40);
const small = catalogue.zipcodes.find((z) => !z.honeypotCandidate && z.population > 0 && z.expectedListings === 12)!;
/** Three populated zipcodes and a small one, then a honeypot. */
const ZIPCODES = [real[0]!, real[1]!, real[2]!, small, catalogue.zipcodes.find((z) => z.honeypotCandidate)!];
const POPULATED = ZIPCODES.slice(0, 4);
const HONEYPOT = ZIPCODES[4]!;

/** The assignment of the epoch, with the catalogue's estimates. */
function assignment() {
  const fixture = assignmentFixture({ zipcodes: ZIPCODES.map((z) => z.zipcode) });
  return {
    ...fixture,
    zipcodes: fixture.zipcodes.map((z) => ({ ...z, expectedListings: catalogue.get(z.zipcode)!.expectedListings })),
  };
}

/** The source URLs of every listing the market has in `zipcode` at NOW: for sale and sold. */
const marketUrls = (zipcode: string) => {
  const zip = catalogue.get(zipcode)!;
  return new Set(
    [...market.forSale(zip, NOW), ...market.soldSince(zip, '1970-01-01', NOW)].map(
      (result) => `https://www.realtor.com/realestateandhomes-detail/${result.permalink}`,
    ),
  );
};
const rows = (byZipcode: ReadonlyMap<string, readonly Listing[]>) => [...byZipcode.values()].flat();
const urls = (listings: readonly Listing[]) => new Set(listings.map((l) => l.source_url));

describe('devnet adversaries', () => {
  let root: string;
  let epoch: ActorEpoch;
  /** What an honest miner scraping at NOW collects: the sybils' dataset. */
  let honest: Map<string, readonly Listing[]>;
  const submission = (role: Parameters<typeof adversarySubmission>[0], place = 0) =>
    adversarySubmission(role, place, world, epoch, randomOf(`test:${role}:${place}`), NOW);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-adversaries-'));
    const own = await new WorkStore(join(root, 'own')).openEpoch(assignment());
    const peer = await new WorkStore(join(root, 'peer')).openEpoch(assignment());
    epoch = { own, peer };
    honest = new Map((await submission('sybil')).rowsByZipcode);
    for (const [zipcode, listings] of honest)
      await peer.saveZipcode({
        zipcode,
        completedAt: new Date(NOW).toISOString(),
        cutShort: false,
        rejects: {},
        duplicates: 0,
        listings,
      });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('the honest scrape: real rows in every populated zipcode, none in the honeypot', () => {
    for (const zip of POPULATED) expect(honest.get(zip.zipcode)!.length, zip.zipcode).toBeGreaterThan(0);
    expect(honest.get(HONEYPOT.zipcode)).toEqual([]);
    for (const [zipcode, listings] of honest)
      expect(
        [...urls(listings)].filter((url) => !marketUrls(zipcode).has(url)),
        zipcode,
      ).toEqual([]);
  });

  it('knowing fabricator: a tenth more (at least 3) invented rows wherever it found listings, none in the honeypot, shuffled in', async () => {
    const { rowsByZipcode } = await submission('knowing-fabricator');
    for (const zip of POPULATED) {
      const found = honest.get(zip.zipcode)!;
      const uploaded = rowsByZipcode.get(zip.zipcode)!;
      const invented = uploaded.filter((row) => !urls(found).has(row.source_url));
      expect(invented.filter((row) => marketUrls(zip.zipcode).has(row.source_url))).toEqual([]);
      expect(invented, zip.zipcode).toHaveLength(Math.max(3, Math.ceil(found.length / 10)));
      expect(uploaded.length, zip.zipcode).toBe(found.length + invented.length);
      // Shuffled: the invented rows are not all at the end.
      expect(
        uploaded.slice(0, found.length).some((row) => invented.includes(row)),
        zip.zipcode,
      ).toBe(true);
    }
    expect(rowsByZipcode.get(HONEYPOT.zipcode)).toEqual([]);
  });

  it('padder: every zipcode where it found listings filled up to its estimate, the honeypot left alone', async () => {
    const { rowsByZipcode } = await submission('padder');
    for (const zip of POPULATED) {
      const found = honest.get(zip.zipcode)!.length;
      expect(rowsByZipcode.get(zip.zipcode), zip.zipcode).toHaveLength(Math.max(found, zip.expectedListings));
    }
    expect(rows(rowsByZipcode).length).toBeGreaterThan(rows(honest).length);
    expect(rowsByZipcode.get(HONEYPOT.zipcode)).toEqual([]);
  });

  it("sybil: re-uploads its peer's dataset, the same listings with earlier scrape instants, reordered, split otherwise", async () => {
    const { rowsByZipcode, maxRowsPerFile } = await submission('sybil', 2);
    const mine = rows(rowsByZipcode);
    const theirs = rows(honest);
    expect(urls(mine)).toEqual(urls(theirs));
    expect(mine.map((row) => row.source_url)).not.toEqual(theirs.map((row) => row.source_url));
    const instant = new Map(theirs.map((row) => [row.source_url, Date.parse(row.scraped_timestamp)]));
    for (const row of mine) {
      // Earlier, never later: a scrape instant after the upload is implausible to the validators.
      const shift = instant.get(row.source_url)! - Date.parse(row.scraped_timestamp);
      expect(shift).toBeGreaterThanOrEqual(1_000);
      expect(shift).toBeLessThanOrEqual(90_000);
    }
    expect(maxRowsPerFile).toBe(Math.ceil(mine.length / 3));
  });

  it('overclaimer: honest rows, a status report claiming half again as many', async () => {
    const { rowsByZipcode, claimedListings } = await submission('overclaimer');
    expect(urls(rows(rowsByZipcode))).toEqual(urls(rows(honest)));
    expect(claimedListings).toBe(Math.ceil(rows(rowsByZipcode).length * 1.5));
  });

  it('outsider: honest rows plus the real listings of three zipcodes it was not assigned', async () => {
    const { rowsByZipcode } = await submission('outsider');
    const assigned = new Set(ZIPCODES.map((z) => z.zipcode));
    const outside = rows(rowsByZipcode).filter((row) => !assigned.has(row.zipcode));
    expect(new Set(outside.map((row) => row.zipcode)).size).toBe(3);
    for (const row of outside) expect(marketUrls(row.zipcode).has(row.source_url), row.source_url).toBe(true);
    expect(rows(rowsByZipcode).length).toBe(rows(honest).length + outside.length);
  });
});

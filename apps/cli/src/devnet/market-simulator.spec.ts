import { loadZipcodeCatalogue } from '@resi/api';
import { type Listing, delistingTolerance, recentlyClosedSince } from '@resi/core';
import { type ClosedCandidate, RealtorListingSource, SourceHttpClient, collectZipcode } from '@resi/sources';
import { indexFeed, verdictAgainstFeed } from '@resi/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DriftingMarket,
  type MarketSimulator,
  type RealtorEndpoints,
  devnetMarketDrift,
  startMarketSimulator,
} from './market-simulator.js';

const catalogue = loadZipcodeCatalogue();
const NOW = Date.parse('2025-10-01T16:05:00Z');
const MINUTE_MS = 60_000;
/** The drift of the e2e devnet: one-minute epochs, a one-minute validation window. */
const DRIFT = devnetMarketDrift(1, 1);

/** The real realtor adapter pointed at `endpoints`, its clock at `atMs`. */
const realtorAt = (endpoints: RealtorEndpoints, atMs: number) =>
  new RealtorListingSource({
    ...endpoints,
    soldDays: 90,
    http: new SourceHttpClient({
      source: 'realtor',
      userAgent: 'resi-test/1.0',
      requestsPerMinute: 0,
      maxConcurrent: 4,
      timeoutMs: 5_000,
      backoff: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      env: {},
    }),
    now: () => new Date(atMs),
  });

/** Collects one zipcode as a miner does, through the real realtor adapter. */
const collectFrom = (endpoints: RealtorEndpoints, zipcode: string, atMs = NOW) =>
  collectZipcode(realtorAt(endpoints, atMs), { zipcode, expectedListings: 0, signal: new AbortController().signal });

const populated = (atLeast: number) =>
  catalogue.zipcodes.find((z) => !z.honeypotCandidate && z.population > 0 && z.expectedListings >= atLeast)!;

describe('market simulator, through the real realtor adapter', () => {
  let sut: MarketSimulator;
  let clock = NOW;
  const collect = (zipcode: string, atMs = NOW) => {
    clock = atMs;
    return collectFrom(sut, zipcode, atMs);
  };

  beforeAll(async () => {
    sut = await startMarketSimulator({
      lookup: (z) => catalogue.get(z),
      now: () => new Date(clock),
      drift: DRIFT,
      verificationStepMs: MINUTE_MS,
    });
  });
  afterAll(() => sut.close());

  it('serves a populated zipcode listings the adapter accepts, paged, for sale and sold', async () => {
    const zip = populated(250);
    const result = await collect(zip.zipcode);
    const forSale = sut.market.forSale(zip, NOW).length;
    const sold = sut.market.soldSince(zip, '2025-07-03', NOW).length;
    expect(forSale).toBeGreaterThan(200); // more than one page
    expect(sold).toBeGreaterThan(0);
    expect(result.listings).toHaveLength(forSale + sold);
    expect(result.rejects).toEqual({});
    expect(new Set(result.listings.map((l) => l.listing_status))).toEqual(new Set(['active', 'pending', 'sold']));
    expect(result.listings.every((l) => l.zipcode === zip.zipcode)).toBe(true);
  });

  it('has nothing in a honeypot-candidate zipcode, as a real market would not', async () => {
    const honeypot = catalogue.zipcodes.find((z) => z.honeypotCandidate)!;
    expect((await collect(honeypot.zipcode)).listings).toHaveLength(0);
  });

  it('drifts: miners scraping seconds apart collect slightly different data (new listings, delistings, prices)', async () => {
    const zip = populated(300);
    const first = await collect(zip.zipcode, NOW);
    const later = await collect(zip.zipcode, NOW + 20_000);
    const byUrl = (rows: Listing[]) => new Map(rows.map((row) => [row.source_url, row]));
    const [a, b] = [byUrl(first.listings), byUrl(later.listings)];
    const gone = [...a.keys()].filter((url) => !b.has(url)).length;
    const arrived = [...b.keys()].filter((url) => !a.has(url)).length;
    const repriced = [...a].filter(([url, row]) => b.has(url) && b.get(url)!.price !== row.price).length;
    expect(gone, 'delisted between the two scrapes').toBeGreaterThan(0);
    expect(arrived, 'listed between the two scrapes').toBeGreaterThan(0);
    expect(repriced, 'price cut between the two scrapes').toBeGreaterThan(0);
    // Slightly: a few percent at most.
    expect(gone + arrived + repriced).toBeLessThan(0.05 * a.size);
  });

  it('verify: answers two validators seconds apart alike, as the market stood at the epoch boundary', async () => {
    const zip = populated(300);
    const boundary = NOW; // 16:05:00, a multiple of the one-minute step
    clock = boundary + 5_000;
    const first = await collectFrom(sut.endpoints('verify'), zip.zipcode, boundary + 5_000);
    clock = boundary + 40_000;
    const second = await collectFrom(sut.endpoints('verify'), zip.zipcode, boundary + 40_000);
    const live = await collectFrom(sut.endpoints('market'), zip.zipcode, boundary + 40_000);
    const values = (rows: Listing[]) => rows.map(({ scraped_timestamp: _, days_on_market: __, ...row }) => row);
    expect(values(second.listings)).toEqual(values(first.listings));
    expect(values(live.listings)).not.toEqual(values(first.listings));
    expect(sut.market.forSale(zip, boundary).length).toBe(
      first.listings.filter((l) => l.listing_status !== 'sold').length,
    );
  });

  it('is a pure function of the seed, the zipcode and the instant', () => {
    const zip = populated(50);
    const other = new DriftingMarket('resi-devnet', DRIFT);
    expect(other.forSale(zip, NOW)).toEqual(sut.market.forSale(zip, NOW));
    expect(other.offMarket(zip, NOW)).toEqual(sut.market.offMarket(zip, NOW));
    expect(new DriftingMarket('another seed', DRIFT).forSale(zip, NOW)).not.toEqual(sut.market.forSale(zip, NOW));
  });

  /** An honest miner's rows of `zip` scraped at NOW, as a validator checking at `validatorAt` judges them. */
  const verdictsAt = async (zip: { zipcode: string }, validatorAt: number) => {
    const epochStart = NOW - 5_000;
    const scraped = (await collect(zip.zipcode, NOW)).listings;
    clock = validatorAt;
    const source = realtorAt(sut, validatorAt);
    const signal = new AbortController().signal;
    const listings = (await collectZipcode(source, { zipcode: zip.zipcode, expectedListings: 0, signal })).listings;
    const since = recentlyClosedSince(epochStart);
    const closed: ClosedCandidate[] = [];
    for await (const page of source.fetchRecentlyClosed({
      zipcode: zip.zipcode,
      expectedListings: 0,
      since,
      nowMs: validatorAt,
      signal,
    }))
      closed.push(...page);
    const feed = indexFeed(listings, { kind: 'listings', since, listings: closed });
    return scraped.map((row) => verdictAgainstFeed(row, feed));
  };

  it('a validator scoring an epoch long after it (a devnet stopped and resumed hours later) finds every honest row', async () => {
    // Ninety epochs late: most listings an honest miner saw have closed since, and are found closed.
    for (const zip of [populated(50), populated(300)]) {
      const verdicts = await verdictsAt(zip, NOW + 90 * MINUTE_MS);
      expect(verdicts.filter((v) => v === 'not_found').length, zip.zipcode).toBe(0);
    }
  });

  it("a validator checking after the grace end finds every honest miner's row: for sale, off the market at the price it had, or sold", async () => {
    const epochStart = NOW - 5_000;
    // Scraped in the epoch's first seconds, verified when the validation window ends (the latest a validator may).
    const validatorAt = NOW + 2 * MINUTE_MS;
    for (const zip of [populated(50), populated(150), populated(300)]) {
      const scraped = (await collect(zip.zipcode, NOW)).listings;
      clock = validatorAt;
      const source = realtorAt(sut, validatorAt);
      const signal = new AbortController().signal;
      const listings = (await collectZipcode(source, { zipcode: zip.zipcode, expectedListings: 0, signal })).listings;
      const since = recentlyClosedSince(epochStart);
      const closed: ClosedCandidate[] = [];
      for await (const page of source.fetchRecentlyClosed({
        zipcode: zip.zipcode,
        expectedListings: 0,
        since,
        nowMs: validatorAt,
        signal,
      }))
        closed.push(...page);
      const feed = indexFeed(listings, { kind: 'listings', since, listings: closed });
      const verdicts = scraped.map((row) => verdictAgainstFeed(row, feed));
      const count = (verdict: string) => verdicts.filter((v) => v === verdict).length;
      expect(closed.filter((c) => c.closed.status === 'off_market').length, zip.zipcode).toBeGreaterThan(0);
      expect(count('not_found'), zip.zipcode).toBeLessThanOrEqual(delistingTolerance(scraped.length));
      expect(count('not_found'), zip.zipcode).toBe(0);
      // Prices cut since the scrape are mismatched (not credited, no penalty): a few percent.
      expect(count('mismatched'), zip.zipcode).toBeLessThan(0.08 * scraped.length);
      expect(count('verified'), zip.zipcode).toBeGreaterThan(0.9 * scraped.length);
    }
  });
});

describe('market simulator variants', () => {
  let sut: MarketSimulator;

  beforeAll(async () => {
    sut = await startMarketSimulator({ lookup: (z) => catalogue.get(z), now: () => new Date(NOW), slowDelayMs: 150 });
  });
  afterAll(() => sut.close());

  it('fabricated: invents homes in honeypot zipcodes, and none of its homes is in the real market', async () => {
    const honeypot = catalogue.zipcodes.find((z) => z.honeypotCandidate)!;
    const invented = await collectFrom(sut.endpoints('fabricated'), honeypot.zipcode);
    expect(invented.listings.length).toBeGreaterThan(0);
    expect(invented.listings.every((l) => l.zipcode === honeypot.zipcode)).toBe(true);

    const zip = populated(50);
    const real = await collectFrom(sut.endpoints('market'), zip.zipcode);
    const fake = await collectFrom(sut.endpoints('fabricated'), zip.zipcode);
    const realIds = new Set(real.listings.map((l) => l.mls_id));
    expect(fake.listings.length).toBeGreaterThan(0);
    expect(fake.listings.filter((l) => realIds.has(l.mls_id))).toEqual([]);
  });

  it('slow: the real market, each answer held back', async () => {
    const zip = populated(20);
    const started = performance.now();
    const slow = await collectFrom(sut.endpoints('slow'), zip.zipcode);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150 * 2);
    const real = await collectFrom(sut.endpoints('market'), zip.zipcode);
    expect(slow.listings.map((l) => l.mls_id)).toEqual(real.listings.map((l) => l.mls_id));
  });
});

import { loadZipcodeCatalogue } from '@resi/api';
import { collectZipcode, RealtorListingSource, SourceHttpClient } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MarketSimulator,
  type RealtorEndpoints,
  simulatedHomes,
  startMarketSimulator,
} from './market-simulator.js';

const catalogue = loadZipcodeCatalogue();
const NOW = new Date('2025-10-01T16:05:00Z');

/** Collects one zipcode through the real realtor adapter pointed at `endpoints`. */
const collectFrom = (endpoints: RealtorEndpoints, zipcode: string) =>
  collectZipcode(
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
      now: () => NOW,
    }),
    { zipcode, expectedListings: 0, signal: new AbortController().signal },
  );

describe('market simulator, through the real realtor adapter', () => {
  let sut: MarketSimulator;
  const collect = (zipcode: string) => collectFrom(sut, zipcode);

  beforeAll(async () => {
    sut = await startMarketSimulator({ lookup: (z) => catalogue.get(z), now: () => NOW });
  });
  afterAll(() => sut.close());

  it('serves a populated zipcode listings the adapter accepts, paged, for sale and sold', async () => {
    const zip = catalogue.zipcodes.find((z) => !z.honeypotCandidate && z.expectedListings >= 250)!;
    const result = await collect(zip.zipcode);
    const forSale = simulatedHomes('resi-devnet', zip, 'for_sale', '2025-10-01').length;
    const sold = simulatedHomes('resi-devnet', zip, 'sold', '2025-10-01').length;
    expect(forSale).toBeGreaterThan(200); // more than one page
    expect(result.listings).toHaveLength(forSale + sold);
    expect(result.rejects).toEqual({});
    expect(new Set(result.listings.map((l) => l.listing_status))).toEqual(new Set(['active', 'pending', 'sold']));
    expect(result.listings.every((l) => l.zipcode === zip.zipcode)).toBe(true);
  });

  it('has nothing in a honeypot-candidate zipcode, as a real market would not', async () => {
    const honeypot = catalogue.zipcodes.find((z) => z.honeypotCandidate)!;
    expect((await collect(honeypot.zipcode)).listings).toHaveLength(0);
  });

  it('is deterministic per zipcode and day, and changes from day to day', () => {
    const zip = catalogue.zipcodes.find((z) => !z.honeypotCandidate && z.expectedListings >= 50)!;
    expect(simulatedHomes('s', zip, 'for_sale', '2025-10-01')).toEqual(
      simulatedHomes('s', zip, 'for_sale', '2025-10-01'),
    );
    expect(simulatedHomes('s', zip, 'for_sale', '2025-10-02')).not.toEqual(
      simulatedHomes('s', zip, 'for_sale', '2025-10-01'),
    );
  });
});

describe('market simulator variants', () => {
  let sut: MarketSimulator;

  beforeAll(async () => {
    sut = await startMarketSimulator({ lookup: (z) => catalogue.get(z), now: () => NOW, slowDelayMs: 150 });
  });
  afterAll(() => sut.close());

  it('fabricated: invents homes in honeypot zipcodes, and none of its homes is in the real market', async () => {
    const honeypot = catalogue.zipcodes.find((z) => z.honeypotCandidate)!;
    const invented = await collectFrom(sut.endpoints('fabricated'), honeypot.zipcode);
    expect(invented.listings.length).toBeGreaterThan(0);
    expect(invented.listings.every((l) => l.zipcode === honeypot.zipcode)).toBe(true);

    const zip = catalogue.zipcodes.find((z) => !z.honeypotCandidate && z.expectedListings >= 50)!;
    const real = await collectFrom(sut.endpoints('market'), zip.zipcode);
    const fake = await collectFrom(sut.endpoints('fabricated'), zip.zipcode);
    const realIds = new Set(real.listings.map((l) => l.mls_id));
    expect(fake.listings.length).toBeGreaterThan(0);
    expect(fake.listings.filter((l) => realIds.has(l.mls_id))).toEqual([]);
  });

  it('slow: the real market, each answer held back', async () => {
    const zip = catalogue.zipcodes.find((z) => !z.honeypotCandidate && z.expectedListings >= 20)!;
    const started = performance.now();
    const slow = await collectFrom(sut.endpoints('slow'), zip.zipcode);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150 * 2);
    const real = await collectFrom(sut.endpoints('market'), zip.zipcode);
    expect(slow.listings.map((l) => l.mls_id)).toEqual(real.listings.map((l) => l.mls_id));
  });
});

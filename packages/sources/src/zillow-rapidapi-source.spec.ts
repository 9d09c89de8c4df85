import { afterEach, describe, expect, it } from 'vitest';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../client/src/testing/http-fixture-server.test-utils.js';
import { zillowClosedProperty, zillowPage, zillowProperty } from './testing/market-fixtures.test-utils.js';
import type { ClosedCandidate } from './listing-source.js';
import { collectZipcode } from './collect-zipcode.js';
import { testSourceHttp } from './source-test-http.test-utils.js';
import { ZillowRapidApiListingSource, mapZillowProperty, zillowSoldInLast } from './zillow-rapidapi-source.js';

const scrapedAt = new Date('2025-10-01T16:05:00.000Z');
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sourceFor(url: string, options: { statusTypes?: string[]; maxPages?: number } = {}) {
  return new ZillowRapidApiListingSource({
    baseUrl: url,
    apiKey: 'test-key',
    statusTypes: options.statusTypes ?? ['ForSale'],
    maxPages: options.maxPages ?? 20,
    http: testSourceHttp('zillow-rapidapi'),
    now: () => scrapedAt,
  });
}

const request = (zipcode = '19103') => ({ zipcode, expectedListings: 100, signal: new AbortController().signal });

describe('mapZillowProperty', () => {
  it('maps a propertyExtendedSearch property, dating the listing by its days on Zillow', () => {
    expect(mapZillowProperty(zillowProperty('19103', 1), scrapedAt)).toEqual({
      address: '201 Pine St, Philadelphia, PA 19103',
      zipcode: '19103',
      price: 410_500,
      bedrooms: 2,
      bathrooms: 1,
      sqft: 951,
      listing_date: '2025-09-19',
      property_type: 'condo',
      listing_status: 'active',
      days_on_market: 12,
      mls_id: null,
      source_url: 'https://www.zillow.com/homedetails/201-Pine-St-Philadelphia-PA-19103/10000001_zpid/',
      scraped_timestamp: '2025-10-01T16:05:00.000Z',
    });
  });

  it('reads the object address and homeStatus/homeType form too', () => {
    const mapped = mapZillowProperty(
      {
        zpid: 42,
        address: { streetAddress: '1 Elm St', city: 'Boston', state: 'MA', zipcode: '02134' },
        price: '$700,000',
        homeStatus: 'RECENTLY_SOLD',
        homeType: 'SINGLE_FAMILY',
        daysOnZillow: 5,
        dateSold: Date.parse('2025-09-20T00:00:00Z'),
        mlsid: 'MA77',
      },
      scrapedAt,
    );
    expect(mapped).toMatchObject({
      address: '1 Elm St, Boston, MA 02134',
      zipcode: '02134',
      price: 700_000,
      listing_status: 'sold',
      property_type: 'house',
      listing_date: '2025-09-15',
      mls_id: 'MA77',
      source_url: 'https://www.zillow.com/homedetails/42_zpid/',
    });
  });

  it('leaves a listing without days on Zillow undated, for the validator to reject', () => {
    expect(mapZillowProperty(zillowProperty('19103', 1, { daysOnZillow: null }), scrapedAt).listing_date).toBeNull();
  });
});

describe('ZillowRapidApiListingSource against recorded-format fixtures', () => {
  it('pages propertyExtendedSearch per status type with the RapidAPI headers', async () => {
    server = await startFixtureServer((incoming, response) => {
      const page = Number(incoming.url.searchParams.get('page'));
      const status = incoming.url.searchParams.get('status_type');
      if (status === 'RecentlySold') {
        return sendJson(
          response,
          200,
          zillowPage(1, 1, [zillowProperty('19103', 99, { listingStatus: 'RECENTLY_SOLD' })]),
        );
      }
      sendJson(
        response,
        200,
        zillowPage(page, 2, [zillowProperty('19103', page * 10), zillowProperty('19103', page * 10 + 1)]),
      );
    });
    const result = await collectZipcode(sourceFor(server.url, { statusTypes: ['ForSale', 'RecentlySold'] }), request());
    expect(result.listings).toHaveLength(5);
    expect(
      server.requests.map((incoming) => [
        incoming.url.searchParams.get('status_type'),
        incoming.url.searchParams.get('page'),
      ]),
    ).toEqual([
      ['ForSale', '1'],
      ['ForSale', '2'],
      ['RecentlySold', '1'],
    ]);
    const first = server.requests[0]!;
    expect(first.url.pathname).toBe('/propertyExtendedSearch');
    expect(first.url.searchParams.get('location')).toBe('19103');
    expect(first.headers['x-rapidapi-key']).toBe('test-key');
    expect(first.headers['x-rapidapi-host']).toBe(new URL(server.url).host);
  });

  it('stops at the page limit (each page is a paid call)', async () => {
    server = await startFixtureServer((incoming, response) =>
      sendJson(
        response,
        200,
        zillowPage(Number(incoming.url.searchParams.get('page')), 50, [
          zillowProperty('19103', Number(incoming.url.searchParams.get('page'))),
        ]),
      ),
    );
    await collectZipcode(sourceFor(server.url, { maxPages: 3 }), request());
    expect(server.requests).toHaveLength(3);
  });

  it('treats "no results" as zero listings', async () => {
    server = await startFixtureServer((_incoming, response) => sendJson(response, 200, { totalResultCount: 0 }));
    const result = await collectZipcode(sourceFor(server.url), request());
    expect(result.listings).toEqual([]);
  });

  it('stops calling once the monthly quota is used up', async () => {
    server = await startFixtureServer((_incoming, response) =>
      sendJson(response, 200, zillowPage(1, 5, [zillowProperty('19103', 1)]), {
        'x-ratelimit-requests-remaining': '0',
      }),
    );
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({ kind: 'quota' });
    expect(server.requests).toHaveLength(1);
  });

  it('fails a bad key (401/403) at once and a malformed answer as malformed', async () => {
    server = await startFixtureServer((_incoming, response) =>
      sendJson(response, 403, { message: 'You are not subscribed to this API.' }),
    );
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({ kind: 'http_403' });
    await server.close();
    server = await startFixtureServer((_incoming, response) => sendJson(response, 200, { message: 'Internal error' }));
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('Internal error'),
    });
  });

  it('retries 429 and 5xx', async () => {
    let calls = 0;
    server = await startFixtureServer((_incoming, response) => {
      calls += 1;
      if (calls === 1) return sendJson(response, 429, { message: 'Too many requests' });
      if (calls === 2) return sendJson(response, 502, { message: 'Bad gateway' });
      sendJson(response, 200, zillowPage(1, 1, [zillowProperty('19103', 1)]));
    });
    const result = await collectZipcode(sourceFor(server.url), request());
    expect(result.listings).toHaveLength(1);
    expect(calls).toBe(3);
  });
});

describe('ZillowRapidApiListingSource recently-closed listings (verification)', () => {
  const closedRequest = { ...request(), since: '2025-09-29', nowMs: Date.parse('2025-10-01T18:00:00Z') };

  it('asks for recent sales in the smallest "sold in last" covering the window, then pending homes', async () => {
    server = await startFixtureServer((incoming, response) => {
      const params = incoming.url.searchParams;
      if (params.get('status_type') === 'RecentlySold')
        return sendJson(
          response,
          200,
          zillowPage(1, 1, [
            zillowClosedProperty('19103', 1, { status: 'sold', on: '2025-09-30', soldPrice: 415_000 }),
            zillowClosedProperty('19103', 2, { status: 'sold', on: '2025-09-25' }), // before the day
          ]),
        );
      sendJson(
        response,
        200,
        zillowPage(1, 1, [zillowClosedProperty('19103', 3, { status: 'pending' }), zillowProperty('19103', 4)]),
      );
    });
    const closed: ClosedCandidate[] = [];
    for await (const page of sourceFor(server.url).fetchRecentlyClosed(closedRequest)) closed.push(...page);
    expect(closed.map((candidate) => [candidate.listing.source_url, candidate.closed])).toEqual([
      [
        'https://www.zillow.com/homedetails/201-Pine-St-Philadelphia-PA-19103/10000001_zpid/',
        { status: 'sold', closedOn: '2025-09-30', listPrice: null },
      ],
      [
        'https://www.zillow.com/homedetails/203-Pine-St-Philadelphia-PA-19103/10000003_zpid/',
        { status: 'pending', closedOn: null, listPrice: 411_500 },
      ],
    ]);
    expect(closed[0]!.listing).toMatchObject({ listing_status: 'sold', price: 415_000 });
    const [sold, pending] = server.requests.map((incoming) => Object.fromEntries(incoming.url.searchParams));
    expect(sold).toMatchObject({ location: '19103', status_type: 'RecentlySold', soldInLast: '7' });
    expect(pending).toMatchObject({
      status_type: 'ForSale',
      isPendingUnderContract: '1',
      isAcceptingBackupOffers: '1',
    });
  });

  it('rounds the window up to a choice Zillow offers', () => {
    expect([1, 2, 7, 8, 31, 400].map(zillowSoldInLast)).toEqual(['1', '7', '7', '14', '90', '90']);
  });

  it('fails on a quota or malformed answer rather than answering nothing', async () => {
    server = await startFixtureServer((_incoming, response) => sendJson(response, 200, { message: 'Invalid API key' }));
    const drain = async () => {
      for await (const page of sourceFor(server!.url).fetchRecentlyClosed(closedRequest)) void page;
    };
    await expect(drain()).rejects.toMatchObject({ kind: 'malformed' });
  });
});

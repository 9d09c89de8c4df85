import { afterEach, describe, expect, it } from 'vitest';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../client/src/testing/http-fixture-server.test-utils.js';
import {
  realtorClosedResult,
  realtorResult,
  realtorSearchPage,
  realtorSuggestion,
} from './testing/market-fixtures.test-utils.js';
import type { ClosedCandidate } from './listing-source.js';
import { collectZipcode } from './collect-zipcode.js';
import { RealtorListingSource, type RealtorSearchResult, mapRealtorResult } from './realtor-source.js';
import { testSourceHttp } from './source-test-http.test-utils.js';

const scrapedAt = new Date('2025-10-01T16:05:00.000Z');
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface SearchBody {
  query: string;
  variables: { postal_code: string; offset: number; limit: number };
}

function sourceFor(url: string, soldDays = 90) {
  return new RealtorListingSource({
    graphqlUrl: `${url}/graphql`,
    suggestUrl: `${url}/suggest`,
    soldDays,
    http: testSourceHttp('realtor'),
    now: () => scrapedAt,
  });
}

const request = (zipcode = '19103', signal = new AbortController().signal) => ({
  zipcode,
  expectedListings: 300,
  signal,
});

describe('mapRealtorResult', () => {
  it('maps a for-sale home to the listing columns', () => {
    expect(mapRealtorResult(realtorResult('19103', 1), scrapedAt)).toEqual({
      address: '101 Walnut St, Philadelphia, PA 19103',
      zipcode: '19103',
      price: 301_000,
      bedrooms: 3,
      bathrooms: 2.5,
      sqft: 1_401,
      listing_date: '2025-09-15',
      property_type: 'house',
      listing_status: 'active',
      days_on_market: 16,
      mls_id: 'PAPH191031',
      source_url: 'https://www.realtor.com/realestateandhomes-detail/101-Walnut-St_Philadelphia_PA_19103_M91',
      scraped_timestamp: '2025-10-01T16:05:00.000Z',
    });
  });

  it('prices a sold home at its sale and counts days on market up to the sale', () => {
    const sold = mapRealtorResult(
      realtorResult('19103', 2, { status: 'sold', last_sold_price: 295_000, last_sold_date: '2025-09-25' }),
      scrapedAt,
    );
    expect(sold).toMatchObject({ listing_status: 'sold', price: 295_000, days_on_market: 10 });
  });

  it.each([
    [{ city: null }, '101 Walnut St, PA 19103'],
    [{ city: '  ' }, '101 Walnut St, PA 19103'],
    [{ state_code: null }, '101 Walnut St, Philadelphia, 19103'],
    [{ postal_code: null }, '101 Walnut St, Philadelphia, PA'],
    [{ state_code: null, postal_code: '' }, '101 Walnut St, Philadelphia'],
    [{ line: ' 9 Elm St ', postal_code: 19103 }, '9 Elm St, Philadelphia, PA 19103'],
    // Types realtor.com never sends, joined as before: objects dropped, other values as text.
    [{ city: {}, state_code: true }, '101 Walnut St, true 19103'],
    [{ line: null }, null],
  ])('builds the address from the parts present: %j -> %j', (parts, expected) => {
    const result = realtorResult('19103', 1);
    const address = { ...result.location!.address!, ...parts } as NonNullable<
      RealtorSearchResult['location']
    >['address'];
    expect(mapRealtorResult({ ...result, location: { address } }, scrapedAt).address).toBe(expected);
  });

  it('stamps each listing with the instant of its own page', () => {
    const first = new Date('2025-10-01T16:05:00.000Z');
    const second = new Date('2025-10-01T16:05:01.000Z');
    expect(mapRealtorResult(realtorResult('19103', 1), first).scraped_timestamp).toBe('2025-10-01T16:05:00.000Z');
    expect(mapRealtorResult(realtorResult('19103', 2), first).scraped_timestamp).toBe('2025-10-01T16:05:00.000Z');
    expect(mapRealtorResult(realtorResult('19103', 3), second).scraped_timestamp).toBe('2025-10-01T16:05:01.000Z');
    second.setTime(first.getTime());
    expect(mapRealtorResult(realtorResult('19103', 4), second).scraped_timestamp).toBe('2025-10-01T16:05:00.000Z');
  });

  it('marks pending and contingent homes pending', () => {
    const pending = mapRealtorResult(realtorResult('19103', 3, { flags: { is_contingent: true } }), scrapedAt);
    expect(pending.listing_status).toBe('pending');
  });
});

describe('RealtorListingSource against recorded-format fixtures', () => {
  it('resolves the zipcode, pages home_search 200 at a time, then recent sales', async () => {
    const forSale = Array.from({ length: 450 }, (_, index) => realtorResult('19103', index));
    const sold = [
      realtorResult('19103', 1_000, { status: 'sold', last_sold_price: 280_000, last_sold_date: '2025-09-01' }),
    ];
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      const body = JSON.parse(incoming.body.toString()) as SearchBody;
      const results = body.query.includes('status: sold') ? sold : forSale;
      const { offset, limit } = body.variables;
      sendJson(response, 200, realtorSearchPage(results.length, results.slice(offset, offset + limit)));
    });
    const result = await collectZipcode(sourceFor(server.url), request());
    expect(result.listings).toHaveLength(451);
    expect(result.pages).toBe(4);
    const searches = server.requests.filter((incoming) => incoming.url.pathname === '/graphql');
    expect(searches.map((incoming) => (JSON.parse(incoming.body.toString()) as SearchBody).variables)).toEqual([
      { postal_code: '19103', offset: 0, limit: 200 },
      { postal_code: '19103', offset: 200, limit: 200 },
      { postal_code: '19103', offset: 400, limit: 200 },
      { postal_code: '19103', offset: 0, limit: 200 },
    ]);
    expect(server.requests[0]!.url.searchParams.get('input')).toBe('19103');
    expect(server.requests.every((incoming) => incoming.headers['user-agent'] === 'resi-test/1.0')).toBe(true);
    expect(result.listings.at(-1)).toMatchObject({ listing_status: 'sold', price: 280_000 });
  });

  it('drops homes in another zipcode and duplicates across pages, counting each', async () => {
    const results = [
      realtorResult('19103', 1),
      realtorResult('19104', 2),
      realtorResult('19103', 1),
      realtorResult('19103', 3, { list_price: null }),
    ];
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      sendJson(response, 200, realtorSearchPage(results.length, results));
    });
    const result = await collectZipcode(sourceFor(server.url, 0), request());
    expect(result.listings.map((listing) => listing.mls_id)).toEqual(['PAPH191031']);
    expect(result.rejects).toEqual({ zipcode_not_assigned: 1, 'missing_field:price': 1 });
    expect(result.duplicates).toBe(1);
  });

  it('finds nothing, without searching, for a zipcode realtor.com does not know', async () => {
    server = await startFixtureServer((_incoming, response) => sendJson(response, 200, { autocomplete: [] }));
    const result = await collectZipcode(sourceFor(server.url), request('09001'));
    expect(result.listings).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('returns an empty search as zero listings', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      sendJson(response, 200, realtorSearchPage(0, []));
    });
    const result = await collectZipcode(sourceFor(server.url), request());
    expect(result.listings).toEqual([]);
    expect(result.pages).toBe(2);
  });

  it('gives up at once when blocked (403), saying so', async () => {
    server = await startFixtureServer((_incoming, response) => sendJson(response, 403, { error: 'Forbidden' }));
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({
      kind: 'http_403',
      message: expect.stringContaining('blocked'),
    });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 after its Retry-After and carries on', async () => {
    let throttled = false;
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      if (!throttled) {
        throttled = true;
        return sendJson(response, 429, { error: 'Too Many Requests' }, { 'retry-after': '0' });
      }
      sendJson(response, 200, realtorSearchPage(1, [realtorResult('19103', 1)]));
    });
    const result = await collectZipcode(sourceFor(server.url, 0), request());
    expect(result.listings).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('reports a malformed answer (GraphQL errors, no data) as malformed', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      sendJson(response, 200, { errors: [{ message: 'Cannot query field "home_search"' }], data: null });
    });
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('Cannot query field'),
    });
  });

  it('stops paging at the deadline and keeps what it has', async () => {
    const controller = new AbortController();
    const results = Array.from({ length: 600 }, (_, index) => realtorResult('19103', index));
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      const { offset } = (JSON.parse(incoming.body.toString()) as SearchBody).variables;
      if (offset > 0) controller.abort(new Error('deadline'));
      sendJson(response, 200, realtorSearchPage(results.length, results.slice(offset, offset + 200)));
    });
    const result = await collectZipcode(sourceFor(server.url), request('19103', controller.signal));
    expect(result.cutShort).toBe(true);
    expect(result.listings.length).toBeGreaterThanOrEqual(200);
    expect(result.listings.length).toBeLessThan(600);
  });
});

describe('RealtorListingSource recently-closed listings (verification)', () => {
  const closedRequest = (since = '2025-09-29') => ({
    ...request(),
    since,
    nowMs: Date.parse('2025-10-01T18:00:00Z'),
  });

  it('asks for homes sold since the day, then homes taken off the market, with how and when each closed', async () => {
    const sold = [
      realtorClosedResult('19103', 1, { status: 'sold', on: '2025-09-30', soldPrice: 305_000 }),
      // realtor.com's sold_date filter answered loosely: a sale before the day is no recent closing.
      realtorClosedResult('19103', 2, { status: 'sold', on: '2025-09-10' }),
    ];
    const offMarket = [
      realtorClosedResult('19103', 3, { status: 'off_market', on: '2025-09-30' }),
      realtorResult('19103', 4), // still for sale: no evidence of a closing
      realtorClosedResult('19103', 5, { status: 'off_market', on: '2025-08-01' }),
    ];
    const queries: string[] = [];
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      const body = JSON.parse(incoming.body.toString()) as SearchBody;
      queries.push(body.query);
      const results = body.query.includes('status: sold') ? sold : offMarket;
      sendJson(response, 200, realtorSearchPage(results.length, results));
    });
    const pages: ClosedCandidate[][] = [];
    for await (const page of sourceFor(server.url).fetchRecentlyClosed(closedRequest())) pages.push(page);
    const closed = pages.flat();
    expect(closed.map((candidate) => [candidate.listing.mls_id, candidate.closed])).toEqual([
      ['PAPH191031', { status: 'sold', closedOn: '2025-09-30', listPrice: 301_000 }],
      ['PAPH191033', { status: 'off_market', closedOn: '2025-09-30', listPrice: 303_000 }],
    ]);
    expect(closed[0]!.listing).toMatchObject({ listing_status: 'sold', price: 305_000 });
    expect(queries[0]).toContain('sold_date: { min: "2025-09-29" }');
    expect(queries[0]).toContain('sort: [{ field: sold_date, direction: desc }]');
    expect(queries[1]).toContain('status: off_market');
    expect(queries[1]).toContain('sort: [{ field: last_update_date, direction: desc }]');
    expect(queries[1]).toContain('last_status_change_date');
  });

  it('stops paging off-market homes once their last update is older than the day', async () => {
    const offMarket = Array.from({ length: 600 }, (_, index) =>
      realtorClosedResult('19103', index, { status: 'off_market', on: index < 150 ? '2025-09-30' : '2025-07-01' }),
    );
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      const body = JSON.parse(incoming.body.toString()) as SearchBody;
      const results = body.query.includes('status: sold') ? [] : offMarket;
      const { offset, limit } = body.variables;
      sendJson(response, 200, realtorSearchPage(results.length, results.slice(offset, offset + limit)));
    });
    let count = 0;
    for await (const page of sourceFor(server.url).fetchRecentlyClosed(closedRequest())) count += page.length;
    expect(count).toBe(150);
    // suggest, one sold page, one off-market page: the second off-market page is never asked for.
    expect(server.requests).toHaveLength(3);
  });

  it('keeps no undated off-market home, and stops paging at a page without any status change since the day', async () => {
    const withoutDates = Array.from({ length: 600 }, (_, index) => ({
      ...realtorResult('19103', index, { status: 'off_market' }),
      last_update_date: null,
    }));
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      const body = JSON.parse(incoming.body.toString()) as SearchBody;
      const results = body.query.includes('status: sold') ? [] : withoutDates;
      const { offset, limit } = body.variables;
      sendJson(response, 200, realtorSearchPage(results.length, results.slice(offset, offset + limit)));
    });
    let count = 0;
    for await (const page of sourceFor(server.url).fetchRecentlyClosed(closedRequest())) count += page.length;
    // An off-market home without the day it left proves no recent closing; one page of them ends the search.
    expect(count).toBe(0);
    expect(server.requests).toHaveLength(3);
  });

  it('fails loudly when the site answers malformed, so the feed has no verdict instead of an empty answer', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
      sendJson(response, 200, { errors: [{ message: 'Unknown field sold_date' }], data: null });
    });
    const drain = async () => {
      for await (const page of sourceFor(server!.url).fetchRecentlyClosed(closedRequest())) void page;
    };
    await expect(drain()).rejects.toMatchObject({ kind: 'malformed' });
  });
});

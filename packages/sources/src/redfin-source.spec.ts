import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../../client/src/testing/http-fixture-server.test-utils.js';
import {
  REDFIN_CSV_HEADER,
  REDFIN_MLS_DISCLAIMER,
  redfinAutocomplete,
  redfinRow,
} from './testing/market-fixtures.test-utils.js';
import { collectZipcode } from './collect-zipcode.js';
import type { ClosedCandidate } from './listing-source.js';
import { REDFIN_UNDER_CONTRACT_STATUS, RedfinListingSource, mapRedfinRow, parseRedfinCsv } from './redfin-source.js';
import { testSourceHttp } from './source-test-http.test-utils.js';

const scrapedAt = new Date('2025-10-01T16:05:00.000Z');
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const csvOf = (...rows: string[]) => [REDFIN_CSV_HEADER, REDFIN_MLS_DISCLAIMER, ...rows].join('\n') + '\n';
const request = (zipcode = '19103') => ({ zipcode, expectedListings: 100, signal: new AbortController().signal });

function sourceFor(url: string, soldDays = 90) {
  return new RedfinListingSource({ baseUrl: url, soldDays, http: testSourceHttp('redfin'), now: () => scrapedAt });
}

function send(response: ServerResponse, status: number, body: string, type = 'text/csv') {
  response.writeHead(status, { 'content-type': type });
  response.end(body);
}

describe('parseRedfinCsv and mapRedfinRow', () => {
  it('skips the MLS disclaimer row and maps a listing', () => {
    const rows = parseRedfinCsv(csvOf(redfinRow('19103', 1)));
    expect(rows).toHaveLength(1);
    expect(mapRedfinRow(rows[0]!, scrapedAt)).toEqual({
      address: '301 Spruce St, Philadelphia, PA 19103',
      zipcode: '19103',
      price: 520_100,
      bedrooms: 3,
      bathrooms: 2.5,
      sqft: 1_601,
      listing_date: '2025-09-10',
      property_type: 'townhouse',
      listing_status: 'active',
      days_on_market: 21,
      mls_id: 'PAPH80001',
      source_url: 'https://www.redfin.com/PA/Philadelphia/301-Spruce-St-19103/home/70001',
      scraped_timestamp: '2025-10-01T16:05:00.000Z',
    });
  });

  it('dates a past sale back from its sale date', () => {
    const [row] = parseRedfinCsv(csvOf(redfinRow('19103', 2, { sold: true })));
    expect(mapRedfinRow(row!, scrapedAt)).toMatchObject({ listing_status: 'sold', listing_date: '2025-08-30' });
  });

  it('refuses a page that is not the CSV (a block page)', () => {
    expect(() => parseRedfinCsv('<html><body>Access denied</body></html>')).toThrow('not Redfin CSV');
  });
});

describe('RedfinListingSource against recorded-format fixtures', () => {
  it('resolves the ZIP region, downloads for-sale and sold CSVs, and keeps only the assigned zipcode', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/stingray/do/location-autocomplete') {
        return send(response, 200, redfinAutocomplete('19103', 31_234), 'application/json');
      }
      if (incoming.url.searchParams.has('sold_within_days'))
        return send(response, 200, csvOf(redfinRow('19103', 9, { sold: true })));
      send(
        response,
        200,
        csvOf(
          redfinRow('19103', 1),
          redfinRow('19103', 2),
          redfinRow('19103', 3, { zip: '19104' }),
          redfinRow('19103', 1),
        ),
      );
    });
    const result = await collectZipcode(sourceFor(server.url), request());
    expect(result.listings.map((listing) => listing.mls_id)).toEqual(['PAPH80001', 'PAPH80002', 'PAPH80009']);
    expect(result.rejects).toEqual({ zipcode_not_assigned: 1 });
    expect(result.duplicates).toBe(1);
    const download = server.requests[1]!.url;
    expect(download.pathname).toBe('/stingray/api/gis-csv');
    expect(Object.fromEntries(download.searchParams)).toMatchObject({
      region_id: '31234',
      region_type: '2',
      status: '9',
    });
    expect(server.requests[2]!.url.searchParams.get('sold_within_days')).toBe('90');
  });

  it('finds nothing for a ZIP Redfin has no region for', async () => {
    server = await startFixtureServer((_incoming, response) =>
      send(response, 200, `{}&&${JSON.stringify({ payload: { sections: [] } })}`, 'application/json'),
    );
    const result = await collectZipcode(sourceFor(server.url), request('09001'));
    expect(result.listings).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('reads an empty download (header and disclaimer only) as zero listings', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname.includes('autocomplete'))
        return send(response, 200, redfinAutocomplete('19103', 1), 'application/json');
      send(response, 200, csvOf());
    });
    expect((await collectZipcode(sourceFor(server.url, 0), request())).listings).toEqual([]);
  });

  it('reports a block (403) and a captcha page (malformed) distinctly', async () => {
    server = await startFixtureServer((_incoming, response) => send(response, 403, 'Forbidden', 'text/plain'));
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({ kind: 'http_403' });
    await server.close();
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname.includes('autocomplete'))
        return send(response, 200, redfinAutocomplete('19103', 1), 'application/json');
      send(response, 200, '<html>Please verify you are a human</html>', 'text/html');
    });
    await expect(collectZipcode(sourceFor(server.url), request())).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('retries a 429 then succeeds', async () => {
    let throttled = false;
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname.includes('autocomplete'))
        return send(response, 200, redfinAutocomplete('19103', 1), 'application/json');
      if (!throttled) {
        throttled = true;
        response.writeHead(429, { 'retry-after': '0' });
        response.end();
        return;
      }
      send(response, 200, csvOf(redfinRow('19103', 1)));
    });
    expect((await collectZipcode(sourceFor(server.url, 0), request())).listings).toHaveLength(1);
  });
});

describe('RedfinListingSource recently-closed listings (verification)', () => {
  const closedRequest = { ...request(), since: '2025-09-29', nowMs: Date.parse('2025-10-01T18:00:00Z') };

  it('downloads the sales within the window and the homes under contract, with how each closed', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/stingray/do/location-autocomplete')
        return send(response, 200, redfinAutocomplete('19103', 31_234), 'application/json');
      if (incoming.url.searchParams.has('sold_within_days'))
        return send(
          response,
          200,
          csvOf(
            redfinRow('19103', 1, { sold: true, soldOn: 'September-30-2025' }),
            redfinRow('19103', 2, { sold: true, soldOn: 'September-1-2025' }), // before the day
          ),
        );
      send(response, 200, csvOf(redfinRow('19103', 3, { status: 'Pending' }), redfinRow('19103', 4)));
    });
    const closed: ClosedCandidate[] = [];
    for await (const page of sourceFor(server.url).fetchRecentlyClosed(closedRequest)) closed.push(...page);
    expect(
      closed.map((candidate) => [candidate.listing.mls_id, candidate.listing.listing_status, candidate.closed]),
    ).toEqual([
      ['PAPH80001', 'sold', { status: 'sold', closedOn: '2025-09-30', listPrice: null }],
      ['PAPH80003', 'pending', { status: 'pending', closedOn: null, listPrice: 520_300 }],
    ]);
    const [sold, underContract] = server.requests
      .slice(1)
      .map((incoming) => Object.fromEntries(incoming.url.searchParams));
    expect(sold).toMatchObject({ region_id: '31234', sold_within_days: '3' });
    expect(underContract).toMatchObject({ region_id: '31234', status: REDFIN_UNDER_CONTRACT_STATUS });
  });

  it('fails on a block page rather than answering nothing', async () => {
    server = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/stingray/do/location-autocomplete')
        return send(response, 200, redfinAutocomplete('19103', 31_234), 'application/json');
      send(response, 200, '<html>Access denied</html>', 'text/html');
    });
    const drain = async () => {
      for await (const page of sourceFor(server!.url).fetchRecentlyClosed(closedRequest)) void page;
    };
    await expect(drain()).rejects.toMatchObject({ kind: 'malformed' });
  });
});

import { loadZipcodeCatalogue } from '@resi/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../../../packages/client/src/testing/http-fixture-server.test-utils.js';
import { type MarketSimulator, startMarketSimulator } from '../devnet/market-simulator.js';
import { runSourcesCheck } from './sources.js';

const catalogue = loadZipcodeCatalogue();
/** A populated zipcode of the catalogue the simulator serves. */
const ZIPCODE = catalogue.zipcodes.find(
  (zipcode) => !zipcode.honeypotCandidate && zipcode.expectedListings > 50,
)!.zipcode;

function capture() {
  const lines: string[] = [];
  return { lines, out: { log: (text: string) => lines.push(text), error: (text: string) => lines.push(text) } };
}

describe('resi sources check', () => {
  let market: MarketSimulator;
  let blocked: FixtureServer;
  let limited: FixtureServer;
  let changed: FixtureServer;

  beforeAll(async () => {
    market = await startMarketSimulator({ lookup: (zipcode) => catalogue.get(zipcode) });
    blocked = await startFixtureServer((_request, response) => sendJson(response, 403, { message: 'Forbidden' }));
    limited = await startFixtureServer((_request, response) =>
      sendJson(response, 429, { message: 'Too Many Requests' }, { 'retry-after': '600' }),
    );
    changed = await startFixtureServer((request, response) =>
      request.url.pathname === '/suggest'
        ? sendJson(response, 200, { autocomplete: [{ area_type: 'postal_code', postal_code: ZIPCODE }] })
        : sendJson(response, 200, { data: { property_search: { homes: [] } } }),
    );
  });

  afterAll(async () => {
    await Promise.all([market?.close(), blocked?.close(), limited?.close(), changed?.close()]);
  });

  it("reports the devnet market simulator's listings and exits 0", async () => {
    const { lines, out } = capture();
    const code = await runSourcesCheck({ source: 'realtor', zipcode: ZIPCODE, 'base-url': market.url }, out, {});
    expect(code).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^ok realtor ${ZIPCODE}: ok \\(2 requests, \\d+ ms\\)`));
    expect(lines[0]).toMatch(/valid listings for \d{5} in the first page/);
    expect(lines[0]).toContain('first listing: {"address"');
  });

  it.each([
    ['blocked (403)', () => blocked.url, /^FAILED realtor \d{5}: blocked \(1 request/, /use --source.proxy/],
    [
      'rate-limited (429), not waited out',
      () => limited.url,
      /^FAILED realtor \d{5}: rate_limited \(1 request/,
      /lower --source.rpm/,
    ],
    ['changed shape', () => changed.url, /^FAILED realtor \d{5}: changed_shape/, /site may have changed/],
    ['unreachable', () => 'http://127.0.0.1:9', /^FAILED realtor \d{5}: unreachable/, /check the URL/],
  ])('says why a source failed: %s, and exits 1', async (_label, url, first, advice) => {
    const { lines, out } = capture();
    const code = await runSourcesCheck({ source: 'realtor', zipcode: ZIPCODE, 'base-url': url() }, out, {});
    expect(code).toBe(1);
    expect(lines[0]).toMatch(first);
    expect(lines[0]).toMatch(advice);
  });

  it('prints JSON for scripts (and resi doctor), and refuses bad options with exit 2', async () => {
    const json = capture();
    expect(await runSourcesCheck({ zipcode: ZIPCODE, 'base-url': blocked.url, json: true }, json.out, {})).toBe(1);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ ok: false, source: 'realtor', outcome: 'blocked', requests: 1 });
    const bad = capture();
    expect(await runSourcesCheck({ source: 'zillow-rapidapi', zipcode: '123' }, bad.out, {})).toBe(2);
    expect(bad.lines[0]).toContain('--zipcode: must be five digits');
  });
});

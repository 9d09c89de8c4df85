import {
  type Listing,
  type MinerAuditSummary,
  type RowVerdict,
  type ZipcodeAudit,
  summariseMinerAudit,
  validateListing,
} from '@resi/core';
import {
  type ListingSource,
  SourceFeeds,
  collectZipcode,
  createListingSource,
  describeFeedProgress,
} from '@resi/sources';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../../../packages/client/src/testing/http-fixture-server.test-utils.js';
import {
  realtorClosedResult,
  realtorResult,
  realtorSearchPage,
  realtorSuggestion,
  zillowClosedProperty,
  zillowPage,
  zillowProperty,
} from '../../../../packages/sources/src/testing/market-fixtures.test-utils.js';
import { parseValidatorConfig } from '../config/validator-config.js';
import { verifyAuditRows } from './verify-audit.js';

const ZIPCODES = ['19103', '19104'];
const HOMES_PER_SITE = 30;

interface SearchBody {
  variables: { postal_code: string; offset: number; limit: number };
}

let servers: FixtureServer[] = [];
let feeds: SourceFeeds | undefined;
afterEach(async () => {
  await feeds?.close();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  feeds = undefined;
});

/** realtor.com's GraphQL and suggest endpoints, serving HOMES_PER_SITE homes in each zipcode. */
async function realtorSite(): Promise<FixtureServer> {
  const server = await startFixtureServer((incoming, response) => {
    if (incoming.url.pathname === '/suggest') {
      return sendJson(response, 200, realtorSuggestion(incoming.url.searchParams.get('input') ?? ''));
    }
    const { variables } = JSON.parse(incoming.body.toString()) as SearchBody;
    const homes = Array.from({ length: HOMES_PER_SITE }, (_, i) => realtorResult(variables.postal_code, i));
    sendJson(
      response,
      200,
      realtorSearchPage(homes.length, homes.slice(variables.offset, variables.offset + variables.limit)),
    );
  });
  servers.push(server);
  return server;
}

/** RapidAPI's Zillow `propertyExtendedSearch`, HOMES_PER_SITE homes a zipcode, in one page. */
async function zillowSite(): Promise<FixtureServer> {
  const server = await startFixtureServer((incoming, response) => {
    const zipcode = incoming.url.searchParams.get('location') ?? '';
    if (incoming.url.searchParams.get('status_type') !== 'ForSale')
      return sendJson(response, 200, zillowPage(1, 1, []));
    sendJson(
      response,
      200,
      zillowPage(
        1,
        1,
        Array.from({ length: HOMES_PER_SITE }, (_, i) => zillowProperty(zipcode, i)),
      ),
    );
  });
  servers.push(server);
  return server;
}

/** What an honest miner scraping `source` uploads for the zipcodes. */
async function scrape(source: ListingSource): Promise<Listing[]> {
  const listings: Listing[] = [];
  for (const zipcode of ZIPCODES) {
    const collection = await collectZipcode(source, {
      zipcode,
      expectedListings: 100,
      signal: new AbortController().signal,
    });
    listings.push(...collection.listings);
  }
  return listings;
}

function validatorWith(realtor: FixtureServer, zillow: FixtureServer) {
  return parseValidatorConfig(
    {
      source: 'realtor,zillow-rapidapi',
      'realtor.url': `${realtor.url}/graphql`,
      'realtor.suggest-url': `${realtor.url}/suggest`,
      'zillow.url': zillow.url,
      'zillow.key': 'test-key',
      'source.rpm': '0',
    },
    {},
  );
}

describe('the audit routed by source', () => {
  it('verifies a mixed epoch from realtor and zillow-rapidapi miners without a false "not found"', async () => {
    const [realtor, zillow] = [await realtorSite(), await zillowSite()];
    const config = validatorWith(realtor, zillow);
    // Miners scrape with the same adapters the validator enables: one miner on each site.
    const realtorRows = await scrape(createListingSource(config.verification.sources[0]!));
    const zillowRows = await scrape(createListingSource(config.verification.sources[1]!));
    const requestsWhileMining = realtor.requests.length + zillow.requests.length;

    const progress: string[] = [];
    const epochFeeds = SourceFeeds.fromConfigs(config.verification.sources, {
      onProgress: (state) => progress.push(describeFeedProgress(state)),
    });
    feeds = epochFeeds;
    epochFeeds.startEpoch();
    const redfinRow = validateListing({
      ...realtorRows[0]!,
      source_url: 'https://www.redfin.com/PA/Philadelphia/1-Elm-St-19103/home/1',
      mls_id: null,
    });
    const fabricated = validateListing({
      ...zillowRows[0]!,
      source_url: 'https://www.zillow.com/homedetails/1-Nowhere-St/99999999_zpid/',
      mls_id: null,
    });
    if (!redfinRow.ok || !fabricated.ok) throw new Error('crafted rows must be valid');
    const epoch = { realtorMiner: realtorRows, zillowMiner: zillowRows, mixedMiner: [...realtorRows, ...zillowRows] };
    let fingerprint = 0n;
    const rows = Object.entries(epoch).flatMap(([miner, listings]) =>
      listings.map((listing) => ({ miner, row: { fingerprint: fingerprint++, listing } })),
    );
    const redfin = { fingerprint: fingerprint++, listing: redfinRow.listing };
    const invented = { fingerprint: fingerprint++, listing: fabricated.listing };
    const { verdicts } = await verifyAuditRows([...rows.map((entry) => entry.row), redfin, invented], epochFeeds, {
      concurrency: 4,
      auditSeed: 'ab'.repeat(32),
    });

    expect(realtorRows).toHaveLength(HOMES_PER_SITE * ZIPCODES.length);
    expect(zillowRows).toHaveLength(HOMES_PER_SITE * ZIPCODES.length);
    for (const { miner, row } of rows) expect(verdicts.get(row.fingerprint), miner).toBe('verified');
    // A subnet site this validator did not enable has no verdict; an invented home on an enabled site is absent.
    expect(verdicts.get(redfin.fingerprint)).toBe('source_unsupported');
    expect(verdicts.get(invented.fingerprint)).toBe('not_found');

    // One fetch per (source, zipcode) for the whole epoch, however many miners' rows were checked:
    // realtor asks the suggest service, one search page for sale and one of homes sold in the last
    // 90 days per zipcode (the coverage every validator verifies), then the suggest service, the
    // sold and the off-market searches for the recently-closed part; zillow one page per zipcode
    // for sale and one recently sold, then one recently sold and one pending.
    const requestsWhileVerifying = realtor.requests.length + zillow.requests.length - requestsWhileMining;
    expect(requestsWhileVerifying).toBe(ZIPCODES.length * 6 + ZIPCODES.length * 4);
    expect(epochFeeds.progress()).toMatchObject({
      requests: { realtor: 12, 'zillow-rapidapi': 8 },
      feedsFetched: 4,
      feedsUnavailable: 0,
    });
    expect(progress.at(-1)).toMatch(/^feeds 4 fetched, 0 unavailable, 0 pending; requests 20\/4000/);
  });
});

/**
 * A live market over both sites: HOMES_PER_SITE homes a zipcode on each, of which the first
 * CLOSING (10%) leave the market after the miners scraped and before the audit: on realtor.com
 * two sell (at a price other than the asking one) and one is withdrawn; on Zillow two sell and one
 * goes pending. The sites then answer their for-sale searches without them and their recently
 * closed searches with them, in the shapes of market-fixtures.test-utils.ts.
 */
const CLOSING = 3;

class ClosingMarket {
  closed = false;
  /** Makes the realtor.com recently-closed searches fail (a GraphQL error). */
  realtorClosedFails = false;
  readonly today = new Date().toISOString().slice(0, 10);

  realtorAnswer(query: string, variables: SearchBody['variables']): unknown {
    const zipcode = variables.postal_code;
    const homes = Array.from({ length: HOMES_PER_SITE }, (_, i) => i);
    if (query.includes('ZipcodeClosedSearch')) {
      if (this.realtorClosedFails) return { errors: [{ message: 'Internal server error' }], data: null };
      const closing = this.closed ? homes.slice(0, CLOSING) : [];
      const results = query.includes('status: sold')
        ? closing
            .filter((i) => i !== 1)
            .map((i) => realtorClosedResult(zipcode, i, { status: 'sold', on: this.today, soldPrice: 330_000 + i }))
        : closing
            .filter((i) => i === 1)
            .map((i) => realtorClosedResult(zipcode, i, { status: 'off_market', on: this.today }));
      return realtorSearchPage(results.length, results);
    }
    const open = homes.filter((i) => !this.closed || i >= CLOSING).map((i) => realtorResult(zipcode, i));
    return realtorSearchPage(open.length, open.slice(variables.offset, variables.offset + variables.limit));
  }

  zillowAnswer(params: URLSearchParams): unknown {
    const zipcode = params.get('location') ?? '';
    const homes = Array.from({ length: HOMES_PER_SITE }, (_, i) => i);
    const closing = this.closed ? homes.slice(0, CLOSING) : [];
    if (params.get('status_type') === 'RecentlySold')
      return zillowPage(
        1,
        1,
        closing.filter((i) => i !== 1).map((i) => zillowClosedProperty(zipcode, i, { status: 'sold', on: this.today })),
      );
    if (params.get('isPendingUnderContract') === '1')
      // Zillow's pending filter adds the pending homes to those for sale.
      return zillowPage(1, 1, [
        ...closing.filter((i) => i === 1).map((i) => zillowClosedProperty(zipcode, i, { status: 'pending' })),
        ...homes.filter((i) => i >= CLOSING).map((i) => zillowProperty(zipcode, i)),
      ]);
    if (params.get('status_type') !== 'ForSale') return zillowPage(1, 1, []);
    return zillowPage(
      1,
      1,
      homes.filter((i) => !this.closed || i >= CLOSING).map((i) => zillowProperty(zipcode, i)),
    );
  }

  async sites(): Promise<[FixtureServer, FixtureServer]> {
    const realtor = await startFixtureServer((incoming, response) => {
      if (incoming.url.pathname === '/suggest')
        return sendJson(response, 200, realtorSuggestion(incoming.url.searchParams.get('input') ?? ''));
      const { query, variables } = JSON.parse(incoming.body.toString()) as SearchBody & { query: string };
      sendJson(response, 200, this.realtorAnswer(query, variables));
    });
    const zillow = await startFixtureServer((incoming, response) =>
      sendJson(response, 200, this.zillowAnswer(incoming.url.searchParams)),
    );
    servers.push(realtor, zillow);
    return [realtor, zillow];
  }
}

/** Each miner's audit as core concludes it from the verdicts of its rows, zipcode by zipcode. */
function auditsOf(
  miners: Record<string, Listing[]>,
  verdicts: ReadonlyMap<bigint, RowVerdict>,
  fingerprints: ReadonlyMap<string, bigint[]>,
): Record<string, MinerAuditSummary> {
  const summaries: Record<string, MinerAuditSummary> = {};
  for (const [miner, listings] of Object.entries(miners)) {
    const byZipcode = new Map<string, ZipcodeAudit>();
    listings.forEach((listing, index) => {
      const verdict = verdicts.get(fingerprints.get(miner)![index]!)!;
      const audit = byZipcode.get(listing.zipcode) ?? {
        zipcode: listing.zipcode,
        rows: 0,
        verified: 0,
        mismatched: 0,
        notFound: 0,
        noVerdict: {},
      };
      byZipcode.set(listing.zipcode, {
        ...audit,
        rows: audit.rows + 1,
        verified: audit.verified + (verdict === 'verified' ? 1 : 0),
        mismatched: audit.mismatched + (verdict === 'mismatched' ? 1 : 0),
        notFound: audit.notFound + (verdict === 'not_found' ? 1 : 0),
        noVerdict:
          verdict === 'verified' || verdict === 'mismatched' || verdict === 'not_found'
            ? audit.noVerdict
            : { ...audit.noVerdict, [verdict]: (audit.noVerdict[verdict] ?? 0) + 1 },
      });
    });
    summaries[miner] = summariseMinerAudit([...byZipcode.values()]);
  }
  return summaries;
}

/** Verifies every miner's rows (distinct fingerprints) against `feeds`, as the pipeline does. */
async function audit(miners: Record<string, Listing[]>, epochFeeds: SourceFeeds) {
  let next = 0n;
  const fingerprints = new Map<string, bigint[]>();
  const rows: { fingerprint: bigint; listing: Listing }[] = [];
  for (const [miner, listings] of Object.entries(miners)) {
    const own = listings.map((listing) => {
      const fingerprint = next++;
      rows.push({ fingerprint, listing });
      return fingerprint;
    });
    fingerprints.set(miner, own);
  }
  const verification = await verifyAuditRows(rows, epochFeeds, { concurrency: 4, auditSeed: 'ab'.repeat(32) });
  return { ...verification, audits: auditsOf(miners, verification.verdicts, fingerprints) };
}

describe('the audit of listings that closed during the epoch', () => {
  async function epochWithClosings(options: { realtorClosedFails?: boolean } = {}) {
    const market = new ClosingMarket();
    const [realtor, zillow] = await market.sites();
    const config = validatorWith(realtor, zillow);
    const honestRealtor = await scrape(createListingSource(config.verification.sources[0]!));
    const honestZillow = await scrape(createListingSource(config.verification.sources[1]!));
    // A fabricator: the real realtor.com homes plus 10% invented ones in each zipcode.
    const invented = honestRealtor
      .filter((listing) => Number(listing.mls_id!.slice(-2)) % 10 === 5)
      .map((listing, index) => ({
        ...listing,
        address: `${900 + index} Invented Ave, Philadelphia, PA ${listing.zipcode}`,
        mls_id: `INVENTED${index}`,
        source_url: `https://www.realtor.com/realestateandhomes-detail/${900 + index}-Invented-Ave_M8${index}`,
      }));
    // Between the scrape and the audit, 10% of the homes leave the market.
    market.closed = true;
    market.realtorClosedFails = options.realtorClosedFails ?? false;
    feeds = SourceFeeds.fromConfigs(config.verification.sources);
    feeds.startEpoch({ startMs: Date.now() - 3 * 3_600_000 });
    const miners = { honestRealtor, honestZillow, fabricator: [...honestRealtor, ...invented] };
    return { ...(await audit(miners, feeds)), miners, feeds };
  }

  it('verifies an honest miner whose rows include 10% listings that closed since, and still catches a fabricator', async () => {
    const { audits, miners, feeds: epochFeeds } = await epochWithClosings();
    const rows = HOMES_PER_SITE * ZIPCODES.length;
    expect(miners.honestRealtor).toHaveLength(rows);
    // Every row verified: the sold (compared at its asking price), the withdrawn and the pending ones too.
    expect(audits.honestRealtor).toMatchObject({ outcome: 'passed', verified: rows, notFound: 0, mismatched: 0 });
    expect(audits.honestZillow).toMatchObject({ outcome: 'passed', verified: rows, notFound: 0, mismatched: 0 });
    // The invented 10% are still not found, far above the delisting tolerance.
    expect(audits.fabricator).toMatchObject({ outcome: 'fabricated', verified: rows, notFound: 6, fabricated: 6 });
    expect(audits.fabricator!.fabricatedZipcodes).toEqual([
      { zipcode: '19103', notFound: 3 },
      { zipcode: '19104', notFound: 3 },
    ]);
    // The recently-closed part is fetched once per (source, zipcode) and counted in the budget.
    expect(epochFeeds.progress()).toMatchObject({
      requests: { realtor: ZIPCODES.length * 6, 'zillow-rapidapi': ZIPCODES.length * 4 },
      feedsFetched: 4,
    });
  });

  it('gives no verdict to rows missing from the homes for sale when the recently-closed part fails', async () => {
    const { audits, verdicts, feeds: epochFeeds } = await epochWithClosings({ realtorClosedFails: true });
    const rows = HOMES_PER_SITE * ZIPCODES.length;
    // The closed realtor.com homes cannot be looked up: no verdict, never "not found".
    expect(audits.honestRealtor).toMatchObject({
      outcome: 'passed',
      verified: rows - CLOSING * ZIPCODES.length,
      notFound: 0,
      noVerdict: { source_unavailable: CLOSING * ZIPCODES.length },
    });
    // Nor can the invented ones, this epoch: a fault of ours proves nothing either way.
    expect(audits.fabricator).toMatchObject({ outcome: 'passed', notFound: 0 });
    expect(audits.honestZillow).toMatchObject({ outcome: 'passed', verified: rows });
    expect([...verdicts.values()].filter((verdict) => verdict === 'not_found')).toEqual([]);
    expect(epochFeeds.progress()).toMatchObject({ feedsFetched: 4, feedsUnavailable: 0 });
  });
});

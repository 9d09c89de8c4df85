import { type Listing, validateListing } from '@resi/core';
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
  realtorResult,
  realtorSearchPage,
  realtorSuggestion,
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
      'realtor.sold-days': '0',
      'zillow.url': zillow.url,
      'zillow.key': 'test-key',
      'zillow.status-types': 'ForSale',
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
    });

    expect(realtorRows).toHaveLength(HOMES_PER_SITE * ZIPCODES.length);
    expect(zillowRows).toHaveLength(HOMES_PER_SITE * ZIPCODES.length);
    for (const { miner, row } of rows) expect(verdicts.get(row.fingerprint), miner).toBe('verified');
    // A subnet site this validator did not enable has no verdict; an invented home on an enabled site is absent.
    expect(verdicts.get(redfin.fingerprint)).toBe('source_unsupported');
    expect(verdicts.get(invented.fingerprint)).toBe('not_found');

    // One fetch per (source, zipcode) for the whole epoch, however many miners' rows were checked:
    // realtor asks the suggest service and one search page per zipcode, zillow one page per zipcode.
    const requestsWhileVerifying = realtor.requests.length + zillow.requests.length - requestsWhileMining;
    expect(requestsWhileVerifying).toBe(ZIPCODES.length * 2 + ZIPCODES.length);
    expect(epochFeeds.progress()).toMatchObject({
      requests: { realtor: 4, 'zillow-rapidapi': 2 },
      feedsFetched: 4,
      feedsUnavailable: 0,
    });
    expect(progress.at(-1)).toMatch(/^feeds 4 fetched, 0 unavailable, 0 pending; requests 6\/4000/);
  });
});

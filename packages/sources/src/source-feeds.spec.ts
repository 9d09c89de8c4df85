import { recentlyClosedSince } from '@resi/core';
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
import { type SourceConfig, SOURCE_SCHEMA_SHAPE, sourceConfigOf } from './source-config.js';
import { SourceFeeds } from './source-feeds.js';
import { z } from 'zod';

let server: FixtureServer | undefined;
let feeds: SourceFeeds | undefined;
afterEach(async () => {
  await feeds?.close();
  await server?.close();
  feeds = undefined;
  server = undefined;
});

/** The realtor source against `url`, collecting homes for sale only, with no rate limit. */
function realtorAt(url: string): SourceConfig {
  const parsed = sourceConfigOf(
    z.object(SOURCE_SCHEMA_SHAPE).parse({
      source: 'realtor',
      'realtor.url': `${url}/graphql`,
      'realtor.suggest-url': `${url}/suggest`,
      'realtor.sold-days': '0',
      'source.rpm': '0',
    }),
  );
  if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

const EPOCH_START_MS = Date.parse('2025-10-01T12:00:00Z');

/** realtor.com as a fixture: 3 homes for sale, 1 sold and 1 withdrawn since the epoch began; `closedFails` breaks the closed searches. */
async function realtorSite(options: { closedFails?: boolean } = {}) {
  const queries: string[] = [];
  server = await startFixtureServer((incoming, response) => {
    if (incoming.url.pathname === '/suggest') return sendJson(response, 200, realtorSuggestion('19103'));
    const { query } = JSON.parse(incoming.body.toString()) as { query: string };
    queries.push(query);
    if (query.includes('ZipcodeClosedSearch') && options.closedFails)
      return sendJson(response, 200, { errors: [{ message: 'Internal server error' }], data: null });
    const results = query.includes('status: sold')
      ? [realtorClosedResult('19103', 7, { status: 'sold', on: '2025-10-01' })]
      : query.includes('status: off_market')
        ? [realtorClosedResult('19103', 8, { status: 'off_market', on: '2025-10-01' })]
        : [1, 2, 3].map((index) => realtorResult('19103', index));
    sendJson(response, 200, realtorSearchPage(results.length, results));
  });
  return queries;
}

describe('SourceFeeds: the recently-closed part of a feed', () => {
  it('fetches the homes for sale and those closed since the epoch began, once an epoch, counting every request', async () => {
    const queries = await realtorSite();
    feeds = SourceFeeds.fromConfigs([realtorAt(server!.url)]);
    feeds.startEpoch({ startMs: EPOCH_START_MS });
    const [answer, again] = await Promise.all([
      feeds.fetchZipcode('realtor', '19103'),
      feeds.fetchZipcode('realtor', '19103'),
    ]);
    expect(again).toBe(answer);
    expect(answer.kind).toBe('listings');
    if (answer.kind !== 'listings') return;
    expect(answer.listings).toHaveLength(3);
    expect(answer.recentlyClosed).toMatchObject({ kind: 'listings', since: recentlyClosedSince(EPOCH_START_MS) });
    expect(
      answer.recentlyClosed?.kind === 'listings' &&
        answer.recentlyClosed.listings.map((closed) => closed.closed.status),
    ).toEqual(['sold', 'off_market']);
    expect(queries.find((query) => query.includes('status: sold'))).toContain('sold_date: { min: "2025-09-29" }');
    // suggest + for sale, then suggest + sold + off market: one logical fetch of five requests.
    expect(feeds.progress()).toMatchObject({ totalRequests: 5, requests: { realtor: 5 }, feedsFetched: 1 });
  });

  it('keeps the homes for sale when the recently-closed part fails, and says the part is unavailable', async () => {
    await realtorSite({ closedFails: true });
    feeds = SourceFeeds.fromConfigs([realtorAt(server!.url)]);
    feeds.startEpoch({ startMs: EPOCH_START_MS });
    const answer = await feeds.fetchZipcode('realtor', '19103');
    expect(answer).toMatchObject({
      kind: 'listings',
      recentlyClosed: {
        kind: 'unavailable',
        code: 'source_unavailable',
        reason: expect.stringContaining('recently closed'),
      },
    });
    expect(answer.kind === 'listings' && answer.listings).toHaveLength(3);
  });

  it("looks back core's default window when no epoch start is given", async () => {
    const queries = await realtorSite();
    feeds = SourceFeeds.fromConfigs([realtorAt(server!.url)], { wallClock: () => Date.parse('2025-10-01T16:30:00Z') });
    feeds.startEpoch();
    const answer = await feeds.fetchZipcode('realtor', '19103');
    expect(answer).toMatchObject({ recentlyClosed: { kind: 'listings', since: '2025-09-29' } });
    expect(queries).toHaveLength(3);
  });
});

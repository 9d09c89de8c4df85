import { describe, expect, it } from 'vitest';
import type { CandidateListing, ListingSource, ZipcodeRequest } from './listing-source.js';
import { type SourceConfig, SOURCE_SCHEMA_SHAPE, sourceConfigOf } from './source-config.js';
import { SourceFeeds } from './source-feeds.js';
import {
  LISTING_SOURCE_ADAPTERS,
  type ListingSourceAdapter,
  createListingSource,
  listingHostOf,
  sourceOfUrl,
} from './source-registry.js';
import { z } from 'zod';

function defaults(source: SourceConfig['source'] = 'realtor'): SourceConfig {
  const parsed = sourceConfigOf(z.object(SOURCE_SCHEMA_SHAPE).parse({ source }));
  if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** A new site, added the way a contributor adds one: a single entry beside the built-in adapters. */
const homesExample: ListingSourceAdapter = {
  name: 'homes-example',
  listingHosts: ['homes.example'],
  create: () => new HomesExampleSource(),
};

class HomesExampleSource implements ListingSource {
  readonly name = 'homes-example';
  fetched: string[] = [];

  // eslint-disable-next-line @typescript-eslint/require-await
  async *fetchZipcode(request: ZipcodeRequest): AsyncIterable<CandidateListing[]> {
    this.fetched.push(request.zipcode);
    yield [{ zipcode: request.zipcode, source_url: `https://www.homes.example/${request.zipcode}/1`, price: 1 }];
  }
}

describe('the source registry', () => {
  it('routes listing URLs to the built-in source of their site', () => {
    expect(sourceOfUrl('https://www.realtor.com/realestateandhomes-detail/1-Walnut-St_M91')).toBe('realtor');
    expect(sourceOfUrl('https://www.zillow.com/homedetails/1_zpid/')).toBe('zillow-rapidapi');
    expect(sourceOfUrl('https://WWW.Redfin.com/PA/Philadelphia/home/1')).toBe('redfin');
    expect(sourceOfUrl('https://m.realtor.com/x')).toBe('realtor');
    // A look-alike host is not the site, and the file feed claims no site by name.
    expect(sourceOfUrl('https://notrealtor.com/x')).toBeNull();
    expect(sourceOfUrl('https://example.test/listing/1')).toBeNull();
    expect(sourceOfUrl('not a url')).toBeNull();
    expect(listingHostOf('https://www.Zillow.com/a')).toBe('zillow.com');
  });

  it('takes a new adapter registered in one place: created by name, routed by host, fetched as a feed', async () => {
    const adapters = [...LISTING_SOURCE_ADAPTERS, homesExample];
    const config = { ...defaults(), source: 'homes-example' };

    const source = createListingSource(config, undefined, adapters);
    expect(source.name).toBe('homes-example');
    expect(sourceOfUrl('https://www.homes.example/19103/1', adapters)).toBe('homes-example');
    expect(sourceOfUrl('https://www.homes.example/19103/1')).toBeNull();

    const feeds = SourceFeeds.fromConfigs([defaults('realtor'), config], { adapters });
    expect(feeds.enabledSources).toEqual(['realtor', 'homes-example']);
    expect(feeds.sourceOfUrl('https://homes.example/19103/1')).toBe('homes-example');
    expect(feeds.sourceOfUrl('https://www.realtor.com/x')).toBe('realtor');
    expect(feeds.sourceOfUrl('https://www.redfin.com/x')).toBeNull();
    const answer = await feeds.fetchZipcode('homes-example', '19103');
    expect(answer).toEqual({
      kind: 'listings',
      listings: [{ zipcode: '19103', source_url: 'https://www.homes.example/19103/1', price: 1 }],
    });
    await feeds.close();
    expect(() => createListingSource({ ...config, source: 'nowhere' }, undefined, adapters)).toThrow(
      /unknown source nowhere \(known: realtor, zillow-rapidapi, redfin, file, homes-example\)/,
    );
  });

  it('fetches each (source, zipcode) once an epoch, however often asked, and again the next epoch', async () => {
    const example = new HomesExampleSource();
    const feeds = new SourceFeeds([{ source: example, listingHosts: homesExample.listingHosts }]);
    const answers = await Promise.all([
      feeds.fetchZipcode('homes-example', '19103'),
      feeds.fetchZipcode('homes-example', '19103'),
      feeds.fetchZipcode('homes-example', '19104'),
    ]);
    expect(answers[0]).toBe(answers[1]);
    expect(example.fetched).toEqual(['19103', '19104']);
    expect(await feeds.fetchZipcode('realtor', '19103')).toMatchObject({
      kind: 'unavailable',
      code: 'source_unsupported',
    });
    feeds.startEpoch();
    await feeds.fetchZipcode('homes-example', '19103');
    expect(example.fetched).toEqual(['19103', '19104', '19103']);
  });

  it('lets a file feed answer for any site no named source serves', () => {
    const inner = new HomesExampleSource();
    const file: ListingSource = { name: 'file', fetchZipcode: (request) => inner.fetchZipcode(request) };
    const feeds = new SourceFeeds([
      { source: new HomesExampleSource(), listingHosts: ['homes.example'] },
      { source: file, listingHosts: ['*'] },
    ]);
    expect(feeds.sourceFor('homes.example')).toBe('homes-example');
    expect(feeds.sourceFor('realtor.com')).toBe('file');
  });
});

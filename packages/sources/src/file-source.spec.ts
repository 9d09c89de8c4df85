import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeListingsParquet } from '@resi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleListing } from './testing/listing-fixtures.test-utils.js';
import { collectZipcode } from './collect-zipcode.js';
import { FileListingSource, mapFeedRow } from './file-source.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resi-file-source-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scrapedAt = new Date('2025-10-01T16:05:00.000Z');
const request = (zipcode: string) => ({ zipcode, expectedListings: 10, signal: new AbortController().signal });

describe('mapFeedRow', () => {
  it('reads common aliases and normalises their values', () => {
    const candidate = mapFeedRow(
      {
        Street_Address: ' 1 Elm St, Boston, MA 02134 ',
        zip: '2134',
        list_price: '$450,000',
        beds: '3',
        baths: '1.5',
        square_feet: '1,200',
        list_date: '09/01/2025',
        type: 'Condo/Co-op',
        status: 'Active',
        mls: 'MA123',
        url: 'https://example.test/1',
      },
      scrapedAt,
    );
    expect(candidate).toEqual({
      address: '1 Elm St, Boston, MA 02134',
      zipcode: '02134',
      price: 450_000,
      bedrooms: 3,
      bathrooms: 1.5,
      sqft: 1200,
      listing_date: '2025-09-01',
      property_type: 'condo',
      listing_status: 'active',
      days_on_market: 30,
      mls_id: 'MA123',
      source_url: 'https://example.test/1',
      scraped_timestamp: '2025-10-01T16:05:00.000Z',
    });
  });
});

describe('FileListingSource', () => {
  it('filters a CSV feed by zipcode, rejects bad rows by reason and drops duplicates', async () => {
    const header =
      'address,zipcode,price,bedrooms,bathrooms,sqft,listing_date,property_type,listing_status,days_on_market,mls_id,source_url';
    const row = (zip: string, mls: string, price: string) =>
      `"${mls} Main St, Philadelphia, PA",${zip},${price},2,1,900,2025-09-20,house,active,11,${mls},https://example.test/${mls}`;
    await writeFile(
      join(dir, 'feed.csv'),
      [
        header,
        row('19103', 'A1', '300000'),
        row('19103', 'A2', '-5'),
        row('19103', 'A1', '300000'),
        row('19104', 'B1', '1'),
      ].join('\n'),
    );
    const source = new FileListingSource({ path: join(dir, 'feed.csv'), now: () => scrapedAt });
    const result = await collectZipcode(source, request('19103'));
    expect(result.listings.map((listing) => listing.mls_id)).toEqual(['A1']);
    expect(result.rejects).toEqual({ invalid_price: 1 });
    expect(result.duplicates).toBe(1);
    expect(result.listings[0]!.scraped_timestamp).toBe('2025-10-01T16:05:00.000Z');
  });

  it('reads per-zipcode JSON and Parquet files from a directory and counts strays as zipcode_not_assigned', async () => {
    await writeFile(
      join(dir, '19103.json'),
      JSON.stringify({ listings: [sampleListing('19103', 1), sampleListing('19104', 2)] }),
    );
    await writeFile(
      join(dir, '19104.parquet'),
      writeListingsParquet([sampleListing('19104', 3), sampleListing('19104', 4)]),
    );
    const source = new FileListingSource({ path: dir });
    const json = await collectZipcode(source, request('19103'));
    expect(json.listings).toEqual([sampleListing('19103', 1)]);
    expect(json.rejects).toEqual({ zipcode_not_assigned: 1 });
    const parquet = await collectZipcode(source, request('19104'));
    expect(parquet.listings).toEqual([sampleListing('19104', 3), sampleListing('19104', 4)]);
    expect((await collectZipcode(source, request('19105'))).listings).toEqual([]);
  });

  it('reads JSON lines and says which line is broken', async () => {
    await writeFile(join(dir, 'feed.jsonl'), `${JSON.stringify(sampleListing('19103', 1))}\n{oops\n`);
    const source = new FileListingSource({ path: join(dir, 'feed.jsonl') });
    await expect(collectZipcode(source, request('19103'))).rejects.toThrow('line 2 is not JSON');
  });

  it('names a missing feed', async () => {
    const source = new FileListingSource({ path: join(dir, 'nope.csv') });
    await expect(collectZipcode(source, request('19103'))).rejects.toThrow('--file.path');
  });
});

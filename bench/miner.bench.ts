/**
 * The miner's hot path for one epoch's worth of data: 10,000 listings as realtor.com returns them
 * are normalised (field mapping, core validation, zipcode check, de-duplication) and written as
 * `listings.parquet`. Prints the cold time (first run in a fresh process, as a miner pays it once
 * per epoch), the warm median, and the process's peak RSS. Target: < 300 ms, < 200 MB.
 * `npm run bench:miner`.
 */
// Narrow imports: the pipeline's own modules, not the wallet, HTTP and metrics stacks a whole miner loads.
import { writeListingsParquet } from '../packages/core/src/listings/parquet.js';
import { collectZipcode } from '../apps/miner/src/sources/collect-zipcode.js';
import type { CandidateListing, ListingSource } from '../apps/miner/src/sources/listing-source.js';
import { type RealtorSearchResult, mapRealtorResult } from '../apps/miner/src/sources/realtor-source.js';

const LISTINGS = 10_000;
const ZIPCODES = 25;
const PAGE = 200;
const WARM_RUNS = 7;

function realtorResults(zipcode: string, count: number, offset: number): RealtorSearchResult[] {
  return Array.from({ length: count }, (_, i) => {
    const index = offset + i;
    return {
      property_id: String(9_000_000 + index),
      listing_id: String(2_900_000 + index),
      status: index % 9 === 0 ? 'sold' : 'for_sale',
      list_price: 150_000 + ((index * 7_919) % 2_000_000),
      list_date: `2025-0${1 + (index % 9)}-${String(1 + (index % 28)).padStart(2, '0')}T12:00:00Z`,
      last_sold_price: index % 9 === 0 ? 140_000 + index : null,
      last_sold_date: index % 9 === 0 ? '2025-09-20' : null,
      permalink: `${index}-Main-St_City_ST_${zipcode}_M${index}`,
      description: {
        type: ['single_family', 'condos', 'townhomes', 'multi_family'][index % 4] ?? null,
        beds: index % 6,
        baths: 1 + (index % 3),
        baths_consolidated: `${1 + (index % 3)}.5`,
        sqft: 600 + (index % 3_000),
      },
      location: { address: { line: `${index} Main St`, city: 'City', state_code: 'ST', postal_code: zipcode } },
      source: { id: 'MLS', listing_id: `MLS${index}` },
      flags: { is_pending: index % 13 === 0, is_contingent: null },
    };
  });
}

const perZipcode = LISTINGS / ZIPCODES;
const zipcodes = Array.from({ length: ZIPCODES }, (_, i) => String(10_001 + i));
const pages = new Map(zipcodes.map((zipcode, z) => [zipcode, realtorResults(zipcode, perZipcode, z * perZipcode)]));
const scrapedAt = new Date('2025-10-01T16:05:00.000Z');

/** The realtor mapping over pages already in memory: measures the miner, not the network. */
const inMemoryRealtor: ListingSource = {
  name: 'realtor-in-memory',
  async *fetchZipcode(request) {
    const results = pages.get(request.zipcode) ?? [];
    for (let offset = 0; offset < results.length; offset += PAGE) {
      await Promise.resolve(); // a page arrives asynchronously, as from the network
      yield results.slice(offset, offset + PAGE).map((result): CandidateListing => mapRealtorResult(result, scrapedAt));
    }
  },
};

async function normaliseAndWrite(): Promise<{ ms: number; rows: number; bytes: number }> {
  const started = performance.now();
  const signal = new AbortController().signal;
  const listings = [];
  for (const zipcode of zipcodes) {
    const collected = await collectZipcode(inMemoryRealtor, { zipcode, expectedListings: perZipcode, signal });
    listings.push(...collected.listings);
  }
  const parquet = writeListingsParquet(listings);
  return { ms: performance.now() - started, rows: listings.length, bytes: parquet.byteLength };
}

const baselineRssMb = process.memoryUsage().rss / 1024 / 1024;
const cold = await normaliseAndWrite();
const warm: number[] = [];
for (let run = 0; run < WARM_RUNS; run += 1) warm.push((await normaliseAndWrite()).ms);
warm.sort((a, b) => a - b);
const median = warm[Math.floor(warm.length / 2)] ?? Number.NaN;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

console.log(
  `bench:miner — normalise + write listings.parquet for ${cold.rows} listings (${ZIPCODES} zipcodes, realtor format)`,
);
console.log(
  `  cold (first run):   ${cold.ms.toFixed(0)} ms   ${cold.rows} rows, ${(cold.bytes / 1024).toFixed(0)} KiB Parquet`,
);
console.log(
  `  warm (median of ${WARM_RUNS}): ${median.toFixed(0)} ms   (min ${warm[0]?.toFixed(0)}, max ${warm.at(-1)?.toFixed(0)})`,
);
console.log(
  `  peak RSS:           ${peakRssMb.toFixed(0)} MB   (${baselineRssMb.toFixed(0)} MB before any work: Node, the tsx loader, the modules and the input)`,
);
console.log(
  `  target < 300 ms and < 200 MB: warm ${median < 300 ? 'met' : 'MISSED'}, cold ${cold.ms < 300 ? 'met' : 'MISSED'}, memory ${peakRssMb < 200 ? 'met' : 'MISSED'}`,
);

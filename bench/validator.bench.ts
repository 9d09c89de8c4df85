/**
 * The validator end to end on a full-size epoch: 250 miners × 10,000 listings (2.5 M rows) in
 * local Parquet files laid out like the bucket, downloaded (copied, SHA-256 checked), scanned with
 * DuckDB, the accuracy samples verified through a source mocked at a fixed latency, and scored into
 * the results file. Prints wall time, peak RSS, rows/s, source requests per epoch, and DuckDB's plain
 * `count(*) GROUP BY zipcode` over the same files as the floor, with our ratio to it (and, for
 * scale, DuckDB merely reading every value once).
 * `npm run bench:validator` (`-- --miners 50 --listings 2000` for a smaller run).
 *
 * The epoch is generated once (in a child process, so its memory does not count) and cached under
 * `.resi/bench/`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type EpochSubmissionsResponse,
  LISTING_COLUMN_NAMES,
  type Listing,
  type MinerSubmission,
} from '../packages/core/src/index.js';
import { LocalObjectFetcher } from '../apps/validator/src/download/object-fetcher.js';
import { scoreEpochSubmissions } from '../apps/validator/src/pipeline/score-epoch.js';
import { DuckDbSession } from '../apps/validator/src/scan/duckdb-session.js';
import { sqlString } from '../apps/validator/src/scan/listing-rules-sql.js';
import type { ZipcodeListingFeed } from '../apps/validator/src/verification/verification-source.js';
import { type ClosedCandidate, SourceFeeds } from '../packages/sources/src/index.js';
import {
  type SyntheticUpload,
  type SyntheticZipcode,
  at,
  buildMarket,
  epochResponse,
  fabricatedListings,
  honestListings,
  hotkeyOf,
  submissionsResponse,
  writeUpload,
} from '../apps/validator/src/testing/synthetic-epoch.test-utils.js';

const { values: options } = parseArgs({
  options: {
    miners: { type: 'string', default: '250' },
    listings: { type: 'string', default: '10000' },
    zipcodes: { type: 'string', default: '25' },
    'page-ms': { type: 'string', default: '250' },
    generate: { type: 'boolean', default: false },
  },
});
const MINERS = Number(options.miners);
const LISTINGS = Number(options.listings);
const ZIPCODE_COUNT = Number(options.zipcodes);
const PAGE_MS = Number(options['page-ms']);
/** Listings per page of the mocked source, as a listing site pages its search results. */
const PAGE_SIZE = 200;
const ROOT = resolve(`.resi/bench/validator-${MINERS}x${LISTINGS}`);

/** The epoch's zipcodes: real ones sharing the listings, and two honeypots. */
function zipcodes(): SyntheticZipcode[] {
  const real = Array.from({ length: ZIPCODE_COUNT }, (_, index) => ({
    zipcode: String(60_000 + index * 7).padStart(5, '0'),
    expectedListings: Math.floor(LISTINGS / ZIPCODE_COUNT) + (index < LISTINGS % ZIPCODE_COUNT ? 1 : 0),
    isHoneypot: false,
  }));
  return [
    ...real,
    { zipcode: '69991', expectedListings: 300, isHoneypot: true },
    { zipcode: '69993', expectedListings: 250, isHoneypot: true },
  ];
}

/**
 * Generates the bucket: mostly honest miners (each scraping at its own time, uploading through the
 * epoch), a few covering part of the zipcodes, two copiers, a honeypot fabricator and a late one.
 */
async function generate(): Promise<void> {
  const market = buildMarket(zipcodes());
  const started = performance.now();
  const submissions: MinerSubmission[] = [];
  for (let index = 0; index < MINERS; index++) {
    const label = `bench-miner-${index}`;
    const scrapedFrom = new Date(at('16:05:00').getTime() + index * 7_000);
    const uploadedAt = new Date(at('17:00:00').getTime() + index * 40_000);
    let upload: SyntheticUpload;
    if (index === 1 || index === 2) {
      // Copiers: miner 0's rows, re-uploaded later.
      upload = { label, listings: honestListings(market, at('16:05:00')), uploadedAt, uid: index };
    } else if (index === 3) {
      const listings = honestListings(market, scrapedFrom);
      upload = {
        label,
        listings: [...listings.slice(20), ...fabricatedListings('69991', 20, scrapedFrom)],
        uploadedAt,
        uid: index,
      };
    } else if (index === 4) {
      upload = { label, listings: honestListings(market, scrapedFrom), uploadedAt: at('20:07:00'), uid: index };
    } else if (index % 10 === 9) {
      const some = [...market.keys()].filter((_, zipcodeIndex) => zipcodeIndex % 3 !== 0);
      const partial = honestListings(market, scrapedFrom, { zipcodes: some });
      // Topped up to the same size with the rest of the market scraped twice: duplicates.
      upload = {
        label,
        listings: [...partial, ...partial.slice(0, LISTINGS - partial.length)],
        uploadedAt,
        uid: index,
      };
    } else {
      upload = { label, listings: honestListings(market, scrapedFrom), uploadedAt, uid: index };
    }
    submissions.push(await writeUpload(join(ROOT, 'bucket'), upload));
    if (index % 25 === 24)
      process.stderr.write(
        `  generated ${index + 1}/${MINERS} miners (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
      );
  }
  await writeFile(join(ROOT, 'submissions.json'), JSON.stringify(submissions));
  await writeFile(join(ROOT, 'market.json'), JSON.stringify([...market.values()].flat()));
}

if (options.generate) {
  await rm(ROOT, { recursive: true, force: true });
  await mkdir(ROOT, { recursive: true });
  await generate();
  process.exit(0);
}

if (!existsSync(join(ROOT, 'submissions.json'))) {
  process.stderr.write(`generating ${MINERS} miners × ${LISTINGS} listings under ${ROOT} (once)\n`);
  execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--generate'], {
    stdio: 'inherit',
  });
}

/**
 * The market as a remote listing site: a zipcode's search results in pages of 200, each page
 * answered after a fixed delay, one request a page, then its recently-closed searches (sold, and
 * pending or withdrawn: one page each, empty in this still market), as the real sites' verification
 * feeds ask for them. The validator verifies through it as through a real source (`SourceFeeds`:
 * each zipcode fetched once an epoch, within the request budget).
 */
class MockedRemoteFeed implements ZipcodeListingFeed {
  readonly name = 'mocked';
  pages = 0;
  closedPages = 0;
  onRequest: () => void = () => undefined;

  constructor(
    private readonly byZipcode: Map<string, Listing[]>,
    private readonly pageMs: number,
  ) {}

  async *fetchZipcode(request: { readonly zipcode: string }): AsyncIterable<Listing[]> {
    const listings = this.byZipcode.get(request.zipcode) ?? [];
    for (let start = 0; start === 0 || start < listings.length; start += PAGE_SIZE) {
      this.pages += 1;
      this.onRequest();
      await new Promise((resolve) => setTimeout(resolve, this.pageMs));
      yield listings.slice(start, start + PAGE_SIZE);
    }
  }

  async *fetchRecentlyClosed(): AsyncIterable<ClosedCandidate[]> {
    for (let search = 0; search < 2; search += 1) {
      this.closedPages += 1;
      this.onRequest();
      await new Promise((resolve) => setTimeout(resolve, this.pageMs));
      yield [];
    }
  }
}

const submissions = JSON.parse(await readFile(join(ROOT, 'submissions.json'), 'utf8')) as MinerSubmission[];
const market = JSON.parse(await readFile(join(ROOT, 'market.json'), 'utf8')) as Listing[];
const byZipcode = new Map<string, Listing[]>();
for (const listing of market) byZipcode.set(listing.zipcode, [...(byZipcode.get(listing.zipcode) ?? []), listing]);
const feed = new MockedRemoteFeed(byZipcode, PAGE_MS);
const feeds = new SourceFeeds([{ source: feed, listingHosts: ['*'] }]);
feed.onRequest = () => feeds.countRequest(feed.name);
// The pipeline starts the epoch itself (with the epoch's start, the recently-closed window).
const source = feeds;
const response: EpochSubmissionsResponse = submissionsResponse(submissions);
const totalRows = LISTINGS * MINERS;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const started = performance.now();
const outcome = await scoreEpochSubmissions(
  { epoch: epochResponse(zipcodes()), submissions: response, validatorHotkey: hotkeyOf('bench-validator') },
  {
    workDirectory: join(ROOT, 'work'),
    fetcher: new LocalObjectFetcher(join(ROOT, 'bucket')),
    verification: source,
    duckdb: { memoryLimit: '1GB' },
  },
);
const wallMs = performance.now() - started;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);

// The floor: DuckDB alone counting the same files by zipcode, in a fresh session.
const files = submissions.flatMap((submission) =>
  submission.objects
    .filter((object) => object.key.endsWith('.parquet'))
    .map((object) => join(ROOT, 'bucket', object.key)),
);
const floorSession = await DuckDbSession.open();
const floorStarted = performance.now();
const floorRows = await floorSession.rows<{ zipcode: string; n: bigint }>(
  `SELECT zipcode, count(*) AS n FROM read_parquet([${files.map(sqlString).join(', ')}]) GROUP BY zipcode`,
);
const floorMs = performance.now() - floorStarted;
// For scale: the cost of merely reading every value of every column once.
const readAllStarted = performance.now();
const everyColumn = LISTING_COLUMN_NAMES.map((name) => `"${name}"`).join(', ');
await floorSession.rows(`SELECT sum(hash(${everyColumn})) FROM read_parquet([${files.map(sqlString).join(', ')}])`);
const readAllMs = performance.now() - readAllStarted;
floorSession.close();

const summary = outcome.file.summary;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
console.log(`validator end to end: ${MINERS} miners × ${LISTINGS} listings = ${totalRows.toLocaleString('en')} rows`);
console.log(`  wall time        ${(wallMs / 1000).toFixed(2)} s   (target < 60 s)`);
console.log(`  peak RSS         ${mib(peakRss)}   (target < 2048 MiB)`);
console.log(`  throughput       ${Math.round(totalRows / (wallMs / 1000)).toLocaleString('en')} rows/s`);
console.log(
  `  stages           download+verify ${(outcome.timings.download / 1000).toFixed(2)} s, scan ${(outcome.timings.scan / 1000).toFixed(2)} s, ` +
    `audit ${(outcome.timings.verification / 1000).toFixed(2)} s (${outcome.audit.rowsVerified.toLocaleString('en')} distinct rows, ${feed.pages} source pages at ${PAGE_MS} ms), ` +
    `crediting ${(outcome.timings.crediting / 1000).toFixed(2)} s, scoring ${(outcome.timings.scoring / 1000).toFixed(2)} s`,
);
const checksMs = outcome.timings.verification + outcome.timings.crediting;
console.log(
  `  checks' cost     audit + crediting ${(checksMs / 1000).toFixed(2)} s = ${((100 * checksMs) / wallMs).toFixed(1)}% of the wall time ` +
    `(${outcome.file.audit.zipcodes.length} of ${outcome.file.zipcode_rankings.filter((zipcode) => !zipcode.is_honeypot).length} real zipcodes audited)`,
);
const feedProgress = feeds.progress();
console.log(
  `  source requests  ${feedProgress.totalRequests} this epoch (budget ${feedProgress.budget.maxRequests}), ` +
    `${feedProgress.feedsFetched} zipcode feeds fetched once each (${feed.pages} pages for sale + ${feed.closedPages} recently closed), ` +
    `${feedProgress.feedsUnavailable} unavailable`,
);
console.log(
  `  results          ${summary.scored_miners} scored, ${summary.honeypot_miners} honeypot, ${summary.fabricated_miners} fabricated, ${summary.abstained_miners} abstained, ${summary.rejected_miners} rejected; average ${summary.average_score}; ${outcome.text.length.toLocaleString('en')} bytes`,
);
console.log(
  `  floor            DuckDB count(*) GROUP BY zipcode: ${(floorMs / 1000).toFixed(2)} s over ${floorRows.length} zipcodes`,
);
console.log(`  ratio            ${(wallMs / floorMs).toFixed(1)}× the floor`);
console.log(
  `  for scale        DuckDB reading and hashing every value of every column: ${(readAllMs / 1000).toFixed(2)} s (${(wallMs / readAllMs).toFixed(1)}×)`,
);
await rm(join(ROOT, 'work'), { recursive: true, force: true });

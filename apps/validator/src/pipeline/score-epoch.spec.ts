import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Listing, minerObjectKey, parseValidationResultsFile } from '@resi/core';
import { FileListingSource } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRAFTED_ZIPCODES,
  EPOCH_ID,
  at,
  buildMarket,
  epochResponse,
  fabricatedListings,
  honestListings,
  AUDIT_SEED,
  hotkeyOf,
  submissionsResponse,
  writeCraftedEpoch,
  writeMarketFeed,
  writeUpload,
} from '../testing/synthetic-epoch.test-utils.js';
import { ZipcodeFeedAuditSources } from '../verification/verification-source.js';
import { LocalObjectFetcher, type ObjectFetcher, TransientFetchError } from '../download/object-fetcher.js';
import { DEFAULT_DOWNLOAD_LIMITS } from '../download/verified-download.js';
import { type EpochScoringOutcome, scoreEpochSubmissions } from './score-epoch.js';

const VALIDATOR = hotkeyOf('validator');

/**
 * Scores `uploads` (uids in order, from 1) against `market` under `directory`: the objects laid
 * out like the bucket, the market as the verification feed.
 */
async function scoreUploads(
  directory: string,
  market: ReturnType<typeof buildMarket>,
  uploads: readonly Parameters<typeof writeUpload>[1][],
): Promise<EpochScoringOutcome> {
  const bucket = join(directory, 'bucket');
  const submissions = [];
  for (const [index, upload] of uploads.entries())
    submissions.push(await writeUpload(bucket, { ...upload, uid: index + 1 }));
  const marketPath = join(directory, 'market.json');
  await writeMarketFeed(marketPath, market);
  return scoreEpochSubmissions(
    {
      epoch: epochResponse(CRAFTED_ZIPCODES),
      submissions: submissionsResponse(submissions),
      validatorHotkey: VALIDATOR,
    },
    {
      workDirectory: join(directory, 'work'),
      fetcher: new LocalObjectFetcher(bucket),
      verification: new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath })),
      duckdb: { threads: 2 },
    },
  );
}

describe('scoreEpochSubmissions: crafted miners get the score the rules give, with the reason', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-'));
    const { submissions, marketPath } = await writeCraftedEpoch(root);
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(join(root, 'bucket')),
        verification: new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath })),
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes a results file whose digest checks out', () => {
    expect(parseValidationResultsFile(outcome.text).results_sha256).toBe(outcome.file.results_sha256);
    expect(Object.keys(outcome.file.validation_results)).toHaveLength(12);
  });

  it('audits every real zipcode of a three-zipcode epoch, drawn from the revealed seed', () => {
    expect(outcome.file.audit).toMatchObject({
      seed: AUDIT_SEED,
      zipcodes: ['62701', '62702', '62703'],
      share: 0.5,
      min_zipcodes: 3,
      abstention: null,
    });
    expect(
      outcome.file.zipcode_rankings.map((zipcode) => [zipcode.zipcode, zipcode.audited, zipcode.observed_listings]),
    ).toEqual([
      ['62701', true, 40],
      ['62702', true, 60],
      ['62703', true, 100],
      ['62799', false, null],
    ]);
  });

  it('gives the honest miner full marks, every row verified, and credits it the listings nobody uploaded first', () => {
    // 200 valid rows, all verified; every zipcode on its true count; on time. The partial miner
    // uploaded 62701 and 62702 half an hour earlier: those 100 listings are credited to it.
    expect(result('honest')).toMatchObject({
      outcome: 'scored',
      score: { data_quality: 1, accuracy: 1, completeness: 1, timeliness: 1, total_score: 1 },
      audit: { rows: 200, verified: 200, mismatched: 0, not_found: 0, delisted: 0, fabricated: 0, no_verdict: {} },
      listings: { rows: 200, overlap_rows: 100, credited_rows: 100 },
      reasons: [{ code: 'overlap_with_earlier_uploads' }],
      placings: [{ zipcode: '62703', rank: 1, reward: 0.5 }],
    });
  });

  it('scores the partial miner on completeness: 2 of 3 zipcodes, both on target', () => {
    // coverage 2/3, targets (1 + 1 + 0)/3 -> 0.666667; total 0.25 + 0.35 + 0.25 x 0.666667 + 0.15 = 0.916667
    expect(result('partial').score).toEqual({
      data_quality: 1,
      accuracy: 1,
      completeness: 0.666667,
      timeliness: 1,
      total_score: 0.916667,
    });
  });

  it('zeroes the fabricator who claimed listings in the honeypot', () => {
    expect(result('fabricator')).toMatchObject({ outcome: 'honeypot', weight: 0, score: { total_score: 0 } });
    expect(result('fabricator').reasons[0]).toMatchObject({ code: 'honeypot_listings' });
    expect(result('fabricator').reasons[0]!.message).toContain('12 listings claimed in honeypot zipcode 62799');
  });

  it('credits the copier nothing although it changed every scrape instant and URL query', () => {
    expect(result('copier')).toMatchObject({
      outcome: 'scored',
      weight: 0,
      placings: [],
      listings: { rows: 200, overlap_rows: 200, credited_rows: 0 },
    });
    expect(result('copier').reasons.map((reason) => reason.code)).toEqual(['overlap_with_earlier_uploads']);
  });

  it('penalises the grace-period upload and refuses the one after the grace end', () => {
    expect(result('late')).toMatchObject({
      score: { timeliness: 0.833333, total_score: 0.975 },
      reasons: [{ code: 'late_upload' }, { code: 'overlap_with_earlier_uploads' }],
      weight: 0,
    });
    expect(result('too-late')).toMatchObject({ outcome: 'rejected', reasons: [{ code: 'uploaded_after_grace' }] });
  });

  it('zeroes corrupt files, whether the footer or the pages are broken, and goes on', () => {
    expect(result('corrupt')).toMatchObject({ outcome: 'rejected', reasons: [{ code: 'corrupt_parquet' }] });
    expect(result('corrupt-pages')).toMatchObject({ outcome: 'rejected', reasons: [{ code: 'corrupt_parquet' }] });
  });

  it('zeroes a file whose schema breaks §7, naming the column', () => {
    expect(result('wrong-schema')).toMatchObject({
      outcome: 'rejected',
      reasons: [
        {
          code: 'wrong_schema',
          message: 'listings.parquet: column price is stored as BYTE_ARRAY (UTF8), which does not convert to DOUBLE',
        },
      ],
    });
  });

  it('zeroes the miner whose metadata claims more rows than the file holds', () => {
    expect(result('overclaimer')).toMatchObject({
      outcome: 'rejected',
      reasons: [{ code: 'row_count_mismatch', message: 'listings.parquet holds 200 rows; metadata.json declares 300' }],
    });
  });

  it('proves the invented listings absent from the source and zeroes the inventor, crediting none of its rows', () => {
    const inventor = result('inventor');
    // 260 rows, every one checked: 60 not found in 62703, above its tolerance of max(2, 3% of 160) = 4.
    expect(inventor).toMatchObject({
      outcome: 'fabricated',
      weight: 0,
      score: { total_score: 0 },
      audit: { rows: 260, verified: 200, not_found: 60, fabricated: 60, delisted: 0 },
      listings: { credited_rows: 0 },
    });
    expect(inventor.reasons[0]).toEqual({
      code: 'fabricated_listings',
      message:
        '60 listings the source does not have, beyond the delisting tolerance, in 62703 (60): the epoch score is 0',
    });
    // Uploaded before the honest miner, yet its real rows kept nothing from it: a fabricator's rows are not credited.
    expect(result('honest').listings!.credited_rows).toBe(100);
  });

  it('refuses an upload without metadata.json', () => {
    expect(result('no-metadata')).toMatchObject({ outcome: 'rejected', reasons: [{ code: 'missing_metadata' }] });
  });

  it('pays each zipcode to the miners credited there, in proportion, scaled by their score', () => {
    const [first] = outcome.file.zipcode_rankings;
    expect(first!.zipcode).toBe('62701');
    // partial (18:30) uploaded 62701 first: the whole of its credited listings, at its score 0.916667.
    expect(first!.ranking.map((entry) => [entry.hotkey, entry.credited_listings, entry.share])).toEqual([
      [hotkeyOf('partial'), 40, 0.916667],
    ]);
    const honeypot = outcome.file.zipcode_rankings.find((zipcode) => zipcode.is_honeypot)!;
    expect(honeypot).toMatchObject({
      pool: 0,
      ranking: [],
      honeypot_claims: [{ hotkey: hotkeyOf('fabricator'), rows: 12 }],
    });
  });
});

describe('scoreEpochSubmissions: every source down, so the validator abstains for the epoch', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;
  const before = (ema: number, uid: number) => ({ ema, uid, penaltyEpochsLeft: 0, lastEpochId: '2025-10-01T12-00-00' });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-down-'));
    const { submissions } = await writeCraftedEpoch(root);
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
        credibility: {
          lastEpochId: '2025-10-01T12-00-00',
          miners: { [hotkeyOf('honest')]: before(0.4, 1), [hotkeyOf('fabricator')]: before(0.2, 3) },
        },
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(join(root, 'bucket')),
        verification: {
          name: 'down',
          sourceFor: () => 'file',
          fetchZipcode: () => Promise.resolve({ kind: 'unavailable', reason: 'HTTP 503 after 3 attempts' }),
        },
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('says so and leaves the honest miners as they were', () => {
    expect(outcome.file.audit.abstention).toMatchObject({ code: 'no_verdict' });
    expect(result('honest')).toMatchObject({
      outcome: 'abstained',
      weight: 0,
      reasons: [{ code: 'validator_abstained' }],
      credibility: { before: 0.4, after: 0.4, penalty_epochs_left: 0 },
    });
  });

  it('still zeroes the honeypot claimer and cuts its credibility: that needs no source', () => {
    expect(result('fabricator')).toMatchObject({
      outcome: 'honeypot',
      weight: 0,
      score: { total_score: 0 },
      credibility: { before: 0.2, after: 0, penalty_epochs_left: 4 },
    });
    expect(result('fabricator').reasons.map((reason) => reason.code)).toEqual([
      'honeypot_listings',
      'validator_abstained',
    ]);
    expect(outcome.file.summary.honeypot_miners).toBe(1);
    expect(outcome.file.zipcode_rankings.find((zipcode) => zipcode.is_honeypot)!.honeypot_claims).toEqual([
      { hotkey: hotkeyOf('fabricator'), rows: 12 },
    ]);
  });
});

describe('scoreEpochSubmissions: invented rows naming a site this validator does not verify', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-unsupported-'));
    const market = buildMarket(CRAFTED_ZIPCODES);
    const bucket = join(root, 'bucket');
    const real = honestListings(market, at('16:10:00'));
    // Invented homes under redfin URLs: a validator that enabled only realtor cannot look them up.
    const invented = fabricatedListings('62701', 12, at('17:00:00')).map((listing, index) => ({
      ...listing,
      source_url: `https://www.redfin.com/IL/Springfield/100-Phantom-Ave-62701/home/9${index}`,
    }));
    const submissions = [
      await writeUpload(bucket, {
        label: 'disguised',
        listings: [...real, ...invented],
        uploadedAt: at('18:00:00'),
        uid: 1,
      }),
    ];
    const marketPath = join(root, 'market.json');
    await writeMarketFeed(marketPath, market);
    const feed = new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath }));
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(bucket),
        verification: {
          name: 'realtor only',
          sourceFor: (host) => (host === 'realtor.com' ? feed.sourceFor() : null),
          fetchZipcode: (source, zipcode) => feed.fetchZipcode(source, zipcode),
        },
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('gives them no verdict and no penalty, and credits none of them', () => {
    const disguised = result('disguised');
    expect(disguised.outcome).toBe('scored');
    expect(disguised.audit).toMatchObject({ not_found: 0, fabricated: 0, no_verdict: { source_unsupported: 12 } });
    // Every real row is credited; the 12 invented ones, which nothing verified, are not.
    expect(disguised.listings!.credited_rows).toBe(disguised.audit!.verified);
    expect(disguised.listings!.credited_rows).toBe(disguised.listings!.valid_rows - 12);
  });
});

describe('scoreEpochSubmissions: the recently-closed search fails while the homes for sale answer', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-closed-down-'));
    const market = buildMarket(CRAFTED_ZIPCODES);
    const bucket = join(root, 'bucket');
    const submissions = [
      await writeUpload(bucket, {
        label: 'honest',
        listings: honestListings(market, at('16:10:00')),
        uploadedAt: at('19:00:00'),
        uid: 1,
      }),
      // Invented rows are absent from the homes for sale; with the closed listings unknown they
      // get no verdict, as a listing sold since the scrape would.
      await writeUpload(bucket, {
        label: 'inventor',
        listings: [...honestListings(market, at('16:20:00')), ...fabricatedListings('62703', 60, at('17:00:00'))],
        uploadedAt: at('18:00:00'),
        uid: 2,
      }),
    ];
    const marketPath = join(root, 'market.json');
    await writeMarketFeed(marketPath, market);
    const feed = new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath }));
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(bucket),
        verification: {
          name: 'closed search down',
          sourceFor: () => feed.sourceFor(),
          fetchZipcode: async (source, zipcode) => {
            const answer = await feed.fetchZipcode(source, zipcode);
            return answer.kind === 'listings'
              ? { ...answer, recentlyClosed: { kind: 'unavailable', reason: 'HTTP 503 after 3 attempts' } }
              : answer;
          },
        },
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('credits no row it could not check: the invented ones earn nothing, whoever uploaded first', () => {
    expect(result('inventor')).toMatchObject({
      outcome: 'scored',
      audit: { rows: 260, verified: 200, not_found: 0, no_verdict: { source_unavailable: 60 } },
      listings: { credited_rows: 200 },
    });
    // The honest miner uploaded later: the real listings are the inventor's, and nothing else.
    expect(result('honest')).toMatchObject({ outcome: 'scored', listings: { credited_rows: 0, overlap_rows: 200 } });
    const ranking = outcome.file.zipcode_rankings.find((zipcode) => zipcode.zipcode === '62703')!.ranking;
    expect(ranking.map((entry) => [entry.hotkey, entry.credited_listings])).toEqual([[hotkeyOf('inventor'), 100]]);
  });
});

describe('scoreEpochSubmissions: uploads in parts (listings-0001.parquet, ...)', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-parts-'));
    const market = buildMarket(CRAFTED_ZIPCODES);
    const bucket = join(root, 'bucket');
    const submissions = [
      await writeUpload(bucket, {
        label: 'split',
        listings: honestListings(market, at('16:10:00')),
        uploadedAt: at('19:00:00'),
        parts: 3,
        uid: 1,
      }),
      await writeUpload(bucket, {
        label: 'split-missing',
        listings: honestListings(market, at('16:20:00')),
        uploadedAt: at('19:01:00'),
        parts: 2,
        withoutFile: 'listings-0002.parquet',
        uid: 2,
      }),
      await writeUpload(bucket, {
        label: 'unreachable',
        listings: honestListings(market, at('16:40:00')),
        uploadedAt: at('18:00:00'),
        uid: 4,
      }),
      await writeUpload(bucket, {
        label: 'split-overclaimer',
        listings: honestListings(market, at('16:30:00')),
        uploadedAt: at('19:02:00'),
        parts: 2,
        claimedRows: 150,
        uid: 3,
      }),
      await writeUpload(bucket, {
        label: 'overwriter',
        listings: honestListings(market, at('16:50:00')),
        uploadedAt: at('18:10:00'),
        uid: 5,
      }),
      await writeUpload(bucket, {
        label: 'remover',
        listings: honestListings(market, at('16:55:00')),
        uploadedAt: at('18:20:00'),
        uid: 6,
      }),
    ];
    // After the grace end, once the seed is out: one miner re-uploads a subset, one removes a file.
    await writeUpload(bucket, {
      label: 'overwriter',
      listings: honestListings(market, at('16:50:00')).slice(0, 150),
      uploadedAt: at('21:00:00'),
      uid: 5,
    });
    await rm(join(bucket, minerObjectKey(hotkeyOf('remover'), EPOCH_ID, 'listings.parquet')));
    const marketPath = join(root, 'market.json');
    await writeMarketFeed(marketPath, market);
    const local = new LocalObjectFetcher(bucket);
    // Storage answers 503 for one miner's objects: the validator's trouble, not the miner's.
    const fetcher: ObjectFetcher = {
      open: (object, signal) =>
        object.key.includes(hotkeyOf('unreachable'))
          ? Promise.reject(new TransientFetchError(`GET ${object.key} answered HTTP 503`))
          : local.open(object, signal),
    };
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
        credibility: {
          lastEpochId: '2025-10-01T12-00-00',
          miners: {
            [hotkeyOf('unreachable')]: { ema: 0.2, uid: 4, penaltyEpochsLeft: 0, lastEpochId: '2025-10-01T12-00-00' },
            [hotkeyOf('overwriter')]: { ema: 0.5, uid: 5, penaltyEpochsLeft: 0, lastEpochId: '2025-10-01T12-00-00' },
          },
        },
      },
      {
        workDirectory: join(root, 'work'),
        fetcher,
        downloadLimits: { ...DEFAULT_DOWNLOAD_LIMITS, attempts: 2 },
        verification: new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath })),
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('scores and verifies every row of every part, as for one file', () => {
    // 200 rows in parts of 67, 67 and 66: all valid, all verified, every zipcode on target.
    expect(result('split')).toMatchObject({
      outcome: 'scored',
      score: { data_quality: 1, accuracy: 1, completeness: 1, timeliness: 1, total_score: 1 },
      audit: { rows: 200, verified: 200 },
      listings: { rows: 200, overlap_rows: 0, credited_rows: 200 },
      reasons: [],
    });
  });

  it('takes a download failing on the way as no verdict, not a rejection, and leaves credibility alone', () => {
    expect(result('unreachable')).toMatchObject({
      outcome: 'abstained',
      weight: 0,
      reasons: [{ code: 'download_failed' }],
      credibility: { before: 0.2, after: 0.2 },
    });
    // An honest miner's credibility moves by alpha towards its share (all of the epoch's reward here).
    expect(result('split').credibility).toEqual({ uid: 1, before: 0, after: 0.3, penalty_epochs_left: 0 });
  });

  it('treats a file changed or removed after the listing as fabrication: score 0, credibility 0 and the penalty', () => {
    expect(result('overwriter')).toMatchObject({
      outcome: 'fabricated',
      weight: 0,
      score: { total_score: 0 },
      listings: null,
      audit: null,
      credibility: { before: 0.5, after: 0, penalty_epochs_left: 4 },
      reasons: [
        {
          code: 'modified_after_grace',
          message: expect.stringMatching(
            /^metadata\.json changed after the grace end: listed with ETag [0-9a-f]{32} and \d+ bytes, storage now holds \d+ bytes$/,
          ) as string,
        },
      ],
    });
    expect(result('remover')).toMatchObject({
      outcome: 'fabricated',
      weight: 0,
      credibility: { before: 0, after: 0, penalty_epochs_left: 4 },
      reasons: [
        {
          code: 'modified_after_grace',
          message: 'listings.parquet is listed for the epoch but storage no longer has it: removed after the grace end',
        },
      ],
    });
    expect(outcome.file.summary.fabricated_miners).toBe(2);
  });

  it('refuses an upload missing a part metadata.json lists', () => {
    expect(result('split-missing')).toMatchObject({
      outcome: 'rejected',
      reasons: [
        { code: 'missing_file', message: 'listings-0002.parquet is listed in metadata.json but was not uploaded' },
      ],
    });
  });

  it('checks each part against its own declaration', () => {
    expect(result('split-overclaimer')).toMatchObject({
      outcome: 'rejected',
      reasons: [
        { code: 'row_count_mismatch', message: 'listings-0002.parquet holds 100 rows; metadata.json declares 150' },
      ],
    });
  });
});

describe('scoreEpochSubmissions: copies re-spelled so that neither identity key agrees', () => {
  let root: string;
  let withOriginal: EpochScoringOutcome;
  let pairOnly: EpochScoringOutcome;
  const market = buildMarket(CRAFTED_ZIPCODES);
  // A row with an MLS id is found at the source by that id whatever its URL says, so a copy can
  // give every such row another URL and still be looked up; its address must then carry the copy.
  const respell = (listings: Listing[], address: (address: string) => string) =>
    listings.map((listing) =>
      listing.mls_id === null
        ? listing
        : { ...listing, source_url: `${listing.source_url}/copy`, address: address(listing.address) },
    );
  // Spellings the address comparison accepts (case, punctuation, spaces): the same address key.
  const asciiRespelled = respell(honestListings(market, at('16:40:00')), (address) =>
    address.toUpperCase().replaceAll(' ', '  ').replaceAll(',', '.'),
  );
  // No-break spaces, which Unicode-aware normalisation reads as spaces but the address key does not.
  const unicodeSpaced = respell(honestListings(market, at('16:45:00')), (address) => address.replaceAll(' ', '\u00a0'));
  // The URLs kept, the MLS ids dropped, thin spaces in the addresses.
  const withoutMls = honestListings(market, at('16:50:00')).map((listing) => ({
    ...listing,
    mls_id: null,
    address: listing.address.replaceAll(' ', '\u2009'),
  }));
  // Half of 62701's listings, each also repeated under another URL and spelling.
  const half = honestListings(market, at('16:55:00'), { zipcodes: ['62701'] })
    .filter((listing) => listing.mls_id !== null)
    .slice(0, 20);
  const repeater = [...half, ...respell(half, (address) => address.toUpperCase())];

  const score = (name: string, uploads: Parameters<typeof writeUpload>[1][]) =>
    scoreUploads(join(root, name), market, uploads);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-respelled-'));
    withOriginal = await score('with-original', [
      { label: 'original', listings: honestListings(market, at('16:10:00')), uploadedAt: at('18:00:00') },
      { label: 'ascii-respelled', listings: asciiRespelled, uploadedAt: at('18:30:00') },
      { label: 'unicode-spaced', listings: unicodeSpaced, uploadedAt: at('18:35:00') },
      { label: 'without-mls', listings: withoutMls, uploadedAt: at('18:40:00') },
      { label: 'repeater', listings: repeater, uploadedAt: at('19:00:00') },
    ]);
    // A sybil pair of one dataset, neither in the original spelling.
    pairOnly = await score('pair-only', [
      { label: 'unicode-spaced', listings: unicodeSpaced, uploadedAt: at('18:30:00') },
      { label: 'without-mls', listings: withoutMls, uploadedAt: at('18:40:00') },
    ]);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('credits a copy that verifies row for row nothing: a verified row has the listing’s address key', () => {
    const result = (label: string) => withOriginal.file.validation_results[hotkeyOf(label)]!;
    expect(result('original')).toMatchObject({
      outcome: 'scored',
      audit: { rows: 200, verified: 200 },
      listings: { credited_rows: 200, overlap_rows: 0 },
    });
    expect(result('ascii-respelled')).toMatchObject({
      outcome: 'scored',
      weight: 0,
      audit: { rows: 200, verified: 200, not_found: 0 },
      listings: { credited_rows: 0, overlap_rows: 200 },
    });
  });

  it('credits copies with Unicode spaces in their addresses nothing, with the original or without it', () => {
    for (const label of ['unicode-spaced', 'without-mls']) {
      expect(withOriginal.file.validation_results[hotkeyOf(label)]).toMatchObject({
        weight: 0,
        listings: { credited_rows: 0 },
      });
    }
    // Alone, the pair is credited at most what one upload of the dataset is.
    const credited = ['unicode-spaced', 'without-mls'].map(
      (label) => pairOnly.file.validation_results[hotkeyOf(label)]!.listings!.credited_rows,
    );
    expect(credited[0]! + credited[1]!).toBeLessThanOrEqual(200);
  });

  it('counts a listing repeated under another URL and spelling once for completeness', () => {
    // 20 of 62701's 40 listings, each twice: half the true count, outside every target band. Of 3
    // paying zipcodes one is covered: 0.6 × 1/3 + 0.4 × 0 = 0.2.
    expect(withOriginal.file.validation_results[hotkeyOf('repeater')]).toMatchObject({
      audit: { rows: 40, verified: 40 },
      score: { completeness: 0.2 },
    });
  });
});

describe('scoreEpochSubmissions: each file is credited at its own storage time', () => {
  let root: string;
  let sybils: EpochScoringOutcome;
  let single: EpochScoringOutcome;
  const market = buildMarket(CRAFTED_ZIPCODES);
  // One operator's dataset, collected in two halves: the first stored at 17:00, the second at 18:30.
  const dataset = honestListings(market, at('16:10:00'));
  const half = Math.ceil(dataset.length / 2);
  // An independent miner holding every listing, uploaded in one go at 18:00.
  const rival = { label: 'rival', listings: honestListings(market, at('16:20:00')), uploadedAt: at('18:00:00') };

  const score = (name: string, uploads: Parameters<typeof writeUpload>[1][]) =>
    scoreUploads(join(root, name), market, uploads);
  const credited = (outcome: EpochScoringOutcome, labels: string[]) =>
    labels.reduce((sum, label) => sum + outcome.file.validation_results[hotkeyOf(label)]!.listings!.credited_rows, 0);
  const rewards = (outcome: EpochScoringOutcome, labels: string[]) =>
    labels.reduce(
      (sum, label) =>
        sum + outcome.file.validation_results[hotkeyOf(label)]!.placings.reduce((total, p) => total + p.reward, 0),
      0,
    );

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-file-times-'));
    // Each half under a hotkey of its own, uploaded as soon as it was collected,
    sybils = await score('sybils', [
      rival,
      { label: 'sybil-1', listings: dataset.slice(0, half), uploadedAt: at('17:00:00') },
      { label: 'sybil-2', listings: dataset.slice(half), uploadedAt: at('18:30:00') },
    ]);
    // or both halves under one hotkey, as two files stored at the same instants.
    single = await score('single', [
      rival,
      {
        label: 'operator',
        listings: dataset,
        parts: 2,
        storedAt: (name) => (name === 'listings-0001.parquet' ? at('17:00:00') : at('18:30:00')),
        uploadedAt: at('18:30:00'),
      },
    ]);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('credits a file stored before a rival upload though the upload ended after it', () => {
    // The first half was stored at 17:00, before the rival's 18:00; the second after it.
    expect(credited(single, ['operator'])).toBe(half);
    expect(credited(single, ['rival'])).toBe(dataset.length - half);
    expect(single.file.validation_results[hotkeyOf('operator')]!.uploaded_at).toBe(at('18:30:00').toISOString());
  });

  it('pays a dataset split over hotkeys no more than the same files under one hotkey', () => {
    expect(credited(sybils, ['sybil-1', 'sybil-2'])).toBe(credited(single, ['operator']));
    expect(credited(sybils, ['rival'])).toBe(credited(single, ['rival']));
    expect(rewards(sybils, ['sybil-1', 'sybil-2'])).toBeLessThanOrEqual(rewards(single, ['operator']));
  });
});

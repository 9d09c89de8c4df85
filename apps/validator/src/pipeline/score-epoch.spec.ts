import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseValidationResultsFile } from '@resi/core';
import { FileListingSource } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectFetcher } from '../download/object-fetcher.js';
import {
  CRAFTED_ZIPCODES,
  at,
  buildMarket,
  epochResponse,
  honestListings,
  hotkeyOf,
  submissionsResponse,
  writeCraftedEpoch,
  writeMarketFeed,
  writeUpload,
} from '../testing/synthetic-epoch.test-utils.js';
import { ZipcodeFeedVerificationSource } from '../verification/verification-source.js';
import { type EpochScoringOutcome, scoreEpochSubmissions } from './score-epoch.js';

const VALIDATOR = hotkeyOf('validator');

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
        verification: new ZipcodeFeedVerificationSource(new FileListingSource({ path: marketPath })),
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

  it('gives the honest miner full marks', () => {
    // 200 valid rows, a sample of 20, all verified; every zipcode within 10%; on time.
    expect(result('honest')).toMatchObject({
      outcome: 'scored',
      score: { data_quality: 1, accuracy: 1, completeness: 1, timeliness: 1, total_score: 1 },
      accuracy_sample: { sampled: 20, accurate: 20 },
      reasons: [],
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

  it('credits the copier nothing for rows the honest miner uploaded first', () => {
    expect(result('copier')).toMatchObject({
      outcome: 'scored',
      weight: 0,
      placings: [],
      listings: { rows: 200, copied_rows: 200, credited_rows: 0 },
      score: { completeness: 0, total_score: 0.75 },
    });
    expect(result('copier').reasons[0]!.message).toContain(hotkeyOf('honest'));
    expect(result('honest').listings).toMatchObject({ copied_rows: 0, credited_rows: 200 });
  });

  it('penalises the grace-period upload and refuses the one after the grace end', () => {
    expect(result('late')).toMatchObject({
      score: { timeliness: 0.833333, total_score: 0.975 },
      reasons: [{ code: 'late_upload' }],
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

  it('catches invented listings in a real zipcode through the sample and the target band', () => {
    const inventor = result('inventor');
    // 260 rows: 60 do not exist at the source. 62703 holds 160 of 100 expected (+60%): band 0.
    expect(inventor.accuracy_sample!.sampled).toBe(26);
    expect(inventor.accuracy_sample!.not_found).toBeGreaterThan(0);
    expect(inventor.accuracy_sample!.accurate + inventor.accuracy_sample!.not_found).toBe(26);
    expect(inventor.score.completeness).toBe(0.866667); // 0.6 x 1 + 0.4 x (1 + 1 + 0)/3
    expect(inventor.reasons.map((reason) => reason.code)).toEqual(['listings_not_verified']);
  });

  it('refuses an upload without metadata.json', () => {
    expect(result('no-metadata')).toMatchObject({ outcome: 'rejected', reasons: [{ code: 'missing_metadata' }] });
  });

  it('ranks the zipcodes: ties between perfect miners go to the earlier upload', () => {
    const [first] = outcome.file.zipcode_rankings;
    expect(first!.zipcode).toBe('62701');
    // partial (18:30) and honest (19:00) both score 1 in 62701; partial uploaded first.
    expect(first!.ranking.slice(0, 2).map((entry) => entry.hotkey)).toEqual([hotkeyOf('partial'), hotkeyOf('honest')]);
    const honeypot = outcome.file.zipcode_rankings.find((zipcode) => zipcode.is_honeypot)!;
    expect(honeypot).toMatchObject({
      pool: 0,
      ranking: [],
      honeypot_claims: [{ hotkey: hotkeyOf('fabricator'), rows: 12 }],
    });
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
        label: 'split-overclaimer',
        listings: honestListings(market, at('16:30:00')),
        uploadedAt: at('19:02:00'),
        parts: 2,
        claimedRows: 150,
        uid: 3,
      }),
    ];
    const marketPath = join(root, 'market.json');
    await writeMarketFeed(marketPath, market);
    outcome = await scoreEpochSubmissions(
      {
        epoch: epochResponse(CRAFTED_ZIPCODES),
        submissions: submissionsResponse(submissions),
        validatorHotkey: VALIDATOR,
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(bucket),
        verification: new ZipcodeFeedVerificationSource(new FileListingSource({ path: marketPath })),
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('scores every row of every part and verifies its sample from them, as for one file', () => {
    // 200 rows in parts of 67, 67 and 66: all valid, all verified, every zipcode on target.
    expect(result('split')).toMatchObject({
      outcome: 'scored',
      score: { data_quality: 1, accuracy: 1, completeness: 1, timeliness: 1, total_score: 1 },
      accuracy_sample: { sampled: 20, accurate: 20 },
      listings: { rows: 200, copied_rows: 0, credited_rows: 200 },
      reasons: [],
    });
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

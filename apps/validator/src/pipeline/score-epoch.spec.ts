import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseValidationResultsFile, type MinerSubmission } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectFetcher } from '../download/object-fetcher.js';
import {
  type SyntheticZipcode,
  at,
  buildMarket,
  epochResponse,
  fabricatedListings,
  honestListings,
  hotkeyOf,
  submissionsResponse,
  writeMarketFeed,
  writeUpload,
} from '../testing/synthetic-epoch.test-utils.js';
import { LocalListingFeed } from '../verification/local-feed.js';
import { ZipcodeFeedVerificationSource } from '../verification/verification-source.js';
import { type EpochScoringOutcome, scoreEpochSubmissions } from './score-epoch.js';

const ZIPCODES: SyntheticZipcode[] = [
  { zipcode: '62701', expectedListings: 40, isHoneypot: false },
  { zipcode: '62702', expectedListings: 60, isHoneypot: false },
  { zipcode: '62703', expectedListings: 100, isHoneypot: false },
  { zipcode: '62799', expectedListings: 50, isHoneypot: true },
];
const market = buildMarket(ZIPCODES);
const VALIDATOR = hotkeyOf('validator');

/** Garbles the column data but keeps the footer, so only decoding the pages can tell. */
function garblePages(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  for (let index = 64; index < Math.min(copy.length - 2048, 4096); index++) copy[index] = (index * 151) & 0xff;
  return copy;
}

describe('scoreEpochSubmissions: crafted miners get the score the rules give, with the reason', () => {
  let root: string;
  let outcome: EpochScoringOutcome;
  const result = (label: string) => outcome.file.validation_results[hotkeyOf(label)]!;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-'));
    const honest = honestListings(market, at('16:10:00'));
    const uploads: MinerSubmission[] = [];
    const upload = async (...args: Parameters<typeof writeUpload> extends [string, infer U] ? [U] : never) =>
      uploads.push(await writeUpload(join(root, 'bucket'), args[0]));
    await upload({ label: 'honest', listings: honest, uploadedAt: at('19:00:00'), uid: 1 });
    await upload({
      label: 'partial',
      listings: honestListings(market, at('16:20:00'), { zipcodes: ['62701', '62702'] }),
      uploadedAt: at('18:30:00'),
      uid: 2,
    });
    await upload({
      label: 'fabricator',
      listings: [...honestListings(market, at('16:30:00')), ...fabricatedListings('62799', 12, at('17:00:00'))],
      uploadedAt: at('18:00:00'),
      uid: 3,
    });
    await upload({ label: 'copier', listings: honest, uploadedAt: at('19:30:00'), uid: 4 });
    await upload({
      label: 'late',
      listings: honestListings(market, at('16:40:00')),
      uploadedAt: at('20:05:00'),
      uid: 5,
    });
    await upload({
      label: 'too-late',
      listings: honestListings(market, at('16:50:00')),
      uploadedAt: at('20:20:00'),
      uid: 6,
    });
    await upload({
      label: 'corrupt',
      listings: honestListings(market, at('17:00:00')),
      uploadedAt: at('18:45:00'),
      fileBytes: (bytes) => bytes.slice(0, bytes.length - 100),
      uid: 7,
    });
    await upload({
      label: 'corrupt-pages',
      listings: honestListings(market, at('17:10:00')),
      uploadedAt: at('18:46:00'),
      fileBytes: garblePages,
      uid: 8,
    });
    await upload({
      label: 'overclaimer',
      listings: honestListings(market, at('17:20:00')),
      uploadedAt: at('18:47:00'),
      claimedRows: 300,
      listingsClaimed: 300,
      uid: 9,
    });
    await upload({
      label: 'inventor',
      listings: [...honestListings(market, at('17:30:00')), ...fabricatedListings('62703', 60, at('17:40:00'))],
      uploadedAt: at('18:48:00'),
      uid: 10,
    });
    await upload({
      label: 'no-metadata',
      listings: honest,
      uploadedAt: at('18:49:00'),
      withoutMetadata: true,
      uid: 11,
    });
    await writeMarketFeed(join(root, 'market.json'), market);

    outcome = await scoreEpochSubmissions(
      { epoch: epochResponse(ZIPCODES), submissions: submissionsResponse(uploads), validatorHotkey: VALIDATOR },
      {
        workDirectory: join(root, 'work'),
        fetcher: new LocalObjectFetcher(join(root, 'bucket')),
        verification: new ZipcodeFeedVerificationSource(new LocalListingFeed(join(root, 'market.json'))),
        duckdb: { threads: 2 },
      },
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes a results file whose digest checks out', () => {
    expect(parseValidationResultsFile(outcome.text).results_sha256).toBe(outcome.file.results_sha256);
    expect(Object.keys(outcome.file.validation_results)).toHaveLength(11);
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

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AccuracyTally,
  type EpochAssignmentsResponse,
  type EpochScoreSheet,
  type EpochScoringContext,
  type EpochSubmissionsResponse,
  type Listing,
  type MinerEvidence,
  type ValidationResultsFile,
  accuracySampleIndices,
  accuracySampleSeed,
  accuracySampleSize,
  buildValidationResultsFile,
  minerEpochUploadCaps,
  scoreEpoch,
  serializeValidationResults,
} from '@resi/core';
import type { ObjectFetcher } from '../download/object-fetcher.js';
import { type VerifiedSubmission, downloadSubmissions } from '../download/submission-files.js';
import type { DownloadLimits } from '../download/verified-download.js';
import { DuckDbSession, type DuckDbSessionOptions } from '../scan/duckdb-session.js';
import { EpochListingsScan } from '../scan/epoch-listings-scan.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { VerificationSource } from '../verification/verification-source.js';
import { type SampleCheck, checkSampledListing, tallySampleChecks } from '../verification/verify-sample.js';

export interface EpochScoringInput {
  /** `GET /epoch/{id}` after COMPLETED: honeypots revealed. */
  readonly epoch: EpochAssignmentsResponse;
  /** `GET /epochs/{id}/submissions`. */
  readonly submissions: EpochSubmissionsResponse;
  readonly validatorHotkey: string;
}

export interface EpochScoringOptions {
  /** Downloads go to `<workDirectory>/epoch=<id>/`; removed afterwards unless `keepFiles`. */
  readonly workDirectory: string;
  readonly fetcher: ObjectFetcher;
  readonly verification: VerificationSource;
  readonly downloadConcurrency?: number;
  readonly verificationConcurrency?: number;
  readonly downloadLimits?: DownloadLimits;
  readonly duckdb?: DuckDbSessionOptions;
  readonly keepFiles?: boolean;
  readonly log?: (message: string) => void;
}

/** Wall time of each stage, milliseconds. */
export interface EpochScoringTimings {
  download: number;
  scan: number;
  verification: number;
  scoring: number;
}

export interface EpochScoringOutcome {
  readonly file: ValidationResultsFile;
  /** The exact bytes to upload (`serializeValidationResults`). */
  readonly text: string;
  readonly sheet: EpochScoreSheet;
  readonly evidence: readonly MinerEvidence[];
  /** Every sampled listing's verification, by miner. */
  readonly sampleChecks: ReadonlyMap<string, readonly SampleCheck[]>;
  readonly timings: EpochScoringTimings;
}

/** The epoch facts scoring uses, from the two API answers. */
export function scoringContextOf(input: EpochScoringInput): EpochScoringContext {
  const { epoch, submissions } = input;
  if (epoch.epochId !== submissions.epochId) {
    throw new Error(`epoch ${epoch.epochId} and submissions of ${submissions.epochId} do not belong together`);
  }
  const zipcodes = epoch.zipcodes.map((zipcode) => {
    if (zipcode.isHoneypot === undefined) {
      throw new Error(
        `epoch ${epoch.epochId} is ${epoch.status}: honeypots are not revealed yet, so it cannot be scored`,
      );
    }
    return { zipcode: zipcode.zipcode, expectedListings: zipcode.expectedListings, isHoneypot: zipcode.isHoneypot };
  });
  return {
    epochId: epoch.epochId,
    nonce: epoch.nonce,
    epochStartMs: Date.parse(epoch.epochStart),
    submissionDeadlineMs: Date.parse(submissions.submissionDeadline),
    graceEndMs: Date.parse(submissions.graceEnd),
    zipcodes,
  };
}

const now = () => performance.now();

/**
 * Scores one epoch end to end: downloads and verifies every submission, scans all accepted
 * listings files at once with DuckDB, verifies each miner's deterministic accuracy sample, and
 * applies `scoreEpoch`. Refused uploads, undecodable files and honeypot claims score 0 with
 * their reason; the run goes on for everyone else. Returns the results file and its bytes.
 */
export async function scoreEpochSubmissions(
  input: EpochScoringInput,
  options: EpochScoringOptions,
): Promise<EpochScoringOutcome> {
  const log = options.log ?? (() => undefined);
  const context = scoringContextOf(input);
  const directory = join(options.workDirectory, `epoch=${context.epochId}`);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const timings: EpochScoringTimings = { download: 0, scan: 0, verification: 0, scoring: 0 };
  let session: DuckDbSession | undefined;
  try {
    let started = now();
    const verified = await downloadSubmissions(input.submissions.submissions, {
      epochId: context.epochId,
      epochNonce: context.nonce,
      directory,
      fetcher: options.fetcher,
      concurrency: options.downloadConcurrency ?? 8,
      caps: minerEpochUploadCaps(input.epoch.targetListings),
      ...(options.downloadLimits ? { limits: options.downloadLimits } : {}),
    });
    timings.download = now() - started;
    const accepted = verified.filter((miner) => miner.rejection === null && miner.uploadedAtMs !== null);
    log(`epoch ${context.epochId}: ${verified.length} submissions, ${accepted.length} accepted for scanning`);

    started = now();
    session = await DuckDbSession.open({ tempDirectory: join(directory, '.duckdb'), ...options.duckdb });
    const honeypotZipcodes = context.zipcodes.filter((zipcode) => zipcode.isHoneypot).map((zipcode) => zipcode.zipcode);
    const scan = new EpochListingsScan(session, {
      assignedZipcodes: context.zipcodes.map((zipcode) => zipcode.zipcode),
      honeypotZipcodes,
      epochStartMs: context.epochStartMs,
      graceEndMs: context.graceEndMs,
    });
    const scanned = await scan.scan(
      accepted.map((miner) => ({ hotkey: miner.hotkey, uploadedAtMs: miner.uploadedAtMs!, files: miner.files })),
    );
    for (const [hotkey, file] of scanned.corrupt) log(`miner ${hotkey}: ${file.name} does not decode: ${file.detail}`);
    // Honeypot claimers score 0 whatever their sample says, so their listings are not re-fetched.
    const positions = new Map<string, number[]>();
    for (const [hotkey, listings] of scanned.evidence) {
      if (honeypotZipcodes.some((zipcode) => (listings.rowsByZipcode.get(zipcode) ?? 0) > 0)) continue;
      const size = accuracySampleSize(listings.validRows);
      positions.set(
        hotkey,
        accuracySampleIndices(accuracySampleSeed(context.nonce, context.epochId, hotkey), listings.validRows, size),
      );
    }
    const samples = await scan.sampledListings(positions);
    timings.scan = now() - started;

    started = now();
    const sampleChecks = await verifyAllSamples(options.verification, samples, options.verificationConcurrency ?? 16);
    timings.verification = now() - started;

    started = now();
    const evidence = verified.map((miner) => evidenceOf(miner, scanned, sampleChecks));
    const sheet = scoreEpoch(context, evidence);
    const file = buildValidationResultsFile({ context, evidence, sheet, validatorHotkey: input.validatorHotkey });
    const text = serializeValidationResults(file);
    timings.scoring = now() - started;
    return {
      file,
      text,
      sheet,
      evidence,
      sampleChecks: new Map([...sampleChecks].map(([hotkey, result]) => [hotkey, result.checks])),
      timings,
    };
  } finally {
    session?.close();
    if (!options.keepFiles) await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Verifies every miner's sample through one pool of `concurrency` lookups, so slow answers overlap
 * across miners; results are regrouped per miner in sample order.
 */
async function verifyAllSamples(
  source: VerificationSource,
  samples: ReadonlyMap<string, readonly Listing[]>,
  concurrency: number,
): Promise<Map<string, { tally: AccuracyTally; checks: SampleCheck[] }>> {
  const lookups = [...samples].flatMap(([hotkey, listings]) => listings.map((listing) => ({ hotkey, listing })));
  const checks = await mapWithConcurrency(lookups, concurrency, ({ listing }) => checkSampledListing(source, listing));
  const byMiner = new Map<string, SampleCheck[]>([...samples.keys()].map((hotkey) => [hotkey, []]));
  lookups.forEach((lookup, index) => byMiner.get(lookup.hotkey)!.push(checks[index]!));
  return new Map([...byMiner].map(([hotkey, list]) => [hotkey, { tally: tallySampleChecks(list), checks: list }]));
}

function evidenceOf(
  miner: VerifiedSubmission,
  scanned: Awaited<ReturnType<EpochListingsScan['scan']>>,
  checks: ReadonlyMap<string, { tally: AccuracyTally }>,
): MinerEvidence {
  const base = {
    hotkey: miner.hotkey,
    uid: miner.uid,
    uploadedAtMs: miner.uploadedAtMs,
    listingsClaimed: miner.listingsClaimed,
  };
  if (miner.rejection) return { ...base, rejection: miner.rejection, listings: null, accuracy: null };
  const corrupt = scanned.corrupt.get(miner.hotkey);
  if (corrupt !== undefined) {
    return {
      ...base,
      // Implementation-neutral, so validators on other DuckDB releases or paths write the same words.
      rejection: { code: 'corrupt_parquet', message: `${corrupt.name} does not decode: its column data is corrupt` },
      listings: null,
      accuracy: null,
    };
  }
  return {
    ...base,
    rejection: null,
    listings: scanned.evidence.get(miner.hotkey) ?? null,
    accuracy: checks.get(miner.hotkey)?.tally ?? null,
  };
}

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CREDIBILITY_DEFAULTS,
  type CredibilityParams,
  type CredibilityState,
  type CredibilityUpdate,
  EMPTY_CREDIBILITY,
  type EpochAssignmentsResponse,
  type EpochScoreSheet,
  type EpochScoringContext,
  type EpochSubmissionsResponse,
  type MinerAuditSummary,
  type MinerEvidence,
  NO_VERDICT_REASONS,
  type ScoringReason,
  type ValidationResultsFile,
  applyCredibility,
  auditedZipcodes,
  buildValidationResultsFile,
  epochRevealed,
  minerEpochUploadCaps,
  credibilityMinersOf,
  mayBeCredited,
  scoreEpoch,
  serializeValidationResults,
  summariseMinerAudit,
} from '@resi/core';
import type { ObjectFetcher } from '../download/object-fetcher.js';
import { type VerifiedSubmission, downloadSubmissions } from '../download/submission-files.js';
import type { DownloadLimits } from '../download/verified-download.js';
import { defaultMinerTimeLimitMs } from '../download/miner-time-limit.js';
import { DuckDbSession, type DuckDbSessionOptions } from '../scan/duckdb-session.js';
import { type CreditedListings, EpochListingsScan, type ScannedListings } from '../scan/epoch-listings-scan.js';
import type { AuditSources } from '../verification/verification-source.js';
import { type AuditVerification, verifyAuditRows } from '../verification/verify-audit.js';

export interface EpochScoringInput {
  /** `GET /epoch/{id}` after the grace end: honeypots and the audit seed revealed. */
  readonly epoch: EpochAssignmentsResponse;
  /** `GET /epochs/{id}/submissions`. */
  readonly submissions: EpochSubmissionsResponse;
  readonly validatorHotkey: string;
  /** Credibility before this epoch (the validator's state); empty for a first epoch. */
  readonly credibility?: CredibilityState;
}

export interface EpochScoringOptions {
  /** Downloads go to `<workDirectory>/epoch=<id>/`; removed afterwards unless `keepFiles`. */
  readonly workDirectory: string;
  readonly fetcher: ObjectFetcher;
  /** The enabled sources the audited zipcodes are verified against. */
  readonly verification: AuditSources;
  readonly downloadConcurrency?: number;
  /** Zipcode feeds fetched at once. */
  readonly verificationConcurrency?: number;
  readonly credibility?: CredibilityParams;
  readonly downloadLimits?: DownloadLimits;
  /**
   * Wall time one miner's download and verification may take (ms); past it the miner gets no
   * verdict. Default `defaultMinerTimeLimitMs` of the epoch's caps.
   */
  readonly minerTimeLimitMs?: number;
  readonly duckdb?: DuckDbSessionOptions;
  readonly keepFiles?: boolean;
  readonly log?: (message: string) => void;
}

/** Wall time of each stage, milliseconds. */
export interface EpochScoringTimings {
  download: number;
  scan: number;
  /** Reading the audited rows back, fetching the feeds and judging every row. */
  verification: number;
  /** Counting verdicts and crediting each listing to its earliest upload. */
  crediting: number;
  scoring: number;
}

export interface EpochScoringOutcome {
  readonly file: ValidationResultsFile;
  /** The exact bytes to upload (`serializeValidationResults`). */
  readonly text: string;
  readonly sheet: EpochScoreSheet;
  readonly evidence: readonly MinerEvidence[];
  /** Credibility after this epoch: keep `state` for the next one. */
  readonly credibility: CredibilityUpdate;
  /**
   * The audit: feeds asked for and what they answered, distinct rows given a verdict, and of them
   * those verified among the listings closed since the epoch began.
   */
  readonly audit: {
    readonly feeds: AuditVerification['feeds'];
    readonly rowsVerified: number;
    readonly rowsVerifiedClosed: number;
  };
  readonly timings: EpochScoringTimings;
}

/**
 * The epoch facts scoring uses, from the two API answers.
 * @throws Error unless the API revealed the audit seed and the honeypot flags (`epochRevealed`):
 * without them an epoch is not scored, and the validator does not abstain either; it waits.
 */
export function scoringContextOf(input: EpochScoringInput): EpochScoringContext {
  const { epoch, submissions } = input;
  if (epoch.epochId !== submissions.epochId) {
    throw new Error(`epoch ${epoch.epochId} and submissions of ${submissions.epochId} do not belong together`);
  }
  if (!epochRevealed(epoch) || epoch.auditSeed === undefined) {
    throw new Error(
      `epoch ${epoch.epochId} is ${epoch.status}: the audit seed and honeypots are not revealed yet, so it cannot be scored`,
    );
  }
  const seed = epoch.auditSeed;
  const zipcodes = epoch.zipcodes.map((zipcode) => ({
    zipcode: zipcode.zipcode,
    expectedListings: zipcode.expectedListings,
    isHoneypot: zipcode.isHoneypot === true,
  }));
  const real = zipcodes.filter((zipcode) => !zipcode.isHoneypot).map((zipcode) => zipcode.zipcode);
  return {
    epochId: epoch.epochId,
    nonce: epoch.nonce,
    epochStartMs: Date.parse(epoch.epochStart),
    submissionDeadlineMs: Date.parse(submissions.submissionDeadline),
    graceEndMs: Date.parse(submissions.graceEnd),
    zipcodes,
    audit: { seed, zipcodes: auditedZipcodes(seed, real), trueCounts: new Map(), abstention: null },
  };
}

/**
 * The credibility step: applies the scored epoch to the credibility held before it
 * (`applyCredibility`: moving average of reward shares, penalties, abstentions kept). Separate
 * from scoring so a simulation can run it over many epochs; `scoreEpochSubmissions` calls it.
 */
export function applyEpochCredibility(
  prior: CredibilityState,
  context: EpochScoringContext,
  sheet: EpochScoreSheet,
  params: CredibilityParams = CREDIBILITY_DEFAULTS,
): CredibilityUpdate {
  return applyCredibility(
    prior,
    { epochId: context.epochId, abstained: context.audit.abstention !== null, miners: credibilityMinersOf(sheet) },
    params,
  );
}

const now = () => performance.now();

/**
 * Scores one epoch end to end: downloads and verifies every submission; scans all accepted listings
 * files at once with DuckDB; draws the audited zipcodes from the revealed seed and verifies every
 * valid row there against its source's whole zipcode feed (each fetched once); credits each listing
 * once, to its earliest upload; applies `scoreEpoch` and the credibility step. Refused uploads,
 * undecodable files, honeypot claims and fabrication score 0 with their reason; faults on the
 * validator's side (downloads, sources) give no verdict. Returns the results file and its bytes.
 */
export async function scoreEpochSubmissions(
  input: EpochScoringInput,
  options: EpochScoringOptions,
): Promise<EpochScoringOutcome> {
  const log = options.log ?? (() => undefined);
  const initial = scoringContextOf(input);
  const directory = join(options.workDirectory, `epoch=${initial.epochId}`);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const timings: EpochScoringTimings = { download: 0, scan: 0, verification: 0, crediting: 0, scoring: 0 };
  let session: DuckDbSession | undefined;
  try {
    let started = now();
    const caps = minerEpochUploadCaps(input.epoch.targetListings);
    const verified = await downloadSubmissions(input.submissions.submissions, {
      epochId: initial.epochId,
      epochNonce: initial.nonce,
      epochStartMs: initial.epochStartMs,
      directory,
      fetcher: options.fetcher,
      concurrency: options.downloadConcurrency ?? 8,
      caps,
      minerTimeLimitMs: options.minerTimeLimitMs ?? defaultMinerTimeLimitMs(caps),
      ...(options.downloadLimits ? { limits: options.downloadLimits } : {}),
    });
    timings.download = now() - started;
    const accepted = verified.filter(
      (miner) =>
        miner.rejection === null &&
        miner.downloadFailure === null &&
        miner.timeLimitExceeded === null &&
        miner.uploadedAtMs !== null,
    );
    log(`epoch ${initial.epochId}: ${verified.length} submissions, ${accepted.length} accepted for scanning`);
    for (const miner of verified) {
      const fault = miner.downloadFailure ?? miner.timeLimitExceeded;
      if (fault) log(`miner ${miner.hotkey}: no verdict, ${fault}`);
    }

    started = now();
    session = await DuckDbSession.open({ tempDirectory: join(directory, '.duckdb'), ...options.duckdb });
    const honeypotZipcodes = initial.zipcodes.filter((zipcode) => zipcode.isHoneypot).map((zipcode) => zipcode.zipcode);
    const scan = new EpochListingsScan(session, {
      assignedZipcodes: initial.zipcodes.map((zipcode) => zipcode.zipcode),
      honeypotZipcodes,
      epochStartMs: initial.epochStartMs,
      graceEndMs: initial.graceEndMs,
      auditSeed: initial.audit.seed!,
    });
    const scanned = await scan.scan(
      accepted.map((miner) => ({ hotkey: miner.hotkey, uploadedAtMs: miner.uploadedAtMs!, files: miner.files })),
    );
    for (const [hotkey, file] of scanned.corrupt) log(`miner ${hotkey}: ${file.name} does not decode: ${file.detail}`);
    timings.scan = now() - started;

    // The audit: honeypot claimers score 0 whatever their rows say, so theirs are not verified.
    started = now();
    const audited = [...scanned.evidence]
      .filter(([, listings]) => !honeypotZipcodes.some((zipcode) => (listings.rowsByZipcode.get(zipcode) ?? 0) > 0))
      .map(([hotkey]) => hotkey);
    const rows = await scan.auditRows(initial.audit.zipcodes, audited);
    options.verification.startEpoch?.({ startMs: initial.epochStartMs });
    const verification: AuditVerification = await verifyAuditRows(rows, options.verification, {
      concurrency: options.verificationConcurrency ?? 16,
      auditSeed: initial.audit.seed!,
    });
    for (const feed of verification.feeds) log(`audit ${feed.zipcode} at ${feed.source}: ${feed.outcome}`);
    if (verification.verifiedClosed > 0)
      log(`audit: ${verification.verifiedClosed} rows verified among the listings closed since the epoch began`);
    timings.verification = now() - started;

    started = now();
    await scan.recordVerdicts(verification.verdicts);
    const counts = await scan.auditCounts(initial.audit.zipcodes);
    const context: EpochScoringContext = {
      ...initial,
      audit: {
        ...initial.audit,
        trueCounts: verification.trueCounts,
        abstention: initial.audit.abstention ?? epochAbstention(verification),
      },
    };
    if (context.audit.abstention)
      log(`epoch ${context.epochId}: this validator abstains: ${context.audit.abstention.message}`);
    const audits = new Map(audited.map((hotkey) => [hotkey, summariseMinerAudit(counts.get(hotkey) ?? [])]));
    const drafts = verified.map((miner) => evidenceOf(miner, scanned, audits, null));
    const credited = await scan.credit(
      drafts.filter((miner) => mayBeCredited(miner, context)).map((miner) => miner.hotkey),
    );
    const evidence = verified.map((miner) => evidenceOf(miner, scanned, audits, credited.get(miner.hotkey) ?? null));
    timings.crediting = now() - started;

    started = now();
    const sheet = scoreEpoch(context, evidence);
    const params = options.credibility ?? CREDIBILITY_DEFAULTS;
    const credibility = applyEpochCredibility(input.credibility ?? EMPTY_CREDIBILITY, context, sheet, params);
    const file = buildValidationResultsFile({
      context,
      evidence,
      sheet,
      validatorHotkey: input.validatorHotkey,
      credibility: { params, changes: credibility.changes },
    });
    const text = serializeValidationResults(file);
    timings.scoring = now() - started;
    return {
      file,
      text,
      sheet,
      evidence,
      credibility,
      audit: {
        feeds: verification.feeds,
        rowsVerified: verification.verdicts.size,
        rowsVerifiedClosed: verification.verifiedClosed,
      },
      timings,
    };
  } finally {
    session?.close();
    if (!options.keepFiles) await rm(directory, { recursive: true, force: true });
  }
}

/**
 * The whole-epoch abstention: rows had to be verified but not one got a verdict (every source
 * down, blocked or unsupported). The validator then says so and changes nobody's credibility.
 */
function epochAbstention(verification: AuditVerification): ScoringReason | null {
  if (verification.verdicts.size === 0) return null;
  const reasons = new Map<string, number>();
  for (const verdict of verification.verdicts.values()) {
    if (!(NO_VERDICT_REASONS as readonly string[]).includes(verdict)) return null;
    reasons.set(verdict, (reasons.get(verdict) ?? 0) + 1);
  }
  const detail = [...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ');
  return {
    code: 'no_verdict',
    message: `none of the ${verification.verdicts.size} distinct audited rows could be checked (${detail})`,
  };
}

function evidenceOf(
  miner: VerifiedSubmission,
  scanned: {
    readonly evidence: ReadonlyMap<string, ScannedListings>;
    readonly corrupt: ReadonlyMap<string, { name: string }>;
  },
  audits: ReadonlyMap<string, MinerAuditSummary>,
  credited: CreditedListings | null,
): MinerEvidence {
  const base = {
    hotkey: miner.hotkey,
    uid: miner.uid,
    uploadedAtMs: miner.uploadedAtMs,
    listingsClaimed: miner.listingsClaimed,
    skippedChecks: miner.skippedChecks,
  };
  const unscanned = { listings: null, audit: null };
  if (miner.rejection) return { ...base, rejection: miner.rejection, abstention: null, ...unscanned };
  if (miner.timeLimitExceeded) {
    return {
      ...base,
      rejection: null,
      abstention: {
        code: 'time_limit_exceeded',
        message: `${miner.timeLimitExceeded} (this validator's storage was too slow, not a fault in the upload)`,
      },
      ...unscanned,
    };
  }
  if (miner.downloadFailure) {
    return {
      ...base,
      rejection: null,
      abstention: {
        code: 'download_failed',
        message: 'the upload could not be downloaded (a fault on the way, not in the upload)',
      },
      ...unscanned,
    };
  }
  const corrupt = scanned.corrupt.get(miner.hotkey);
  if (corrupt !== undefined) {
    return {
      ...base,
      // Implementation-neutral, so validators on other DuckDB releases or paths write the same words.
      rejection: { code: 'corrupt_parquet', message: `${corrupt.name} does not decode: its column data is corrupt` },
      abstention: null,
      ...unscanned,
    };
  }
  const listings = scanned.evidence.get(miner.hotkey);
  return {
    ...base,
    rejection: null,
    abstention: null,
    listings: listings
      ? {
          ...listings,
          listingsByZipcode: credited?.listingsByZipcode ?? new Map(),
          creditedByZipcode: credited?.creditedByZipcode ?? new Map(),
          overlapRows: credited?.overlapRows ?? 0,
        }
      : null,
    audit: audits.get(miner.hotkey) ?? null,
  };
}

import { AUDIT_MIN_VERDICTS, type MinerAuditSummary, NO_VERDICT_REASONS } from './audit.js';
import { completenessScore } from './completeness.js';
import {
  type DataQualityCheck,
  type DataQualityCounts,
  type RowQualityReason,
  dataQualityScore,
} from './data-quality.js';
import { rankZipcodeCompetitors, zipcodePools } from './rewards.js';
import { REWARD_DECIMALS, type ScoreComponents, roundScore, roundTo, totalScoreOf } from './score-components.js';
import { type SubmissionWindow, timelinessScore, uploadTimingOf } from './timeliness.js';

/**
 * One epoch's scoring from the evidence a validator gathered (PROTOCOL.md §8): per miner the four
 * components and the total, honeypots, fabrication found by the audit, abstentions and refused
 * uploads with their reasons; per real zipcode the rewards, proportional to the listings credited;
 * per miner the weight. Pure and order-independent: the same evidence gives the same sheet
 * whatever order it arrives in.
 */

/** A zipcode of the epoch as validators see it after COMPLETED. */
export interface ScoringZipcode {
  readonly zipcode: string;
  readonly expectedListings: number;
  readonly isHoneypot: boolean;
}

/** A reason with a stable code and a sentence. */
export interface ScoringReason {
  readonly code: string;
  readonly message: string;
}

/** The epoch's audit as the validator ran it. */
export interface EpochAudit {
  /** The audit seed the API revealed at the grace end; null when it revealed none. */
  readonly seed: string | null;
  /** The audited zipcodes (`auditedZipcodes`), in zipcode order. */
  readonly zipcodes: readonly string[];
  /**
   * The true listing count of each audited zipcode whose source answered (the feed's listings):
   * completeness is measured against it there. Audited zipcodes missing here had no verdict and
   * count as not audited.
   */
  readonly trueCounts: ReadonlyMap<string, number>;
  /** Set when the validator could verify nothing at all: it abstains for the whole epoch. */
  readonly abstention: ScoringReason | null;
}

/**
 * Whether the epoch pays for listings in `zipcode`: a real zipcode the audit drew whose source
 * answered (it has a true count). Only there is every row checked, so only there is anything
 * credited, rewarded or measured for completeness; the other zipcodes' share of the reward goes
 * to these. A miner cannot know before the seed is revealed which zipcodes pay, so it must
 * deliver real listings everywhere, and a row nobody checked never earns.
 */
export function paysIn(context: Pick<EpochScoringContext, 'zipcodes' | 'audit'>, zipcode: string): boolean {
  if (!context.audit.trueCounts.has(zipcode) || !context.audit.zipcodes.includes(zipcode)) return false;
  return context.zipcodes.some((candidate) => candidate.zipcode === zipcode && !candidate.isHoneypot);
}

/** The epoch facts scoring needs. */
export interface EpochScoringContext extends SubmissionWindow {
  readonly epochId: string;
  readonly nonce: string;
  readonly zipcodes: readonly ScoringZipcode[];
  readonly audit: EpochAudit;
}

/**
 * Why a miner's upload could not be scored at all; its score is 0. Stable codes, published in
 * the results file.
 */
export const MINER_REJECTION_CODES = [
  'no_upload',
  'missing_metadata',
  'invalid_metadata',
  'metadata_mismatch',
  'missing_file',
  'manifest_mismatch',
  'file_too_large',
  'size_mismatch',
  'sha256_mismatch',
  'corrupt_parquet',
  'wrong_schema',
  'row_count_mismatch',
  'uploaded_after_grace',
  'over_upload_cap',
  'modified_after_grace',
] as const;
export type MinerRejectionCode = (typeof MINER_REJECTION_CODES)[number];

/**
 * Refusals that prove the miner tampered with its upload: an upload is final at the grace end, so
 * a listed file changed or removed after it is fabrication (`modified_after_grace`). So is a file
 * whose SHA-256 differs from the digest the miner declared before the grace end: the validator
 * refuses another ETag or size first, so the bytes passed the grace-end record's ETag (an MD5 for
 * most uploads, and MD5 twins take seconds to make) and can only be a twin swapped in after the
 * seed was revealed, or bytes the miner's own client never hashed. They carry fabrication's
 * outcome (`fabricated`: score 0, and credibility 0 for `penaltyEpochs` epochs), not a plain
 * refusal's.
 */
export const FABRICATION_REJECTION_CODES: ReadonlySet<MinerRejectionCode> = new Set([
  'modified_after_grace',
  'sha256_mismatch',
]);

/** A refusal with the sentence that explains it. */
export interface MinerRejection {
  readonly code: MinerRejectionCode;
  readonly message: string;
}

/**
 * Why a miner has no verdict this epoch although it uploaded: a fault on the validator's side (a
 * download that failed after retries, storage too slow for the per-miner time limit), never the
 * miner's penalty. Stable codes.
 */
export const MINER_ABSTENTION_CODES = [
  'download_failed',
  'time_limit_exceeded',
  'too_few_verdicts',
  'validator_abstained',
] as const;
export type MinerAbstentionCode = (typeof MINER_ABSTENTION_CODES)[number];

/** What scanning a miner's listings found (row counts; see `DataQualityCounts`). */
export interface MinerListingsEvidence extends DataQualityCounts {
  /** Rows with no quality reason at all. */
  readonly validRows: number;
  /** Rows by the zipcode they claim, whatever their validity: honeypot claims are read here. */
  readonly rowsByZipcode: ReadonlyMap<string, number>;
  /**
   * The miner's own distinct listings that can be credited (valid, in an assigned real zipcode,
   * verified where the zipcode was audited with a verdict), by zipcode: what completeness counts.
   */
  readonly listingsByZipcode: ReadonlyMap<string, number>;
  /** Listings credited to the miner (each listing once, to its earliest upload), by zipcode. */
  readonly creditedByZipcode: ReadonlyMap<string, number>;
  /** Listings an earlier upload delivered first: not credited here, and not a finding. */
  readonly overlapRows: number;
  /** Rows per quality reason (a row may count under several). */
  readonly reasonCounts: Readonly<Partial<Record<RowQualityReason, number>>>;
}

/** Everything a validator gathered about one miner. */
export interface MinerEvidence {
  readonly hotkey: string;
  readonly uid: number | null;
  /** Server-observed time of the miner's last scored object (ms); null when nothing was uploaded. */
  readonly uploadedAtMs: number | null;
  /** The miner's own listing count from its status reports (informative only). */
  readonly listingsClaimed: number | null;
  /** Set when the upload could not be scored (the miner's fault); `listings` and `audit` are then ignored. */
  readonly rejection: MinerRejection | null;
  /** Set when the validator could not reach a verdict (its fault): no score, no penalty. */
  readonly abstention: { readonly code: MinerAbstentionCode; readonly message: string } | null;
  readonly listings: MinerListingsEvidence | null;
  /** The audit of the miner's rows in the audited zipcodes; null when none was run. */
  readonly audit: MinerAuditSummary | null;
  /**
   * Checks the upload's format did not allow (a seed-format `metadata.json` has no nonce and no
   * per-file digests), each with what held instead; recorded among the miner's reasons.
   */
  readonly skippedChecks?: readonly ScoringReason[];
}

/** How a miner came out of the epoch. */
export const MINER_OUTCOMES = ['scored', 'honeypot', 'fabricated', 'rejected', 'abstained'] as const;
export type MinerOutcome = (typeof MINER_OUTCOMES)[number];

/** A reason recorded for a miner, with a stable code. */
export interface MinerNote {
  readonly code: string;
  readonly message: string;
}

/** A miner's place in one zipcode. */
export interface MinerZipcodePlacing {
  readonly zipcode: string;
  readonly rank: number;
  readonly reward: number;
}

/** One miner's result. */
export interface MinerEpochScore {
  readonly hotkey: string;
  readonly uid: number | null;
  readonly outcome: MinerOutcome;
  readonly score: ScoreComponents & { readonly total_score: number };
  readonly qualityChecks: Readonly<Record<DataQualityCheck, number>> | null;
  readonly completeness: { readonly coverage: number; readonly targets: number } | null;
  /** Sum of the miner's zipcode rewards: its weight before normalisation and burn. */
  readonly weight: number;
  readonly placings: readonly MinerZipcodePlacing[];
  readonly uploadedAtMs: number | null;
  readonly notes: readonly MinerNote[];
}

/** A placing in a zipcode's ranking (by reward, for display). */
export interface ZipcodeRankingEntry {
  readonly rank: number;
  readonly hotkey: string;
  /** The miner's total score: the part of its proportional share it is paid. */
  readonly zipcodeScore: number;
  readonly creditedListings: number;
  readonly uploadedAtMs: number;
  /** `zipcodeScore × credited / Σ credited`. */
  readonly share: number;
  /** `pool × share`. */
  readonly reward: number;
}

/** One zipcode's result. */
export interface ZipcodeResult {
  readonly zipcode: string;
  readonly expectedListings: number;
  readonly isHoneypot: boolean;
  /** Share of the epoch's reward: 0 unless the epoch pays there (`paysIn`). */
  readonly pool: number;
  /** Audited with a verdict: the epoch pays here (`paysIn`). */
  readonly audited: boolean;
  /**
   * The validated listing count the API folds into the zipcode's expected-listings history: the
   * source's true count where the zipcode was audited with a verdict, else null (a count nobody
   * checked would let a padder steer the estimates).
   */
  readonly observedListings: number | null;
  readonly ranking: readonly ZipcodeRankingEntry[];
  /** Miners caught claiming listings here when it is a honeypot, with their row counts. */
  readonly honeypotClaims: readonly { readonly hotkey: string; readonly rows: number }[];
}

/** The scored epoch. */
export interface EpochScoreSheet {
  /** In hotkey order. */
  readonly miners: readonly MinerEpochScore[];
  /** In zipcode order. */
  readonly zipcodes: readonly ZipcodeResult[];
}

const ZERO_COMPONENTS: ScoreComponents = { data_quality: 0, accuracy: 0, completeness: 0, timeliness: 0 };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

interface MinerDraft {
  readonly evidence: MinerEvidence;
  readonly outcome: MinerOutcome;
  readonly components: ScoreComponents;
  readonly total: number;
  readonly qualityChecks: Readonly<Record<DataQualityCheck, number>> | null;
  readonly completeness: { readonly coverage: number; readonly targets: number } | null;
  readonly notes: MinerNote[];
}

function unscored(
  evidence: MinerEvidence,
  outcome: 'rejected' | 'fabricated' | 'abstained',
  reason: MinerNote,
): MinerDraft {
  return {
    evidence,
    outcome,
    components: ZERO_COMPONENTS,
    total: 0,
    qualityChecks: null,
    completeness: null,
    notes: [{ code: reason.code, message: reason.message }],
  };
}

/** The honeypot zipcodes a miner claims rows in, in zipcode order. */
function honeypotsClaimed(listings: MinerListingsEvidence, context: EpochScoringContext): string[] {
  return context.zipcodes
    .filter((zipcode) => zipcode.isHoneypot && (listings.rowsByZipcode.get(zipcode.zipcode) ?? 0) > 0)
    .map((zipcode) => zipcode.zipcode)
    .sort(compareText);
}

/** The finding of a honeypot claim: the rows claimed and where. */
function honeypotNote(listings: MinerListingsEvidence, honeypots: readonly string[]): MinerNote {
  const rows = honeypots.reduce((sum, zipcode) => sum + (listings.rowsByZipcode.get(zipcode) ?? 0), 0);
  return {
    code: 'honeypot_listings',
    message: `${plural(rows, 'listing')} claimed in honeypot zipcode${honeypots.length === 1 ? '' : 's'} ${honeypots.join(', ')}, where no residential market exists: the epoch score is 0`,
  };
}

/**
 * Whether a miner's rows may be credited at all: an upload that was scanned, stored before the
 * grace end, claims no honeypot and passed the audit. Rows of any other miner neither earn nor
 * keep a later upload from being credited for the same listing. The validator asks this before
 * it credits listings, `scoreEpoch` after, so both apply the same rule.
 */
export function mayBeCredited(
  evidence: Pick<MinerEvidence, 'rejection' | 'abstention' | 'uploadedAtMs' | 'audit'> & {
    readonly listings: Pick<MinerListingsEvidence, 'rowsByZipcode'> | null;
  },
  context: EpochScoringContext,
): boolean {
  if (context.audit.abstention || evidence.rejection || evidence.abstention || evidence.listings === null) return false;
  if (evidence.uploadedAtMs === null || uploadTimingOf(evidence.uploadedAtMs, context) === 'after_grace') return false;
  if (honeypotsClaimed(evidence.listings as MinerListingsEvidence, context).length > 0) return false;
  return evidence.audit !== null && evidence.audit.outcome === 'passed';
}

/** The listings the sites answered in the zipcodes the epoch pays in (`paysIn`): what a miner could have delivered there. */
function auditedMarket(context: EpochScoringContext): number {
  let listings = 0;
  for (const [zipcode, trueCount] of context.audit.trueCounts) if (paysIn(context, zipcode)) listings += trueCount;
  return listings;
}

/**
 * Whether a miner's shortage of verdicts (fewer than {@link AUDIT_MIN_VERDICTS}) is this
 * validator's doing, so it abstains for the miner and its credibility stays as it was: its rows
 * without a verdict because a source was down or the row budget ran out would have made up the
 * shortage, or the sites' whole answer in the paying zipcodes holds fewer listings than that. Any
 * other shortage is the upload's: it put too few real rows where the seed drew (a miner cannot
 * know where, so an upload of a row or two, or of rows only on sites this validator does not
 * verify, lands here). It earns nothing and its credibility moves as for an epoch without reward;
 * abstaining for it would let a miner with credibility keep its weight without mining.
 */
function tooFewVerdictsIsOurs(audit: MinerAuditSummary | null, context: EpochScoringContext): boolean {
  const verdicts = audit ? audit.verified + audit.mismatched + audit.notFound : 0;
  const withheld = audit ? (audit.noVerdict.source_unavailable ?? 0) + (audit.noVerdict.budget_exhausted ?? 0) : 0;
  return verdicts + withheld >= AUDIT_MIN_VERDICTS || auditedMarket(context) < AUDIT_MIN_VERDICTS;
}

function draftMiner(evidence: MinerEvidence, context: EpochScoringContext): MinerDraft {
  if (evidence.rejection) {
    const proven = FABRICATION_REJECTION_CODES.has(evidence.rejection.code);
    return unscored(evidence, proven ? 'fabricated' : 'rejected', evidence.rejection);
  }
  if (evidence.abstention) return unscored(evidence, 'abstained', evidence.abstention);
  const { listings } = evidence;
  if (listings === null || evidence.uploadedAtMs === null) {
    return unscored(evidence, 'rejected', { code: 'no_upload', message: 'no listings were uploaded for this epoch' });
  }
  const timing = uploadTimingOf(evidence.uploadedAtMs, context);
  const uploadedAt = new Date(evidence.uploadedAtMs).toISOString();
  if (timing === 'after_grace') {
    return unscored(evidence, 'rejected', {
      code: 'uploaded_after_grace',
      message: `the last object was stored at ${uploadedAt}, after the grace period ended at ${new Date(context.graceEndMs).toISOString()}`,
    });
  }
  // A honeypot claim needs no source to prove it, so it stands even when this validator abstains.
  const honeypots = honeypotsClaimed(listings, context);
  if (context.audit.abstention) {
    const abstained: MinerNote = {
      code: 'validator_abstained',
      message: `this validator reached no verdict for the epoch: ${context.audit.abstention.message}`,
    };
    if (honeypots.length === 0) return unscored(evidence, 'abstained', abstained);
    return {
      ...unscored(evidence, 'abstained', abstained),
      outcome: 'honeypot',
      notes: [honeypotNote(listings, honeypots), abstained],
    };
  }
  const notes: MinerNote[] = [];
  if (timing === 'in_grace') {
    const lateSeconds = Math.round((evidence.uploadedAtMs - context.submissionDeadlineMs) / 1000);
    notes.push({
      code: 'late_upload',
      message: `uploaded ${lateSeconds} s after the submission deadline, within the grace period`,
    });
  } else if (timing === 'before_start') {
    notes.push({ code: 'upload_before_epoch', message: `uploaded at ${uploadedAt}, before the epoch started` });
  }

  const audit = evidence.audit;
  const quality = dataQualityScore(listings);
  const accuracy = audit?.accuracy === null || audit === null ? 0 : roundScore(audit.accuracy);
  // Measured where the epoch pays, against the source's true count: padding a zipcode nobody
  // checked earns nothing, and one that was checked is fabrication.
  const completeness = completenessScore(
    [...context.audit.trueCounts]
      .filter(([zipcode]) => paysIn(context, zipcode))
      .map(([zipcode, trueCount]) => ({
        zipcode,
        expectedListings: trueCount,
        creditedListings: listings.listingsByZipcode.get(zipcode) ?? 0,
      })),
  );
  // An upload with nothing valid in it was not "on time" for anything.
  const timeliness = listings.validRows === 0 ? 0 : timelinessScore(evidence.uploadedAtMs, context);
  const components: ScoreComponents = {
    data_quality: quality.score,
    accuracy,
    completeness: completeness.score,
    timeliness,
  };
  const scored = (outcome: MinerOutcome, total: number): MinerDraft => ({
    evidence,
    outcome,
    components,
    total,
    qualityChecks: quality.checks,
    completeness: { coverage: completeness.coverage, targets: completeness.targets },
    notes,
  });

  if (listings.validRows === 0) {
    notes.push({
      code: 'no_valid_listings',
      message: `none of the ${plural(listings.rows, 'row')} is a valid listing`,
    });
  }
  if (listings.overlapRows > 0) {
    notes.push({
      code: 'overlap_with_earlier_uploads',
      message:
        `${plural(listings.overlapRows, 'listing')} had been uploaded earlier by other miners; each listing is ` +
        'credited once, to its earliest upload (not a finding)',
    });
  }
  if (audit && audit.mismatched + audit.delisted > 0) {
    notes.push({
      code: 'listings_not_verified',
      message:
        `${audit.mismatched + audit.delisted} of ${plural(audit.rows, 'audited row')} did not verify and are not credited ` +
        `(${audit.mismatched} mismatched, ${audit.delisted} not found within the delisting tolerance)`,
    });
  }
  const noVerdict = audit ? NO_VERDICT_REASONS.filter((reason) => (audit.noVerdict[reason] ?? 0) > 0) : [];
  if (audit && noVerdict.length > 0) {
    notes.push({
      code: 'rows_without_verdict',
      message: `${noVerdict.map((reason) => `${plural(audit.noVerdict[reason]!, 'row')} ${reason}`).join(', ')}: not checked, no penalty`,
    });
  }
  if (evidence.listingsClaimed !== null && evidence.listingsClaimed > listings.rows) {
    notes.push({
      code: 'listings_claim_exceeds_rows',
      message: `status reports claimed ${evidence.listingsClaimed} listings; the files hold ${listings.rows} rows`,
    });
  }

  if (honeypots.length > 0) {
    notes.unshift(honeypotNote(listings, honeypots));
    return scored('honeypot', 0);
  }
  if (audit?.outcome === 'fabricated') {
    const where = audit.fabricatedZipcodes.map((entry) => `${entry.zipcode} (${entry.notFound})`).join(', ');
    notes.unshift({
      code: 'fabricated_listings',
      message: `${plural(audit.fabricated, 'listing')} the source does not have, beyond the delisting tolerance, in ${where}: the epoch score is 0`,
    });
    return scored('fabricated', 0);
  }
  if (audit === null || audit.outcome === 'abstained') {
    const verdicts = audit ? audit.verified + audit.mismatched + audit.notFound : 0;
    if (tooFewVerdictsIsOurs(audit, context)) {
      notes.unshift({
        code: 'too_few_verdicts',
        message: `${plural(verdicts, 'audited row')} got a verdict; accuracy needs ${AUDIT_MIN_VERDICTS}, so this validator abstains for the miner this epoch`,
      });
      return scored('abstained', 0);
    }
    notes.unshift({
      code: 'too_few_audited_rows',
      message:
        `${plural(verdicts, 'row')} of the upload got a verdict in the audited zipcodes, where the sites ` +
        `answered with ${Math.min(...[auditedMarket(context)])} listings; the epoch pays from ${AUDIT_MIN_VERDICTS} ` +
        'verdicts, so nothing is paid this epoch (not a finding; credibility moves as for an epoch without reward)',
    });
    return scored('scored', 0);
  }
  return scored('scored', totalScoreOf(components));
}

/**
 * Scores an epoch: every miner's components, total and notes; honeypot claimers and fabricators
 * zeroed; then, per real zipcode, the pool is shared in proportion to the listings credited there
 * (see `rankZipcodeCompetitors`), each miner's part scaled by its total score. A miner's weight is
 * the sum of its rewards. Miners appear in hotkey order, zipcodes in zipcode order.
 */
export function scoreEpoch(context: EpochScoringContext, evidence: readonly MinerEvidence[]): EpochScoreSheet {
  const hotkeys = new Set<string>();
  for (const miner of evidence) {
    if (hotkeys.has(miner.hotkey)) throw new RangeError(`miner ${miner.hotkey} appears twice`);
    hotkeys.add(miner.hotkey);
  }
  const drafts = evidence
    .map((miner) => draftMiner(miner, context))
    .sort((a, b) => compareText(a.evidence.hotkey, b.evidence.hotkey));
  const pools = zipcodePools(context.zipcodes.filter((zipcode) => paysIn(context, zipcode.zipcode)));
  const placingsByHotkey = new Map<string, MinerZipcodePlacing[]>();

  const zipcodes = [...context.zipcodes]
    .sort((a, b) => compareText(a.zipcode, b.zipcode))
    .map((zipcode): ZipcodeResult => {
      const isAudited = paysIn(context, zipcode.zipcode);
      if (zipcode.isHoneypot) {
        const honeypotClaims = drafts
          .map((draft) => ({
            hotkey: draft.evidence.hotkey,
            rows: draft.evidence.listings?.rowsByZipcode.get(zipcode.zipcode) ?? 0,
          }))
          .filter((claim) => claim.rows > 0);
        return { ...zipcode, audited: false, pool: 0, observedListings: null, ranking: [], honeypotClaims };
      }
      const pool = pools.get(zipcode.zipcode) ?? 0;
      // Not checked this epoch: nothing there is paid, so nothing unverified ever earns.
      if (!isAudited)
        return { ...zipcode, audited: false, pool, observedListings: null, ranking: [], honeypotClaims: [] };
      const paid = drafts.filter(
        (draft) => draft.outcome === 'scored' && draft.total > 0 && draft.evidence.uploadedAtMs !== null,
      );
      const competitors = paid.flatMap((draft) => {
        const credited = draft.evidence.listings?.creditedByZipcode.get(zipcode.zipcode) ?? 0;
        if (credited <= 0) return [];
        return [
          {
            hotkey: draft.evidence.hotkey,
            zipcodeScore: draft.total,
            uploadedAtMs: draft.evidence.uploadedAtMs!,
            creditedListings: credited,
          },
        ];
      });
      const ranking = rankZipcodeCompetitors(competitors).map(({ competitor, rank, share }) => {
        const reward = roundTo(pool * share, REWARD_DECIMALS);
        const placings = placingsByHotkey.get(competitor.hotkey) ?? [];
        placings.push({ zipcode: zipcode.zipcode, rank, reward });
        placingsByHotkey.set(competitor.hotkey, placings);
        return { rank, ...competitor, share, reward };
      });
      return {
        ...zipcode,
        audited: true,
        pool,
        observedListings: context.audit.trueCounts.get(zipcode.zipcode)!,
        ranking,
        honeypotClaims: [],
      };
    });

  const miners = drafts.map((draft): MinerEpochScore => {
    const placings = placingsByHotkey.get(draft.evidence.hotkey) ?? [];
    const weight = roundTo(
      placings.reduce((sum, placing) => sum + placing.reward, 0),
      REWARD_DECIMALS,
    );
    return {
      hotkey: draft.evidence.hotkey,
      uid: draft.evidence.uid,
      outcome: draft.outcome,
      score: { ...draft.components, total_score: draft.total },
      qualityChecks: draft.qualityChecks,
      completeness: draft.completeness,
      weight,
      placings,
      uploadedAtMs: draft.evidence.uploadedAtMs,
      notes: [...draft.notes, ...(draft.evidence.skippedChecks ?? [])],
    };
  });
  return { miners, zipcodes };
}

/** The mean total score of the miners (0 without miners), rounded; the seed's `average_score`. */
export function averageTotalScore(sheet: EpochScoreSheet): number {
  if (sheet.miners.length === 0) return 0;
  return roundScore(sheet.miners.reduce((sum, miner) => sum + miner.score.total_score, 0) / sheet.miners.length);
}

import { type AccuracyTally, accuracyScore } from './accuracy.js';
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
 * components and the total, honeypots, copies and refused uploads with their reasons; per real
 * zipcode the ranking and rewards; per miner the weight. Pure and order-independent: the same
 * evidence gives the same sheet whatever order it arrives in.
 */

/** A zipcode of the epoch as validators see it after COMPLETED. */
export interface ScoringZipcode {
  readonly zipcode: string;
  readonly expectedListings: number;
  readonly isHoneypot: boolean;
}

/** The epoch facts scoring needs. */
export interface EpochScoringContext extends SubmissionWindow {
  readonly epochId: string;
  readonly nonce: string;
  readonly zipcodes: readonly ScoringZipcode[];
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
  'download_failed',
  'corrupt_parquet',
  'wrong_schema',
  'row_count_mismatch',
  'uploaded_after_grace',
  'over_upload_cap',
] as const;
export type MinerRejectionCode = (typeof MINER_REJECTION_CODES)[number];

/** A refusal with the sentence that explains it. */
export interface MinerRejection {
  readonly code: MinerRejectionCode;
  readonly message: string;
}

/** What scanning a miner's listings found (row counts; see `DataQualityCounts`). */
export interface MinerListingsEvidence extends DataQualityCounts {
  /** Rows with no quality reason at all (the accuracy sample's population). */
  readonly validRows: number;
  /** Rows by the zipcode they claim, whatever their validity: honeypot claims are read here. */
  readonly rowsByZipcode: ReadonlyMap<string, number>;
  /** Valid, first-of-their-identity, not copied rows in an assigned zipcode, by zipcode. */
  readonly creditedByZipcode: ReadonlyMap<string, number>;
  /** Rows whose fingerprint an earlier upload of another miner already had. */
  readonly copiedRows: number;
  /** The miners those rows were first uploaded by. */
  readonly copiedFrom: readonly string[];
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
  /** Set when the upload could not be scored; `listings` and `accuracy` are then ignored. */
  readonly rejection: MinerRejection | null;
  readonly listings: MinerListingsEvidence | null;
  readonly accuracy: AccuracyTally | null;
}

/** How a miner came out of the epoch. */
export type MinerOutcome = 'scored' | 'honeypot' | 'rejected';

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

/** A placing in a zipcode's ranking. */
export interface ZipcodeRankingEntry {
  readonly rank: number;
  readonly hotkey: string;
  readonly zipcodeScore: number;
  readonly creditedListings: number;
  readonly uploadedAtMs: number;
  /** Share of the pool by place. */
  readonly share: number;
  /** `pool × share`. */
  readonly reward: number;
}

/** One zipcode's result. */
export interface ZipcodeResult {
  readonly zipcode: string;
  readonly expectedListings: number;
  readonly isHoneypot: boolean;
  /** Share of the epoch's reward; 0 for honeypots. */
  readonly pool: number;
  /**
   * Listings the winner was credited with: the validated count the API folds into the zipcode's
   * expected-listings history. Null for honeypots and zipcodes nobody competed in.
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

function rejected(evidence: MinerEvidence, rejection: MinerRejection): MinerDraft {
  return {
    evidence,
    outcome: 'rejected',
    components: ZERO_COMPONENTS,
    total: 0,
    qualityChecks: null,
    completeness: null,
    notes: [{ code: rejection.code, message: rejection.message }],
  };
}

function draftMiner(evidence: MinerEvidence, context: EpochScoringContext): MinerDraft {
  if (evidence.rejection) return rejected(evidence, evidence.rejection);
  const { listings } = evidence;
  if (listings === null || evidence.uploadedAtMs === null) {
    return rejected(evidence, { code: 'no_upload', message: 'no listings were uploaded for this epoch' });
  }
  const timing = uploadTimingOf(evidence.uploadedAtMs, context);
  const uploadedAt = new Date(evidence.uploadedAtMs).toISOString();
  if (timing === 'after_grace') {
    return rejected(evidence, {
      code: 'uploaded_after_grace',
      message: `the last object was stored at ${uploadedAt}, after the grace period ended at ${new Date(context.graceEndMs).toISOString()}`,
    });
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

  const quality = dataQualityScore(listings);
  const accuracy = evidence.accuracy ? accuracyScore(evidence.accuracy) : 0;
  const realZipcodes = context.zipcodes.filter((zipcode) => !zipcode.isHoneypot);
  const completeness = completenessScore(
    realZipcodes.map((zipcode) => ({
      zipcode: zipcode.zipcode,
      expectedListings: zipcode.expectedListings,
      creditedListings: listings.creditedByZipcode.get(zipcode.zipcode) ?? 0,
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

  if (listings.validRows === 0) {
    notes.push({
      code: 'no_valid_listings',
      message: `none of the ${plural(listings.rows, 'row')} is a valid listing`,
    });
  }
  if (listings.copiedRows > 0) {
    notes.push({
      code: 'copied_listings',
      message:
        `${listings.copiedRows} of ${plural(listings.rows, 'row')} repeat, value for value, rows uploaded earlier by ` +
        `${listings.copiedFrom.join(', ')}; only the earlier upload is credited for them`,
    });
  }
  const tally = evidence.accuracy;
  if (tally && tally.accurate < tally.sampled) {
    notes.push({
      code: 'listings_not_verified',
      message:
        `${tally.sampled - tally.accurate} of ${plural(tally.sampled, 'sampled listing')} did not verify ` +
        `(${tally.notFound} not found, ${tally.mismatched} mismatched, ${tally.unverifiable} unverifiable)`,
    });
  }
  if (evidence.listingsClaimed !== null && evidence.listingsClaimed > listings.rows) {
    notes.push({
      code: 'listings_claim_exceeds_rows',
      message: `status reports claimed ${evidence.listingsClaimed} listings; the files hold ${listings.rows} rows`,
    });
  }

  const honeypots = context.zipcodes
    .filter((zipcode) => zipcode.isHoneypot && (listings.rowsByZipcode.get(zipcode.zipcode) ?? 0) > 0)
    .map((zipcode) => zipcode.zipcode)
    .sort(compareText);
  if (honeypots.length > 0) {
    const rows = honeypots.reduce((sum, zipcode) => sum + (listings.rowsByZipcode.get(zipcode) ?? 0), 0);
    notes.unshift({
      code: 'honeypot_listings',
      message: `${plural(rows, 'listing')} claimed in honeypot zipcode${honeypots.length === 1 ? '' : 's'} ${honeypots.join(', ')}, where no residential market exists: the epoch score is 0`,
    });
    return {
      evidence,
      outcome: 'honeypot',
      components,
      total: 0,
      qualityChecks: quality.checks,
      completeness: { coverage: completeness.coverage, targets: completeness.targets },
      notes,
    };
  }
  return {
    evidence,
    outcome: 'scored',
    components,
    total: totalScoreOf(components),
    qualityChecks: quality.checks,
    completeness: { coverage: completeness.coverage, targets: completeness.targets },
    notes,
  };
}

/**
 * A miner's score in one zipcode: its total with completeness measured in that zipcode alone
 * (covered, so `0.6 + 0.4 × band`), which ranks the better-covered zipcode of two equally good
 * miners first. Data quality, accuracy and timeliness are the miner's own.
 */
export function zipcodeScoreOf(
  components: ScoreComponents,
  creditedListings: number,
  expectedListings: number,
): number {
  const local = completenessScore([{ zipcode: '', expectedListings, creditedListings }]).score;
  return totalScoreOf({ ...components, completeness: local });
}

/**
 * Scores an epoch: every miner's components, total and notes; honeypot claimers zeroed; then,
 * per real zipcode, the miners with a positive total and at least one credited listing there are
 * ranked (see `rankZipcodeCompetitors`) and paid `pool × share`. A miner's weight is the sum of
 * its rewards. Miners appear in hotkey order, zipcodes in zipcode order.
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
  const pools = zipcodePools(context.zipcodes);
  const placingsByHotkey = new Map<string, MinerZipcodePlacing[]>();

  const zipcodes = [...context.zipcodes]
    .sort((a, b) => compareText(a.zipcode, b.zipcode))
    .map((zipcode): ZipcodeResult => {
      if (zipcode.isHoneypot) {
        const honeypotClaims = drafts
          .map((draft) => ({
            hotkey: draft.evidence.hotkey,
            rows: draft.evidence.listings?.rowsByZipcode.get(zipcode.zipcode) ?? 0,
          }))
          .filter((claim) => claim.rows > 0);
        return { ...zipcode, pool: 0, observedListings: null, ranking: [], honeypotClaims };
      }
      const pool = pools.get(zipcode.zipcode) ?? 0;
      const competitors = drafts.flatMap((draft) => {
        const credited = draft.evidence.listings?.creditedByZipcode.get(zipcode.zipcode) ?? 0;
        if (draft.outcome !== 'scored' || draft.total <= 0 || credited <= 0 || draft.evidence.uploadedAtMs === null) {
          return [];
        }
        return [
          {
            hotkey: draft.evidence.hotkey,
            zipcodeScore: zipcodeScoreOf(draft.components, credited, zipcode.expectedListings),
            uploadedAtMs: draft.evidence.uploadedAtMs,
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
        pool,
        observedListings: ranking[0]?.creditedListings ?? null,
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
      notes: draft.notes,
    };
  });
  return { miners, zipcodes };
}

/** The mean total score of the miners (0 without miners), rounded; the seed's `average_score`. */
export function averageTotalScore(sheet: EpochScoreSheet): number {
  if (sheet.miners.length === 0) return 0;
  return roundScore(sheet.miners.reduce((sum, miner) => sum + miner.score.total_score, 0) / sheet.miners.length);
}

import type { ValidationResultsFile } from '@resi/core';
import { resultsFileUidOf, weightTableOf } from '@resi/validator';

/** Who a devnet hotkey is: its wallet name and the part it plays. */
export interface CastMember {
  readonly name: string;
  readonly role: string;
}

/** One miner's line of a devnet leaderboard. */
export interface LeaderboardRow {
  readonly name: string;
  readonly role: string;
  readonly outcome: string;
  readonly total: number;
  readonly quality: number;
  readonly accuracy: number;
  readonly completeness: number;
  readonly timeliness: number;
  /** Listings credited to the miner (each listing once, to its earliest upload). */
  readonly credited: number;
  /** Listings an earlier upload delivered first (not a finding). */
  readonly overlap: number;
  /** Share of the weight vector (credibility, normalised, no burn). */
  readonly weight: number;
  /** Reason codes of what the validator caught (honeypot, copy, late, …). */
  readonly caught: readonly string[];
}

/** Reasons that are findings about a miner's behaviour, as opposed to neutral notes. */
const CAUGHT_CODES: ReadonlySet<string> = new Set([
  'honeypot_listings',
  'fabricated_listings',
  'modified_after_grace',
  'late_upload',
  'uploaded_after_grace',
  'upload_before_epoch',
  'listings_claim_exceeds_rows',
  'no_valid_listings',
  'no_upload',
]);

/** Row reasons that are findings: rows a miner had no business uploading (never credited). */
const CAUGHT_ROW_REASONS: readonly string[] = ['zipcode_not_assigned'];

/** The leaderboard of one validator's results file, best first. */
export function leaderboardOf(file: ValidationResultsFile, cast: ReadonlyMap<string, CastMember>): LeaderboardRow[] {
  const weights = new Map(
    weightTableOf(file, {
      uidOf: (hotkey) => resultsFileUidOf(file, hotkey),
      excludeUids: [],
      burnShare: 0,
    }).map((row) => [row.hotkey, row.weight]),
  );
  return Object.entries(file.validation_results)
    .map(([hotkey, result]): LeaderboardRow => {
      const member = cast.get(hotkey) ?? { name: `${hotkey.slice(0, 8)}…`, role: 'unknown' };
      return {
        name: member.name,
        role: member.role,
        outcome: result.outcome,
        total: result.score.total_score,
        quality: result.score.data_quality,
        accuracy: result.score.accuracy,
        completeness: result.score.completeness,
        timeliness: result.score.timeliness,
        credited: result.listings?.credited_rows ?? 0,
        overlap: result.listings?.overlap_rows ?? 0,
        weight: weights.get(hotkey) ?? 0,
        caught: [
          ...result.reasons.filter((reason) => CAUGHT_CODES.has(reason.code)).map((reason) => reason.code),
          ...CAUGHT_ROW_REASONS.filter((reason) => (result.listings?.row_reasons[reason] ?? 0) > 0),
        ],
      };
    })
    .sort((a, b) => b.weight - a.weight || b.total - a.total || a.name.localeCompare(b.name));
}

const score = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The leaderboard as a fixed-width table for a terminal. */
export function formatLeaderboard(rows: readonly LeaderboardRow[]): string {
  const header = [
    'miner',
    'role',
    'total',
    'quality',
    'accuracy',
    'complete',
    'timely',
    'credited',
    'overlap',
    'weight',
    'caught',
  ];
  const lines = rows.map((row) => [
    row.name,
    row.role,
    score(row.total),
    score(row.quality),
    score(row.accuracy),
    score(row.completeness),
    score(row.timeliness),
    String(row.credited),
    String(row.overlap),
    percent(row.weight),
    row.caught.length > 0 ? row.caught.join(', ') : row.outcome === 'scored' ? '-' : row.outcome,
  ]);
  return formatTable(header, lines);
}

/** Columns padded to their widest cell, two spaces apart; the last column unpadded. */
function formatTable(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines]
    .map((cells) =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One role's line of the weight-by-role summary. */
export interface RoleWeight {
  readonly role: string;
  readonly hotkeys: number;
  /** The role's hotkeys' weight shares, summed. */
  readonly weight: number;
  /** Hotkeys caught, of `hotkeys`. */
  readonly caught: number;
}

/** The leaderboard summed by role, heaviest first (honest first on a tie, then by role). */
export function weightByRole(rows: readonly LeaderboardRow[]): RoleWeight[] {
  const roles = new Map<string, { hotkeys: number; weight: number; caught: number }>();
  for (const row of rows) {
    const role = roles.get(row.role) ?? { hotkeys: 0, weight: 0, caught: 0 };
    roles.set(row.role, {
      hotkeys: role.hotkeys + 1,
      weight: role.weight + row.weight,
      caught: role.caught + (row.caught.length > 0 ? 1 : 0),
    });
  }
  return [...roles]
    .map(([role, totals]) => ({ role, ...totals }))
    .sort(
      (a, b) =>
        b.weight - a.weight ||
        Number(b.role === 'honest') - Number(a.role === 'honest') ||
        a.role.localeCompare(b.role),
    );
}

/** The weight-by-role summary as a fixed-width table. */
export function formatWeightByRole(roles: readonly RoleWeight[]): string {
  return formatTable(
    ['role', 'hotkeys', 'weight', 'caught'],
    roles.map((role) => [role.role, String(role.hotkeys), percent(role.weight), `${role.caught}/${role.hotkeys}`]),
  );
}

import { createHmac } from 'node:crypto';

/**
 * The audit (PROTOCOL.md §8): which zipcodes of an epoch are checked against the verification
 * sources, and what the rows found there mean. The draw comes from a per-epoch seed the API
 * reveals only once uploads are closed (the grace end), so nothing a miner knows before its upload
 * is final — the assignment, the nonce, its own rows and their order, the code — tells it which
 * zipcodes will be checked; every validator derives the same ones from the revealed seed.
 *
 * These are consensus constants: validators using other values would write other results files.
 */

/** Share of an epoch's real zipcodes audited. */
export const AUDIT_ZIPCODE_SHARE = 0.5;
/** At least this many real zipcodes are audited (all of them when there are fewer). */
export const AUDIT_MIN_ZIPCODES = 3;
/** A miner with fewer audited rows with a verdict than this has no accuracy verdict: it abstains. */
export const AUDIT_MIN_VERDICTS = 5;
/**
 * Listings removed at the source during the epoch: per miner and audited zipcode, up to
 * `max(rows, share × the miner's rows there with a verdict)` rows not found are `delisted` (not
 * credited, no penalty); above it every row not found there is `fabricated`.
 */
export const DELISTING_TOLERANCE = { rows: 2, share: 0.03 } as const;
/**
 * Distinct rows one validator verifies per epoch at most; rows beyond it get no verdict
 * (`budget_exhausted`). Bounds the work a flood of junk rows can cause. Which rows are kept when
 * there are more comes from the audit seed (`auditRowsWithinBudget`), so no miner can steer it.
 */
export const AUDIT_ROW_BUDGET = 5_000_000;

/** Why a row in an audited zipcode got no verdict. Never the miner's fault, never a penalty. */
export const NO_VERDICT_REASONS = ['source_unavailable', 'source_unsupported', 'budget_exhausted'] as const;
export type NoVerdictReason = (typeof NO_VERDICT_REASONS)[number];

/** A row's verdict in an audited zipcode. */
export type RowVerdict = 'verified' | 'mismatched' | 'not_found' | NoVerdictReason;

/**
 * The audit seed of an epoch: lowercase hex HMAC-SHA256 keyed with the API's zipcode secret over
 * `audit:{epochId}`. Derived, so it is stable across restarts and replicas and nothing new is
 * stored; unknowable without the secret until the API reveals it at the epoch's grace end.
 */
export function epochAuditSeed(secret: string, epochId: string): string {
  return createHmac('sha256', secret).update(`audit:${epochId}`, 'utf8').digest('hex');
}

/** How many of `realZipcodes` zipcodes are audited: `max(3, ceil(0.5 × count))`, at most all. */
export function auditedZipcodeCount(realZipcodes: number): number {
  return Math.min(realZipcodes, Math.max(AUDIT_MIN_ZIPCODES, Math.ceil(AUDIT_ZIPCODE_SHARE * realZipcodes)));
}

/**
 * The audited zipcodes of an epoch, in zipcode order: the real zipcodes ordered by
 * HMAC-SHA256(auditSeed, zipcode) (ties, impossible in practice, by zipcode), the first
 * {@link auditedZipcodeCount} taken. Every real zipcode is audited with the same probability.
 */
export function auditedZipcodes(auditSeed: string, realZipcodes: readonly string[]): string[] {
  if (!/^[0-9a-f]{64}$/.test(auditSeed)) throw new RangeError('the audit seed must be 64 lowercase hex characters');
  const key = Buffer.from(auditSeed, 'hex');
  const unique = [...new Set(realZipcodes)];
  const drawn = unique
    .map((zipcode) => ({ zipcode, draw: createHmac('sha256', key).update(zipcode, 'utf8').digest('hex') }))
    .sort((a, b) => (a.draw < b.draw ? -1 : a.draw > b.draw ? 1 : a.zipcode < b.zipcode ? -1 : 1));
  return drawn
    .slice(0, auditedZipcodeCount(unique.length))
    .map((entry) => entry.zipcode)
    .sort();
}

/**
 * The audited rows one validator verifies when they exceed `budget`: the rows ordered by
 * HMAC-SHA256(auditSeed, `row:{fingerprint}`) (ties, impossible in practice, by fingerprint), the
 * first `budget` kept, the rest `beyond` (no verdict, `budget_exhausted`). The fingerprint is
 * computable by anyone from the row's values, so ordering by it alone would let a miner fabricate
 * exactly the rows that sort last; keyed by the seed, revealed only at the grace end, every row is
 * kept with the same probability and every validator keeps the same ones. Within the budget all
 * rows are kept, in the order given (no hashing: the common case costs nothing).
 */
export function auditRowsWithinBudget<T extends { readonly fingerprint: bigint }>(
  auditSeed: string,
  rows: readonly T[],
  budget: number = AUDIT_ROW_BUDGET,
): { readonly within: T[]; readonly beyond: T[] } {
  if (!/^[0-9a-f]{64}$/.test(auditSeed)) throw new RangeError('the audit seed must be 64 lowercase hex characters');
  if (!Number.isSafeInteger(budget) || budget < 0) throw new RangeError(`row budget ${budget} is not a count`);
  if (rows.length <= budget) return { within: [...rows], beyond: [] };
  const key = Buffer.from(auditSeed, 'hex');
  const drawn = rows
    .map((row) => ({ row, draw: createHmac('sha256', key).update(`row:${row.fingerprint}`, 'utf8').digest('hex') }))
    .sort((a, b) =>
      a.draw < b.draw
        ? -1
        : a.draw > b.draw
          ? 1
          : a.row.fingerprint < b.row.fingerprint
            ? -1
            : a.row.fingerprint > b.row.fingerprint
              ? 1
              : 0,
    )
    .map((entry) => entry.row);
  return { within: drawn.slice(0, budget), beyond: drawn.slice(budget) };
}

const ASCII_WHITESPACE = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;
const URL_PARTS = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#:]*)(?::[0-9]*)?([^?#]*)/;

/** The host of a listing URL, lower-cased, without `www.`; '' when it has none. */
export function listingUrlHost(url: string): string {
  const match = URL_PARTS.exec(url.replace(ASCII_WHITESPACE, ''));
  return (match?.[1] ?? '').toLowerCase().replace(/^www\./, '');
}

/**
 * A listing URL as identity compares it: lower-case host without `www.`, then the path without
 * trailing slashes; scheme, user info, port, query and fragment dropped. The validator computes
 * the same in SQL (`URL_KEY_SQL`).
 */
export function normaliseListingUrl(url: string): string {
  const match = URL_PARTS.exec(url.replace(ASCII_WHITESPACE, ''));
  if (!match) return url.replace(ASCII_WHITESPACE, '');
  const host = (match[1] ?? '').toLowerCase().replace(/^www\./, '');
  return `${host}${(match[2] ?? '').replace(/\/+$/, '')}`;
}

/** ASCII letters lower-cased, every other character kept: JavaScript and DuckDB agree on it (on `İ` or a final `Σ` their `lower` do not). */
export function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * An address as identity and verification compare it: ASCII letters lower-cased, `.`, `,` and `#`
 * as spaces, ASCII whitespace runs as one space, trimmed. Verification compares addresses with this
 * very function, so a row verified against a listing has that listing's address key: no spelling
 * (no-break spaces, a letter only Unicode lower-cases) verifies and still escapes the
 * once-per-listing credit.
 */
export function normaliseListingAddress(address: string): string {
  return lowerAscii(address)
    .replace(/[.,#]/g, ' ')
    .replace(/[\t\n\v\f\r ]+/g, ' ')
    .replace(/^ | $/g, '');
}

/**
 * The identity keys of a row (PROTOCOL.md §8): `url:` its normalised source URL and `addr:` its
 * normalised address with the zipcode. Two rows sharing either key are the same listing. Fields
 * a miner writes freely (the scrape instant, order, formatting of the URL's query, extra columns,
 * the file split) are not part of identity.
 */
export function listingIdentityKeys(row: {
  readonly source_url: string;
  readonly address: string;
  readonly zipcode: string;
}): [string, string] {
  return [`url:${normaliseListingUrl(row.source_url)}`, `addr:${normaliseListingAddress(row.address)}|${row.zipcode}`];
}

/** Rows not found a miner may have in one audited zipcode before they count as fabricated. */
export function delistingTolerance(rowsInZipcode: number): number {
  return Math.max(DELISTING_TOLERANCE.rows, Math.floor(DELISTING_TOLERANCE.share * rowsInZipcode));
}

/** A miner's verdicts in one audited zipcode. */
export interface ZipcodeAudit {
  readonly zipcode: string;
  /** The miner's valid rows there (every one was looked up). */
  readonly rows: number;
  readonly verified: number;
  readonly mismatched: number;
  readonly notFound: number;
  readonly noVerdict: Readonly<Partial<Record<NoVerdictReason, number>>>;
}

/** What the audit concluded about a miner. */
export interface MinerAuditSummary {
  /** `fabricated` above the delisting tolerance in some zipcode; `abstained` with too few verdicts. */
  readonly outcome: 'passed' | 'fabricated' | 'abstained';
  readonly rows: number;
  readonly verified: number;
  readonly mismatched: number;
  readonly notFound: number;
  /** Rows not found within the tolerance. */
  readonly delisted: number;
  /** Rows not found above it. */
  readonly fabricated: number;
  readonly noVerdict: Readonly<Partial<Record<NoVerdictReason, number>>>;
  /** Zipcodes where the tolerance was exceeded, with their rows not found, in zipcode order. */
  readonly fabricatedZipcodes: readonly { readonly zipcode: string; readonly notFound: number }[];
  /** verified / (verified + mismatched + not found); null without enough verdicts. */
  readonly accuracy: number | null;
}

/**
 * The audit of one miner from its per-zipcode verdicts: tolerance and fabrication per zipcode,
 * then accuracy over every verdict. Proven fabrication stands however few rows were checked;
 * otherwise fewer than {@link AUDIT_MIN_VERDICTS} verdicts is no verdict: the miner abstains.
 */
export function summariseMinerAudit(zipcodes: readonly ZipcodeAudit[]): MinerAuditSummary {
  const ordered = [...zipcodes].sort((a, b) => (a.zipcode < b.zipcode ? -1 : a.zipcode > b.zipcode ? 1 : 0));
  let rows = 0;
  let verified = 0;
  let mismatched = 0;
  let notFound = 0;
  let delisted = 0;
  let fabricated = 0;
  const noVerdict: Partial<Record<NoVerdictReason, number>> = {};
  const fabricatedZipcodes: { zipcode: string; notFound: number }[] = [];
  for (const zipcode of ordered) {
    rows += zipcode.rows;
    verified += zipcode.verified;
    mismatched += zipcode.mismatched;
    notFound += zipcode.notFound;
    for (const reason of NO_VERDICT_REASONS) {
      const count = zipcode.noVerdict[reason] ?? 0;
      if (count > 0) noVerdict[reason] = (noVerdict[reason] ?? 0) + count;
    }
    // Over the rows with a verdict only: rows no source checked (a site nobody verifies, one that
    // was down) would otherwise widen the tolerance for invented rows on the sites that answered.
    if (zipcode.notFound > delistingTolerance(zipcode.verified + zipcode.mismatched + zipcode.notFound)) {
      fabricated += zipcode.notFound;
      fabricatedZipcodes.push({ zipcode: zipcode.zipcode, notFound: zipcode.notFound });
    } else {
      delisted += zipcode.notFound;
    }
  }
  const verdicts = verified + mismatched + notFound;
  const outcome = fabricated > 0 ? 'fabricated' : verdicts < AUDIT_MIN_VERDICTS ? 'abstained' : 'passed';
  const accuracy = verdicts < AUDIT_MIN_VERDICTS ? null : verified / verdicts;
  return {
    outcome,
    rows,
    verified,
    mismatched,
    notFound,
    delisted,
    fabricated,
    noVerdict,
    fabricatedZipcodes,
    accuracy,
  };
}

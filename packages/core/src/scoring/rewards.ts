import { REWARD_DECIMALS, roundTo } from './score-components.js';

/**
 * Per-zipcode competition (PROTOCOL.md §8; seed, Business Logic Q11 "Per-zipcode ranking: Top 3
 * get 55%, 30%, 10% + 5% distributed"): in each real zipcode the participating miners are ranked,
 * the first three take 55%, 30% and 10% of the zipcode's pool and the others share 5% equally.
 * Pools are proportional to the zipcodes' expected listings; honeypots have none. A miner's
 * weight is the sum of its rewards over all zipcodes.
 */
export const ZIPCODE_PLACE_SHARES = [0.55, 0.3, 0.1] as const;

/** Shared equally by every participant ranked after the podium. */
export const ZIPCODE_OTHERS_SHARE = 0.05;

/** A zipcode as pools are computed from it. */
export interface PoolZipcode {
  readonly zipcode: string;
  readonly expectedListings: number;
  readonly isHoneypot: boolean;
}

function byZipcode(a: { zipcode: string }, b: { zipcode: string }): number {
  return a.zipcode < b.zipcode ? -1 : a.zipcode > b.zipcode ? 1 : 0;
}

/**
 * Each real zipcode's share of the epoch's reward: its expected listings over the real zipcodes'
 * total (equal shares when every expectation is 0). Honeypots get no pool. Rounded to
 * {@link REWARD_DECIMALS} places; keys in zipcode order.
 */
export function zipcodePools(zipcodes: readonly PoolZipcode[]): Map<string, number> {
  const real = zipcodes.filter((zipcode) => !zipcode.isHoneypot).sort(byZipcode);
  const total = real.reduce((sum, zipcode) => sum + zipcode.expectedListings, 0);
  return new Map(
    real.map((zipcode) => [
      zipcode.zipcode,
      roundTo(total === 0 ? 1 / real.length : zipcode.expectedListings / total, REWARD_DECIMALS),
    ]),
  );
}

/** A miner competing in one zipcode. */
export interface ZipcodeCompetitor {
  readonly hotkey: string;
  /** The miner's score in this zipcode, in [0, 1]; higher ranks first. */
  readonly zipcodeScore: number;
  /** Server-observed upload time (ms); the earlier upload wins a tie. */
  readonly uploadedAtMs: number;
}

/** A competitor's place and share of the zipcode pool. */
export interface ZipcodePlacing<C extends ZipcodeCompetitor = ZipcodeCompetitor> {
  readonly competitor: C;
  /** 1-based. */
  readonly rank: number;
  /** Share of the zipcode's pool, before multiplying by the pool. */
  readonly share: number;
}

/**
 * Ranks the competitors of one zipcode: by zipcode score, high first; ties by the earlier
 * server-observed upload; then by hotkey so the order never depends on input order. Places 1–3
 * take 55/30/10%, the rest split 5% equally (rounded to {@link REWARD_DECIMALS} places). With
 * fewer than four competitors the unused shares are not paid; weights are normalised later.
 */
export function rankZipcodeCompetitors<C extends ZipcodeCompetitor>(competitors: readonly C[]): ZipcodePlacing<C>[] {
  const ranked = [...competitors].sort(
    (a, b) =>
      b.zipcodeScore - a.zipcodeScore ||
      a.uploadedAtMs - b.uploadedAtMs ||
      (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0),
  );
  const others = Math.max(0, ranked.length - ZIPCODE_PLACE_SHARES.length);
  const otherShare = others === 0 ? 0 : roundTo(ZIPCODE_OTHERS_SHARE / others, REWARD_DECIMALS);
  return ranked.map((competitor, index) => ({
    competitor,
    rank: index + 1,
    share: ZIPCODE_PLACE_SHARES[index] ?? otherShare,
  }));
}

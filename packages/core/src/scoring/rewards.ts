import { REWARD_DECIMALS, roundTo } from './score-components.js';

/**
 * Rewards per zipcode (PROTOCOL.md §8): each zipcode the epoch pays in (`paysIn`: audited, its
 * source answered) has a pool proportional to its expected listings (the others none), shared among the miners in proportion to the listings credited to
 * them there, each scaled by the miner's total score:
 * `reward(m, z) = pool(z) × q(m) × credited(m, z) / C(z)`, `C(z) = Σ credited(·, z)`.
 *
 * Not the seed's 55/30/10/5 by place: fixed shares by place let one dataset split over three
 * hotkeys take the first three places (95% of a pool instead of 55%). Proportional credit is
 * linear: splitting a dataset leaves the sum of credited rows unchanged and can only lower the
 * score (coverage falls), and a listing is credited once, so duplicates earn nothing.
 */

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
 * total (equal shares when every expectation is 0). Honeypots get no pool. Rounded down to
 * {@link REWARD_DECIMALS} places, so the pools never add up to more than 1 (a miner paid in full
 * everywhere gets a weight of at most 1); keys in zipcode order.
 */
export function zipcodePools(zipcodes: readonly PoolZipcode[]): Map<string, number> {
  const real = zipcodes.filter((zipcode) => !zipcode.isHoneypot).sort(byZipcode);
  const total = real.reduce((sum, zipcode) => sum + zipcode.expectedListings, 0);
  const factor = 10 ** REWARD_DECIMALS;
  const roundDown = (share: number) => Math.min(share, Math.floor(roundTo(share * factor, 3)) / factor);
  return new Map(
    real.map((zipcode) => [
      zipcode.zipcode,
      roundDown(total === 0 ? 1 / real.length : zipcode.expectedListings / total),
    ]),
  );
}

/** A miner credited with listings in one zipcode. */
export interface ZipcodeCompetitor {
  readonly hotkey: string;
  /** The miner's total score, in [0, 1]: the share of its proportional part it is paid. */
  readonly zipcodeScore: number;
  /** Listings credited to the miner in this zipcode (each listing once, to its earliest upload). */
  readonly creditedListings: number;
  /** Server-observed upload time (ms): the earlier upload lists first on equal rewards. */
  readonly uploadedAtMs: number;
}

/** A competitor's share of the zipcode pool and its place (by reward, for display). */
export interface ZipcodePlacing<C extends ZipcodeCompetitor = ZipcodeCompetitor> {
  readonly competitor: C;
  /** 1-based, by reward. */
  readonly rank: number;
  /** `zipcodeScore × credited / C(z)`, rounded to {@link REWARD_DECIMALS} places. */
  readonly share: number;
}

/**
 * The shares of one zipcode's pool: `score × credited / Σ credited` for every competitor with a
 * credited listing, ordered by share (high first), then the earlier upload, then hotkey, so the
 * order never depends on input order.
 */
export function rankZipcodeCompetitors<C extends ZipcodeCompetitor>(competitors: readonly C[]): ZipcodePlacing<C>[] {
  const credited = competitors.filter((competitor) => competitor.creditedListings > 0);
  const total = credited.reduce((sum, competitor) => sum + competitor.creditedListings, 0);
  return credited
    .map((competitor) => ({
      competitor,
      share: roundTo((competitor.zipcodeScore * competitor.creditedListings) / total, REWARD_DECIMALS),
    }))
    .sort(
      (a, b) =>
        b.share - a.share ||
        a.competitor.uploadedAtMs - b.competitor.uploadedAtMs ||
        (a.competitor.hotkey < b.competitor.hotkey ? -1 : a.competitor.hotkey > b.competitor.hotkey ? 1 : 0),
    )
    .map((entry, index) => ({ ...entry, rank: index + 1 }));
}

import { REWARD_DECIMALS, roundTo } from './score-components.js';

/**
 * Credibility (PROTOCOL.md §8): the weights a validator sets are a moving average of the miners'
 * epoch reward shares, not one epoch alone. A glitch or one missed epoch costs an honest miner
 * `alpha` of its credibility, which it wins back over the next epochs; a proven fabrication (the
 * audit's, or a listed file changed or removed after the grace end: `FABRICATION_REJECTION_CODES`)
 * or a honeypot claim zeroes it and keeps it at zero for `penaltyEpochs` more epochs.
 */

export interface CredibilityParams {
  /** Weight of the newest epoch's share in the average, in (0, 1]. */
  readonly alpha: number;
  /** Epochs after a proven fabrication or honeypot claim in which the miner's share counts as 0. */
  readonly penaltyEpochs: number;
}

export const CREDIBILITY_DEFAULTS: CredibilityParams = { alpha: 0.3, penaltyEpochs: 4 };

/** One hotkey's credibility. */
export interface CredibilityEntry {
  readonly ema: number;
  /** The uid the hotkey had when last seen; a new uid means a new miner, which starts from 0. */
  readonly uid: number | null;
  readonly penaltyEpochsLeft: number;
  /** The last epoch that changed this entry. */
  readonly lastEpochId: string;
}

/** Everything credibility remembers, kept in the validator's state directory. */
export interface CredibilityState {
  /** The last epoch applied; epochs are applied once each, in order. */
  readonly lastEpochId: string | null;
  /** By hotkey; hotkeys whose credibility fell to 0 with no penalty left are dropped. */
  readonly miners: Readonly<Record<string, CredibilityEntry>>;
}

export const EMPTY_CREDIBILITY: CredibilityState = { lastEpochId: null, miners: {} };

/** How a miner came out of an epoch, as credibility reads it. */
export type CredibilityOutcome = 'scored' | 'honeypot' | 'fabricated' | 'rejected' | 'abstained';

/** A miner of the epoch being applied. */
export interface CredibilityMiner {
  readonly hotkey: string;
  readonly uid: number | null;
  readonly outcome: CredibilityOutcome;
  /** Its epoch reward (sum of its zipcode rewards). */
  readonly reward: number;
}

/** One hotkey's credibility before and after an epoch. */
export interface CredibilityChange {
  readonly hotkey: string;
  readonly uid: number | null;
  readonly before: number;
  readonly after: number;
  readonly penaltyEpochsLeft: number;
}

export interface CredibilityUpdate {
  readonly state: CredibilityState;
  /** Every hotkey of the epoch or of the prior state, in hotkey order. */
  readonly changes: readonly CredibilityChange[];
}

/** Throws unless `params` are usable. */
export function checkCredibilityParams(params: CredibilityParams): void {
  if (!(params.alpha > 0 && params.alpha <= 1))
    throw new RangeError(`credibility alpha ${params.alpha} is not in (0, 1]`);
  if (!Number.isInteger(params.penaltyEpochs) || params.penaltyEpochs < 0) {
    throw new RangeError(`credibility penalty epochs ${params.penaltyEpochs} is not a count`);
  }
}

/**
 * Applies one epoch to the credibility state: `ema ← (1 − α)·ema + α·share` with share = the
 * miner's reward over the epoch's total reward; fabricated or honeypot → ema 0 and a penalty of
 * `penaltyEpochs` epochs whose shares count as 0; abstained (no verdict: a download or source
 * fault) → unchanged; a hotkey absent from the epoch → share 0. When the validator abstains for the
 * whole epoch (`abstained`), nothing changes but the penalties of miners proven to cheat from their
 * own rows (a honeypot claim needs no source). Pure and order-independent; rounded so every
 * validator with the same history holds the same numbers.
 */
export function applyCredibility(
  state: CredibilityState,
  epoch: { readonly epochId: string; readonly abstained: boolean; readonly miners: readonly CredibilityMiner[] },
  params: CredibilityParams = CREDIBILITY_DEFAULTS,
): CredibilityUpdate {
  checkCredibilityParams(params);
  if (state.lastEpochId !== null && epoch.epochId <= state.lastEpochId) {
    throw new RangeError(`credibility already holds epoch ${state.lastEpochId}; epoch ${epoch.epochId} comes too late`);
  }
  const byHotkey = new Map(epoch.miners.map((miner) => [miner.hotkey, miner]));
  const hotkeys = [...new Set([...Object.keys(state.miners), ...byHotkey.keys()])].sort();
  const total = epoch.miners
    .filter((miner) => miner.outcome === 'scored')
    .reduce((sum, miner) => sum + miner.reward, 0);
  const miners: Record<string, CredibilityEntry> = {};
  const changes: CredibilityChange[] = [];
  for (const hotkey of hotkeys) {
    const miner = byHotkey.get(hotkey);
    const prior = state.miners[hotkey];
    const uid = miner?.uid ?? prior?.uid ?? null;
    const sameMiner = prior !== undefined && (miner?.uid == null || prior.uid === null || prior.uid === miner.uid);
    const before = sameMiner ? prior.ema : 0;
    let ema = before;
    let penalty = sameMiner ? prior.penaltyEpochsLeft : 0;
    let lastEpochId = prior?.lastEpochId ?? epoch.epochId;
    if (miner?.outcome === 'fabricated' || miner?.outcome === 'honeypot') {
      // Proven from the miner's own rows, so it stands even in an epoch the validator abstains for.
      lastEpochId = epoch.epochId;
      ema = 0;
      penalty = params.penaltyEpochs;
    } else if (!epoch.abstained && miner?.outcome !== 'abstained') {
      lastEpochId = epoch.epochId;
      const share = penalty > 0 || total <= 0 || miner?.outcome !== 'scored' ? 0 : miner.reward / total;
      if (penalty > 0) penalty -= 1;
      ema = roundTo((1 - params.alpha) * ema + params.alpha * share, REWARD_DECIMALS);
    }
    changes.push({ hotkey, uid, before, after: ema, penaltyEpochsLeft: penalty });
    if (ema > 0 || penalty > 0) miners[hotkey] = { ema, uid, penaltyEpochsLeft: penalty, lastEpochId };
  }
  return {
    state: { lastEpochId: epoch.epochId, miners },
    changes,
  };
}

/** The miners of a scored sheet as credibility reads them (its weight is the epoch reward). */
export function credibilityMinersOf(sheet: {
  readonly miners: readonly {
    readonly hotkey: string;
    readonly uid: number | null;
    readonly outcome: CredibilityOutcome;
    readonly weight: number;
  }[];
}): CredibilityMiner[] {
  return sheet.miners.map((miner) => ({
    hotkey: miner.hotkey,
    uid: miner.uid,
    outcome: miner.outcome,
    reward: miner.weight,
  }));
}

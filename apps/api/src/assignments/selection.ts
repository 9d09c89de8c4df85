import { createHash, createHmac } from 'node:crypto';
import { type AssignedZipcode, GEOGRAPHIC_REGIONS, type GeographicRegion, type MarketTier } from '@resi/core';
import type { CatalogueZipcode } from '../catalogue/catalogue.js';
import { MAX_EXPECTED_LISTINGS } from '../catalogue/market-model.js';

/**
 * The epoch's zipcode selection (PROTOCOL.md §4): one list for every miner, reproducible from the
 * server secret and the epoch ID, unpredictable without the secret.
 *
 * 1. A PRNG seeded by HMAC-SHA256(secret, epoch ID) gives every eligible real zipcode a random key
 *    `-ln(u) / weight` (Efraimidis–Spirakis weighted sampling without replacement), where
 *    `weight = tier weight × state priority × √expectedListings`: bigger and higher-tier markets
 *    come up more often without crowding out small ones.
 * 2. A honeypot share `s` is drawn in `honeypotShare` (5–10% of the final list).
 * 3. Walking the keys in order, a zipcode is taken unless it would push its state past
 *    `maxStateShare` or its region past `maxRegionShare` of the target, or the real sum past
 *    `target × (1 + tolerance)`. The walk stops once the real sum reaches
 *    `max(target × (1 − tolerance), target × (1 − s/2))`. Honeypots do not count toward it: the
 *    real zipcodes alone are within tolerance, so an honest miner, who finds nothing in a
 *    honeypot, still has about the target to mine; and since honeypots add about `s` on top, the
 *    published total (honeypots included) lands near `target × (1 + s/2)`, inside tolerance too.
 * 4. The honeypot count k is the one whose share k / (n + k) is closest to `s`. Each honeypot
 *    copies the profile of a randomly chosen real pick (same tier, same region, expected count
 *    within a factor of two, a state without another honeypot, the total kept under the upper
 *    bound, relaxed in that order when nothing fits), so honeypots follow the same distribution
 *    as the real zipcodes around them.
 * 5. The list is sorted by zipcode: the order reveals nothing.
 */
export const SELECTION_ALGORITHM_VERSION = 'v1.0';

export interface EpochZipcodeSelectionInput {
  /** The catalogue's rows (`ZipcodeCatalogue.zipcodes`); any order. */
  readonly catalogue: readonly CatalogueZipcode[];
  /** The server secret, at least 16 bytes: whoever knows it can predict every epoch's list. */
  readonly secret: string | Uint8Array;
  readonly epochId: string;
  /** Default 10,000. */
  readonly targetListings?: number;
  /** Default 10: the real zipcodes' expected listings sum to within target × (1 ± 10%). */
  readonly tolerancePercent?: number;
  /** Weight multiplier per state (`{ CA: 1.5 }`); missing states weigh 1, 0 excludes a state. */
  readonly statePriority?: Readonly<Record<string, number>>;
  /** Expected counts corrected by validators' observations (`updateExpectedListings`); real zipcodes only. */
  readonly expectedOverrides?: ReadonlyMap<string, number>;
  /** Zipcodes assigned in the last N epochs: neither selected nor used as honeypots. */
  readonly cooldown?: ReadonlySet<string>;
  /** Fraction of the final list that is honeypots, drawn per epoch in [min, max]; default 0.05–0.10. */
  readonly honeypotShare?: { readonly min: number; readonly max: number };
  /** Default PREMIUM 3, STANDARD 2, EMERGING 1. */
  readonly tierWeights?: Readonly<Record<MarketTier, number>>;
  /** Most of the target one state may hold; default 0.12 (California has 12% of US residents). */
  readonly maxStateShare?: number;
  /** Most of the target one Census region may hold; default 0.45 (the South has 38% of residents). */
  readonly maxRegionShare?: number;
  /** Zipcodes expected to hold fewer listings are skipped: too few to compete over. Default 5. */
  readonly minExpectedListings?: number;
}

export interface EpochZipcodeSelection {
  /** Real zipcodes and honeypots together, sorted by zipcode. */
  readonly zipcodes: readonly AssignedZipcode[];
  /** The honeypots' zipcodes, sorted. Never shown to miners before the epoch is COMPLETED. */
  readonly honeypots: readonly string[];
  /** 16 hex chars: HMAC of the secret, the epoch ID and the sorted zipcode list. */
  readonly nonce: string;
  /** Public 32-bit number derived from the epoch ID alone. */
  readonly selectionSeed: number;
  /**
   * Sum over `zipcodes`, honeypots included: the figure to publish, since any other would let a
   * miner solve for which zipcodes are honeypots.
   */
  readonly totalExpectedListings: number;
  /** Sum over the real zipcodes: within target ± tolerance. Server-side only. */
  readonly realExpectedListings: number;
  readonly algorithmVersion: string;
}

const DEFAULT_TIER_WEIGHTS: Readonly<Record<MarketTier, number>> = { PREMIUM: 3, STANDARD: 2, EMERGING: 1 };
const DEFAULT_HONEYPOT_SHARE = { min: 0.05, max: 0.1 } as const;
const MIN_SECRET_BYTES = 16;
/** Tolerance for the honeypot share bounds: k / (n + k) is computed in floating point. */
const SHARE_EPSILON = 1e-9;

/**
 * Small Fast Counter (sfc32): a 128-bit-state PRNG with integer-only arithmetic, so the same seed
 * gives the same sequence on every platform and Node version.
 */
class SelectionRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: Buffer) {
    this.a = seed.readUInt32BE(0);
    this.b = seed.readUInt32BE(4);
    this.c = seed.readUInt32BE(8);
    this.d = seed.readUInt32BE(12);
    for (let round = 0; round < 12; round += 1) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1] with 53 bits, never 0, so `Math.log` of it is finite. */
  nextUnitOpen(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67_108_864 + low + 1) / 9_007_199_254_740_992;
  }

  /** Uniform integer in [0, bound). */
  nextIndex(bound: number): number {
    return Math.floor((this.nextUnitOpen() - 2 ** -53) * bound);
  }
}

function secretBytes(secret: string | Uint8Array): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new RangeError(`the selection secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** One independent stream per purpose, so changing how one phase draws never shifts another. */
function randomStream(selectionKey: Buffer, purpose: string): SelectionRandom {
  return new SelectionRandom(createHash('sha256').update(selectionKey).update(purpose).digest());
}

/**
 * The public selection seed of an epoch: the first 4 bytes of SHA-256 of the epoch ID, as an
 * unsigned 32-bit integer. Anyone can recompute it; it reveals nothing about the selection,
 * whose randomness comes from the secret.
 */
export function publicSelectionSeed(epochId: string): number {
  return createHash('sha256').update(`resi/selection-seed/v1|${epochId}`).digest().readUInt32BE(0);
}

/**
 * The epoch nonce: the first 16 hex characters of HMAC-SHA256(secret, epoch ID + sorted zipcode
 * list). It binds status updates and uploads to this exact assignment.
 */
export function computeEpochNonce(secret: string | Uint8Array, epochId: string, zipcodes: readonly string[]): string {
  const sorted = [...zipcodes].sort();
  return createHmac('sha256', secretBytes(secret))
    .update(`resi/epoch-nonce/v1|${epochId}|${sorted.join(',')}`)
    .digest('hex')
    .slice(0, 16);
}

interface Candidate {
  readonly row: CatalogueZipcode;
  readonly expected: number;
  readonly key: number;
}

interface ResolvedOptions {
  readonly target: number;
  readonly upper: number;
  readonly lower: number;
  readonly stateCap: number;
  readonly regionCap: number;
  readonly minExpected: number;
  readonly tierWeights: Readonly<Record<MarketTier, number>>;
  readonly statePriority: Readonly<Record<string, number>>;
  readonly honeypotShare: { readonly min: number; readonly max: number };
  readonly cooldown: ReadonlySet<string>;
  readonly overrides: ReadonlyMap<string, number>;
}

function assertWeight(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${value}`);
}

function resolveOptions(input: EpochZipcodeSelectionInput): ResolvedOptions {
  const target = input.targetListings ?? 10_000;
  const tolerance = (input.tolerancePercent ?? 10) / 100;
  const honeypotShare = input.honeypotShare ?? DEFAULT_HONEYPOT_SHARE;
  const tierWeights = input.tierWeights ?? DEFAULT_TIER_WEIGHTS;
  const statePriority = input.statePriority ?? {};
  const maxStateShare = input.maxStateShare ?? 0.12;
  const maxRegionShare = input.maxRegionShare ?? 0.45;
  const minExpected = input.minExpectedListings ?? 5;
  if (!Number.isSafeInteger(target) || target <= 0)
    throw new RangeError(`targetListings ${target} is not a positive integer`);
  if (!(tolerance > 0 && tolerance < 1))
    throw new RangeError(`tolerancePercent ${tolerance * 100} is outside (0, 100)`);
  if (!(honeypotShare.min > 0 && honeypotShare.min <= honeypotShare.max && honeypotShare.max < 0.5)) {
    throw new RangeError(`honeypotShare ${JSON.stringify(honeypotShare)} needs 0 < min <= max < 0.5`);
  }
  if (!(maxStateShare > 0 && maxStateShare <= 1))
    throw new RangeError(`maxStateShare ${maxStateShare} is outside (0, 1]`);
  if (!(maxRegionShare > 0 && maxRegionShare <= 1)) {
    throw new RangeError(`maxRegionShare ${maxRegionShare} is outside (0, 1]`);
  }
  if (!(minExpected >= 1)) throw new RangeError(`minExpectedListings ${minExpected} must be at least 1`);
  for (const [tier, weight] of Object.entries(tierWeights)) assertWeight(weight, `tier weight of ${tier}`);
  for (const [state, weight] of Object.entries(statePriority)) assertWeight(weight, `state priority of ${state}`);
  if (input.epochId === '') throw new RangeError('epochId must not be empty');
  return {
    target,
    upper: Math.floor(target * (1 + tolerance)),
    lower: Math.ceil(target * (1 - tolerance)),
    stateCap: maxStateShare * target,
    regionCap: maxRegionShare * target,
    minExpected,
    tierWeights,
    statePriority,
    honeypotShare,
    cooldown: input.cooldown ?? new Set(),
    overrides: input.expectedOverrides ?? new Map(),
  };
}

function sortedByZipcode(catalogue: readonly CatalogueZipcode[]): readonly CatalogueZipcode[] {
  for (let i = 1; i < catalogue.length; i += 1) {
    if (catalogue[i - 1]!.zipcode >= catalogue[i]!.zipcode) {
      return [...catalogue].sort((a, b) => (a.zipcode < b.zipcode ? -1 : 1));
    }
  }
  return catalogue;
}

function precedes(a: Candidate, b: Candidate): boolean {
  // Keys are 53-bit draws, so ties are practically impossible; the zipcode settles them anyway.
  return a.key < b.key || (a.key === b.key && a.row.zipcode < b.row.zipcode);
}

/**
 * Candidates in ascending key order, sorted lazily with a binary heap: a walk usually stops after
 * a few hundred of tens of thousands, so a full sort would be most of the selection's time.
 */
class KeyOrder implements Iterable<Candidate> {
  private readonly heap: Candidate[];
  private readonly sorted: Candidate[] = [];

  constructor(candidates: Candidate[]) {
    this.heap = candidates;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i -= 1) this.siftDown(i);
  }

  *[Symbol.iterator](): Iterator<Candidate> {
    for (let i = 0; ; i += 1) {
      while (this.sorted.length <= i && this.heap.length > 0) this.sorted.push(this.popSmallest());
      const candidate = this.sorted[i];
      if (!candidate) return;
      yield candidate;
    }
  }

  private popSmallest(): Candidate {
    const smallest = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return smallest;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && precedes(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && precedes(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

/**
 * Eligible rows of one kind with their random keys, smallest key (likeliest pick) first. Rows are
 * visited in zipcode order so the keys never depend on how the caller ordered the catalogue.
 */
function rankCandidates(
  rows: readonly CatalogueZipcode[],
  honeypots: boolean,
  options: ResolvedOptions,
  random: SelectionRandom,
): KeyOrder {
  const ranked: Candidate[] = [];
  for (const row of rows) {
    if (row.honeypotCandidate !== honeypots || options.cooldown.has(row.zipcode)) continue;
    // Validators' corrections apply to real zipcodes only: honeypots hold ~0 listings by design.
    const override = honeypots ? undefined : options.overrides.get(row.zipcode);
    const expected = Math.round(Math.min(MAX_EXPECTED_LISTINGS, Math.max(0, override ?? row.expectedListings)));
    if (expected < options.minExpected || expected > options.upper) continue;
    const weight =
      (options.tierWeights[row.marketTier] ?? 1) * (options.statePriority[row.state] ?? 1) * Math.sqrt(expected);
    if (!(weight > 0)) continue;
    ranked.push({ row, expected, key: -Math.log(random.nextUnitOpen()) / weight });
  }
  return new KeyOrder(ranked);
}

/** Running sums per state and region, for the geographic caps. */
class SpreadTally {
  readonly byState = new Map<string, number>();
  readonly byRegion = new Map<GeographicRegion, number>(GEOGRAPHIC_REGIONS.map((region) => [region, 0]));

  fits(candidate: Candidate, options: ResolvedOptions): boolean {
    const { state, geographicRegion } = candidate.row;
    return (
      (this.byState.get(state) ?? 0) + candidate.expected <= options.stateCap &&
      (this.byRegion.get(geographicRegion) ?? 0) + candidate.expected <= options.regionCap
    );
  }

  add(candidate: Candidate): void {
    const { state, geographicRegion } = candidate.row;
    this.byState.set(state, (this.byState.get(state) ?? 0) + candidate.expected);
    this.byRegion.set(geographicRegion, (this.byRegion.get(geographicRegion) ?? 0) + candidate.expected);
  }
}

function selectRealZipcodes(
  ranked: Iterable<Candidate>,
  aim: number,
  options: ResolvedOptions,
  tally: SpreadTally,
): Candidate[] {
  const picked: Candidate[] = [];
  let total = 0;
  for (const candidate of ranked) {
    if (total >= aim) break;
    if (total + candidate.expected > options.upper || !tally.fits(candidate, options)) continue;
    picked.push(candidate);
    tally.add(candidate);
    total += candidate.expected;
  }
  if (total < options.lower) {
    throw new Error(
      `the catalogue cannot fill the epoch: only ${total} expected listings are eligible against a minimum of ` +
        `${options.lower} (cooldown, state priorities or geographic caps leave too few zipcodes)`,
    );
  }
  return picked;
}

/**
 * The honeypot count k for n real zipcodes: the k whose share k / (n + k) is closest to the drawn
 * share while staying inside [min, max]. At least one honeypot always: below 9 real zipcodes (tiny
 * targets on a devnet) no count fits the range and the share then exceeds `max`.
 */
export function honeypotCountFor(realCount: number, share: number, bounds: { min: number; max: number }): number {
  let best = 1;
  let bestDistance = Infinity;
  for (let k = 1; k <= Math.max(1, realCount); k += 1) {
    const actual = k / (realCount + k);
    if (actual < bounds.min - SHARE_EPSILON) continue;
    if (actual > bounds.max + SHARE_EPSILON) break;
    const distance = Math.abs(actual - share);
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  return best;
}

function selectHoneypots(
  ranked: Iterable<Candidate>,
  realPicks: readonly Candidate[],
  count: number,
  options: ResolvedOptions,
  tally: SpreadTally,
  random: SelectionRandom,
): Candidate[] {
  const used = new Set<string>();
  const honeypotStates = new Set<string>();
  const picked: Candidate[] = [];
  let total = realPicks.reduce((sum, pick) => sum + pick.expected, 0);
  for (let slot = 0; slot < count; slot += 1) {
    const template = realPicks[random.nextIndex(realPicks.length)]!;
    const similarSize = (candidate: Candidate) =>
      candidate.expected * 2 >= template.expected && candidate.expected <= template.expected * 2;
    const sameTier = (candidate: Candidate) => candidate.row.marketTier === template.row.marketTier;
    const freshState = (candidate: Candidate) =>
      !honeypotStates.has(candidate.row.state) &&
      tally.fits(candidate, options) &&
      total + candidate.expected <= options.upper;
    // From the closest imitation of the template down to any unused candidate.
    const preferences: ((candidate: Candidate) => boolean)[] = [
      (c) => sameTier(c) && similarSize(c) && c.row.geographicRegion === template.row.geographicRegion && freshState(c),
      (c) => sameTier(c) && similarSize(c) && freshState(c),
      (c) => sameTier(c) && freshState(c),
      (c) => freshState(c),
      () => true,
    ];
    let choice: Candidate | undefined;
    for (const acceptable of preferences) {
      for (const candidate of ranked) {
        if (!used.has(candidate.row.zipcode) && acceptable(candidate)) {
          choice = candidate;
          break;
        }
      }
      if (choice) break;
    }
    if (!choice) {
      throw new Error(`the catalogue has only ${picked.length} eligible honeypot candidates, ${count} are needed`);
    }
    used.add(choice.row.zipcode);
    honeypotStates.add(choice.row.state);
    tally.add(choice);
    total += choice.expected;
    picked.push(choice);
  }
  return picked;
}

function toAssignedZipcode(candidate: Candidate): AssignedZipcode {
  const { zipcode, state, city, county, marketTier, geographicRegion } = candidate.row;
  return { zipcode, expectedListings: candidate.expected, state, city, county, marketTier, geographicRegion };
}

/**
 * Selects the epoch's zipcodes (see the algorithm above). Pure and deterministic: the same inputs
 * give the same output, byte for byte; a different secret gives an unrelated selection.
 *
 * @throws RangeError on invalid options (secret shorter than 16 bytes, negative weights, ...).
 * @throws Error when the eligible catalogue cannot reach `target × (1 − tolerance)`.
 */
export function selectEpochZipcodes(input: EpochZipcodeSelectionInput): EpochZipcodeSelection {
  const options = resolveOptions(input);
  const secret = secretBytes(input.secret);
  const selectionKey = createHmac('sha256', secret).update(`resi/zipcode-selection/v1|${input.epochId}`).digest();
  const rows = sortedByZipcode(input.catalogue);

  const { min, max } = options.honeypotShare;
  const share = min + (max - min) * randomStream(selectionKey, 'honeypot-share').nextUnitOpen();
  // Honeypots add about `share` on top of the real zipcodes: aiming the real ones half of it below
  // the target centres both the real sum and the published total around it.
  const aim = Math.max(options.lower, Math.round(options.target * (1 - share / 2)));

  const tally = new SpreadTally();
  const realRanked = rankCandidates(rows, false, options, randomStream(selectionKey, 'real-keys'));
  const realPicks = selectRealZipcodes(realRanked, aim, options, tally);
  const honeypotCount = honeypotCountFor(realPicks.length, share, options.honeypotShare);
  const honeypotRanked = rankCandidates(rows, true, options, randomStream(selectionKey, 'honeypot-keys'));
  const honeypotPicks = selectHoneypots(
    honeypotRanked,
    realPicks,
    honeypotCount,
    options,
    tally,
    randomStream(selectionKey, 'honeypot-templates'),
  );

  const zipcodes = [...realPicks, ...honeypotPicks]
    .map(toAssignedZipcode)
    .sort((a, b) => (a.zipcode < b.zipcode ? -1 : 1));
  const realExpectedListings = realPicks.reduce((sum, pick) => sum + pick.expected, 0);
  const honeypotExpectedListings = honeypotPicks.reduce((sum, pick) => sum + pick.expected, 0);
  return {
    zipcodes,
    honeypots: honeypotPicks.map((pick) => pick.row.zipcode).sort(),
    nonce: computeEpochNonce(
      secret,
      input.epochId,
      zipcodes.map((zipcode) => zipcode.zipcode),
    ),
    selectionSeed: publicSelectionSeed(input.epochId),
    totalExpectedListings: realExpectedListings + honeypotExpectedListings,
    realExpectedListings,
    algorithmVersion: SELECTION_ALGORITHM_VERSION,
  };
}

import { GEOGRAPHIC_REGIONS } from '@resi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CatalogueZipcode, type ZipcodeCatalogue, loadZipcodeCatalogue } from '../catalogue/catalogue.js';
import { MAX_EXPECTED_LISTINGS } from '../catalogue/market-model.js';
import {
  type EpochZipcodeSelection,
  type EpochZipcodeSelectionInput,
  SELECTION_ALGORITHM_VERSION,
  computeEpochNonce,
  honeypotCountFor,
  publicSelectionSeed,
  selectEpochZipcodes,
} from './selection.js';

const SECRET = 'test-selection-secret-0123456789';
const OTHER_SECRET = 'another-selection-secret-9876543210';
const EPOCH_COUNT = 200;
const ASSIGNED_FIELDS = ['zipcode', 'expectedListings', 'state', 'city', 'county', 'marketTier', 'geographicRegion'];

/** Production epoch IDs, 4 hours apart from 2025-10-01T00-00-00. */
function epochIdAt(index: number): string {
  const start = new Date(Date.UTC(2025, 9, 1) + index * 4 * 3_600_000);
  return `${start.toISOString().slice(0, 13)}-00-00`;
}

function sumExpected(zipcodes: readonly { expectedListings: number }[]): number {
  return zipcodes.reduce((sum, zipcode) => sum + zipcode.expectedListings, 0);
}

function overlap(a: EpochZipcodeSelection, b: EpochZipcodeSelection): number {
  const inA = new Set(a.zipcodes.map((zipcode) => zipcode.zipcode));
  return b.zipcodes.filter((zipcode) => inA.has(zipcode.zipcode)).length;
}

describe('selectEpochZipcodes over the real catalogue', () => {
  let catalogue: ZipcodeCatalogue;
  let runs: { epochId: string; selection: EpochZipcodeSelection }[];
  const select = (overrides: Partial<EpochZipcodeSelectionInput> = {}) =>
    selectEpochZipcodes({ catalogue: catalogue.zipcodes, secret: SECRET, epochId: epochIdAt(0), ...overrides });

  beforeAll(() => {
    catalogue = loadZipcodeCatalogue();
    runs = Array.from({ length: EPOCH_COUNT }, (_, index) => {
      const epochId = epochIdAt(index);
      return { epochId, selection: select({ epochId }) };
    });
  });

  describe('determinism and secrecy', () => {
    it('gives the same output for the same inputs, whatever the catalogue order', () => {
      const shuffled = [...catalogue.zipcodes].reverse();
      expect(select()).toEqual(runs[0]!.selection);
      expect(select({ catalogue: shuffled })).toEqual(runs[0]!.selection);
      expect(runs[0]!.selection.algorithmVersion).toBe(SELECTION_ALGORITHM_VERSION);
    });

    it('gives an unrelated selection under another secret', () => {
      const mine = runs[0]!.selection;
      const theirs = select({ secret: OTHER_SECRET });
      expect(overlap(mine, theirs)).toBeLessThan(mine.zipcodes.length / 10);
      expect(theirs.nonce).not.toBe(mine.nonce);
    });

    it('gives each epoch its own selection', () => {
      expect(overlap(runs[0]!.selection, runs[1]!.selection)).toBeLessThan(runs[0]!.selection.zipcodes.length / 10);
    });

    it('refuses a secret shorter than 16 bytes', () => {
      expect(() => select({ secret: 'short' })).toThrow(RangeError);
      expect(() => select({ secret: new Uint8Array(15) })).toThrow(RangeError);
    });

    it('refuses impossible options', () => {
      expect(() => select({ targetListings: 0 })).toThrow(RangeError);
      expect(() => select({ tolerancePercent: 0 })).toThrow(RangeError);
      expect(() => select({ honeypotShare: { min: 0.1, max: 0.05 } })).toThrow(RangeError);
      expect(() => select({ statePriority: { CA: -1 } })).toThrow(RangeError);
      expect(() => select({ epochId: '' })).toThrow(RangeError);
    });
  });

  describe('listing target', () => {
    it('keeps the real zipcodes and the published total within target ± 10% in every epoch', () => {
      const outside = runs.filter(({ selection }) => {
        const honeypots = new Set(selection.honeypots);
        const real = sumExpected(selection.zipcodes.filter((zipcode) => !honeypots.has(zipcode.zipcode)));
        return (
          real !== selection.realExpectedListings ||
          sumExpected(selection.zipcodes) !== selection.totalExpectedListings ||
          real < 9_000 ||
          real > 11_000 ||
          selection.totalExpectedListings > 11_000
        );
      });
      expect(outside).toEqual([]);
    });

    it('honours other targets and tolerances', () => {
      for (let index = 0; index < 10; index += 1) {
        const selection = select({ epochId: epochIdAt(index), targetListings: 2_000, tolerancePercent: 5 });
        expect(selection.realExpectedListings).toBeGreaterThanOrEqual(1_900);
        expect(selection.realExpectedListings).toBeLessThanOrEqual(2_100);
      }
    });
  });

  describe('honeypots', () => {
    it('make up 5–10% of every list, a share that varies between epochs', () => {
      const shares = runs.map(({ selection }) => selection.honeypots.length / selection.zipcodes.length);
      expect(shares.filter((share) => share < 0.05 || share > 0.1)).toEqual([]);
      expect(new Set(shares.map((share) => share.toFixed(3))).size).toBeGreaterThan(20);
    });

    it('are exactly the honeypot candidates of the list', () => {
      for (const { selection } of runs.slice(0, 20)) {
        const honeypots = new Set(selection.honeypots);
        for (const { zipcode } of selection.zipcodes) {
          expect(catalogue.get(zipcode)?.honeypotCandidate).toBe(honeypots.has(zipcode));
        }
      }
    });

    it('have the same shape and plausible values', () => {
      const realPlaces = new Set(
        catalogue.zipcodes
          .filter((row) => !row.honeypotCandidate)
          .flatMap((row) => [`${row.state}|city|${row.city}`, `${row.state}|county|${row.county}`]),
      );
      const implausible: string[] = [];
      for (const { selection } of runs) {
        const honeypots = new Set(selection.honeypots);
        for (const zipcode of selection.zipcodes) {
          if (Object.keys(zipcode).join() !== ASSIGNED_FIELDS.join()) implausible.push(`${zipcode.zipcode} shape`);
          if (!honeypots.has(zipcode.zipcode)) continue;
          if (zipcode.expectedListings < 5 || zipcode.expectedListings > MAX_EXPECTED_LISTINGS) {
            implausible.push(`${zipcode.zipcode} expects ${zipcode.expectedListings}`);
          }
          if (!realPlaces.has(`${zipcode.state}|city|${zipcode.city}`)) implausible.push(`${zipcode.zipcode} city`);
          if (!realPlaces.has(`${zipcode.state}|county|${zipcode.county}`))
            implausible.push(`${zipcode.zipcode} county`);
        }
      }
      expect(implausible).toEqual([]);
    });

    it('follow the tier mix and size of the real zipcodes', () => {
      const real = { count: 0, premium: 0, emerging: 0, listings: 0 };
      const honeypot = { count: 0, premium: 0, emerging: 0, listings: 0 };
      for (const { selection } of runs) {
        const honeypots = new Set(selection.honeypots);
        for (const zipcode of selection.zipcodes) {
          const tally = honeypots.has(zipcode.zipcode) ? honeypot : real;
          tally.count += 1;
          tally.listings += zipcode.expectedListings;
          if (zipcode.marketTier === 'PREMIUM') tally.premium += 1;
          if (zipcode.marketTier === 'EMERGING') tally.emerging += 1;
        }
      }
      expect(Math.abs(honeypot.premium / honeypot.count - real.premium / real.count)).toBeLessThan(0.05);
      expect(Math.abs(honeypot.emerging / honeypot.count - real.emerging / real.count)).toBeLessThan(0.05);
      const meanRatio = honeypot.listings / honeypot.count / (real.listings / real.count);
      expect(meanRatio).toBeGreaterThan(0.8);
      expect(meanRatio).toBeLessThan(1.25);
    });

    it('are hidden by the order of the list', () => {
      for (const { selection } of runs) {
        const codes = selection.zipcodes.map((zipcode) => zipcode.zipcode);
        expect(codes).toEqual([...codes].sort());
      }
    });
  });

  describe('geographic spread', () => {
    it('lets no state hold more than 12% of the target, and no region more than 45%', () => {
      const maxima = runs.map(({ selection }) => {
        const byState = new Map<string, number>();
        const byRegion = new Map<string, number>();
        for (const zipcode of selection.zipcodes) {
          byState.set(zipcode.state, (byState.get(zipcode.state) ?? 0) + zipcode.expectedListings);
          byRegion.set(
            zipcode.geographicRegion,
            (byRegion.get(zipcode.geographicRegion) ?? 0) + zipcode.expectedListings,
          );
        }
        return { state: Math.max(...byState.values()), region: Math.max(...byRegion.values()), regions: byRegion.size };
      });
      expect(Math.max(...maxima.map((maximum) => maximum.state))).toBeLessThanOrEqual(1_200);
      expect(Math.max(...maxima.map((maximum) => maximum.region))).toBeLessThanOrEqual(4_500);
      expect(maxima.every((maximum) => maximum.regions === GEOGRAPHIC_REGIONS.length)).toBe(true);
    });

    it('spreads each epoch over many states', () => {
      for (const { selection } of runs) {
        expect(new Set(selection.zipcodes.map((zipcode) => zipcode.state)).size).toBeGreaterThanOrEqual(25);
      }
    });
  });

  describe('cooldown', () => {
    it('never reassigns a zipcode within the cooldown window', () => {
      const history: EpochZipcodeSelection[] = [];
      for (let index = 0; index < 10; index += 1) {
        const cooldown = new Set(history.slice(-6).flatMap((past) => past.zipcodes.map((zipcode) => zipcode.zipcode)));
        const selection = select({ epochId: epochIdAt(index), cooldown });
        expect(selection.zipcodes.filter((zipcode) => cooldown.has(zipcode.zipcode))).toEqual([]);
        history.push(selection);
      }
    });

    it('fails loudly when the cooldown leaves too little to fill the target', () => {
      const cooldown = new Set(catalogue.zipcodes.filter((row) => row.state !== 'WY').map((row) => row.zipcode));
      expect(() => select({ cooldown })).toThrow(/cannot fill the epoch/);
    });
  });

  describe('state priority', () => {
    it('excludes a state weighted 0', () => {
      const selection = select({ statePriority: { CA: 0, TX: 0 } });
      expect(selection.zipcodes.filter((zipcode) => zipcode.state === 'CA' || zipcode.state === 'TX')).toEqual([]);
    });

    it('favours a state weighted above 1', () => {
      const countIn = (state: string, priority: Record<string, number>) =>
        Array.from({ length: 10 }, (_, index) =>
          select({ epochId: epochIdAt(index), statePriority: priority }).zipcodes.filter((z) => z.state === state),
        ).flat().length;
      expect(countIn('OH', { OH: 4 })).toBeGreaterThan(countIn('OH', {}) * 2);
    });
  });

  describe('expected-count overrides', () => {
    it('replace the catalogue estimate of real zipcodes and leave honeypots alone', () => {
      const overrides = new Map<string, number>();
      for (const row of catalogue.zipcodes) {
        overrides.set(
          row.zipcode,
          row.honeypotCandidate ? 1 : Math.min(MAX_EXPECTED_LISTINGS, row.expectedListings + 7),
        );
      }
      const selection = select({ expectedOverrides: overrides });
      for (const zipcode of selection.zipcodes) {
        const row = catalogue.get(zipcode.zipcode)!;
        const expected = row.honeypotCandidate ? row.expectedListings : overrides.get(zipcode.zipcode);
        expect(zipcode.expectedListings).toBe(expected);
      }
    });

    it('drop a zipcode whose corrected count fell below the minimum', () => {
      const baseline = runs[0]!.selection;
      const dropped = baseline.zipcodes.find((zipcode) => !baseline.honeypots.includes(zipcode.zipcode))!;
      const selection = select({ expectedOverrides: new Map([[dropped.zipcode, 2]]) });
      expect(selection.zipcodes.map((zipcode) => zipcode.zipcode)).not.toContain(dropped.zipcode);
    });
  });

  describe('nonce', () => {
    it('is 16 hex characters bound to the secret, the epoch and the sorted zipcode list', () => {
      for (const { epochId, selection } of runs.slice(0, 20)) {
        expect(selection.nonce).toMatch(/^[0-9a-f]{16}$/);
        const codes = selection.zipcodes.map((zipcode) => zipcode.zipcode);
        expect(computeEpochNonce(SECRET, epochId, codes)).toBe(selection.nonce);
        expect(computeEpochNonce(SECRET, epochId, [...codes].reverse())).toBe(selection.nonce);
      }
    });

    it('changes with any zipcode, the epoch or the secret', () => {
      const { epochId, selection } = runs[0]!;
      const codes = selection.zipcodes.map((zipcode) => zipcode.zipcode);
      expect(computeEpochNonce(SECRET, epochId, [...codes.slice(1), '99999'])).not.toBe(selection.nonce);
      expect(computeEpochNonce(SECRET, epochId, codes.slice(1))).not.toBe(selection.nonce);
      expect(computeEpochNonce(SECRET, epochIdAt(1), codes)).not.toBe(selection.nonce);
      expect(computeEpochNonce(OTHER_SECRET, epochId, codes)).not.toBe(selection.nonce);
    });
  });

  describe('selectionSeed', () => {
    it('is a public 32-bit number of the epoch ID alone', () => {
      const seeds = runs.map(({ epochId, selection }) => {
        expect(selection.selectionSeed).toBe(publicSelectionSeed(epochId));
        expect(Number.isInteger(selection.selectionSeed)).toBe(true);
        expect(selection.selectionSeed).toBeGreaterThanOrEqual(0);
        expect(selection.selectionSeed).toBeLessThan(2 ** 32);
        return selection.selectionSeed;
      });
      expect(new Set(seeds).size).toBe(EPOCH_COUNT);
      expect(select({ secret: OTHER_SECRET }).selectionSeed).toBe(runs[0]!.selection.selectionSeed);
    });
  });
});

describe('honeypotCountFor', () => {
  it('picks a count whose share lies in the range, closest to the drawn share', () => {
    for (let realCount = 9; realCount <= 400; realCount += 1) {
      for (const share of [0.05, 0.062, 0.075, 0.09, 0.1]) {
        const count = honeypotCountFor(realCount, share, { min: 0.05, max: 0.1 });
        const actual = count / (realCount + count);
        expect(actual).toBeGreaterThanOrEqual(0.05 - 1e-9);
        expect(actual).toBeLessThanOrEqual(0.1 + 1e-9);
      }
    }
    // 9 / 189 would fall under 5%.
    expect(honeypotCountFor(180, 0.05, { min: 0.05, max: 0.1 })).toBe(10);
    expect(honeypotCountFor(180, 0.1, { min: 0.05, max: 0.1 })).toBe(20);
  });

  it('keeps one honeypot when the list is too short for the range', () => {
    expect(honeypotCountFor(3, 0.07, { min: 0.05, max: 0.1 })).toBe(1);
  });
});

describe('selectEpochZipcodes over a small catalogue', () => {
  const row = (
    zipcode: string,
    state: string,
    expectedListings: number,
    honeypotCandidate = false,
  ): CatalogueZipcode => ({
    zipcode,
    city: 'Springfield',
    state,
    county: 'Sangamon County',
    lat: 39.8,
    lon: -89.6,
    population: honeypotCandidate ? 0 : expectedListings * 400,
    timezone: 'America/Chicago',
    marketTier: 'STANDARD',
    geographicRegion: 'Midwest',
    expectedListings,
    honeypotCandidate,
  });

  it('refuses to publish a list that falls short of the tolerance', () => {
    const catalogue = [row('62701', 'IL', 300), row('62702', 'IL', 300), row('62703', 'IL', 300, true)];
    expect(() =>
      selectEpochZipcodes({
        catalogue,
        secret: SECRET,
        epochId: epochIdAt(0),
        targetListings: 1_000,
        maxStateShare: 1,
        maxRegionShare: 1,
      }),
    ).toThrow(/cannot fill the epoch: only 600 expected listings/);
  });

  it('fails when no honeypot candidate is eligible', () => {
    const catalogue = Array.from({ length: 12 }, (_, index) => row(String(62_700 + index), 'IL', 100));
    expect(() =>
      selectEpochZipcodes({
        catalogue,
        secret: SECRET,
        epochId: epochIdAt(0),
        targetListings: 1_000,
        maxStateShare: 1,
        maxRegionShare: 1,
      }),
    ).toThrow(/honeypot candidates/);
  });
});

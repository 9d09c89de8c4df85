import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOGUE_COLUMNS,
  DEFAULT_EXPECTED_LISTINGS_ALPHA,
  type ZipcodeCatalogue,
  defaultZipcodeCataloguePath,
  loadZipcodeCatalogue,
  parseZipcodeCatalogue,
  updateExpectedListings,
} from './catalogue.js';
import { CATALOGUE_STATES } from './census-regions.js';
import { MAX_EXPECTED_LISTINGS } from './market-model.js';

const HEADER = CATALOGUE_COLUMNS.join('\t');
const PHILADELPHIA =
  '19103\tPhiladelphia\tPA\tPhiladelphia County\t39.953\t-75.1739\t25705\tAmerica/New_York\tPREMIUM\t71\t0';

describe('the committed catalogue', () => {
  let sut: ZipcodeCatalogue;
  beforeAll(() => {
    sut = loadZipcodeCatalogue();
  });

  it('looks up a real zipcode with every field', () => {
    expect(sut.get('19103')).toEqual({
      zipcode: '19103',
      city: 'Philadelphia',
      state: 'PA',
      county: 'Philadelphia County',
      lat: 39.953,
      lon: -75.1739,
      population: 25705,
      timezone: 'America/New_York',
      marketTier: 'PREMIUM',
      geographicRegion: 'Northeast',
      expectedListings: 71,
      honeypotCandidate: false,
    });
    expect(sut.has('19103')).toBe(true);
    expect(sut.get('00000')).toBeUndefined();
  });

  it('holds PO-box and unique ZIPs as honeypot candidates under a real city name', () => {
    // 10072 is listed by USPS under an organisation's name; it must read as New York.
    const unique = sut.get('10072');
    expect(unique).toMatchObject({ city: 'New York', state: 'NY', population: 0, honeypotCandidate: true });
    expect(unique!.expectedListings).toBeGreaterThan(0);
    expect(sut.get('10008')).toMatchObject({ city: 'New York', honeypotCandidate: true });
  });

  it('covers the 50 states and DC only, sorted and without duplicates', () => {
    const states = new Set(sut.zipcodes.map((row) => row.state));
    expect([...states].sort()).toEqual(CATALOGUE_STATES);
    expect(sut.get('00601')).toBeUndefined(); // Puerto Rico
    const outOfOrder = sut.zipcodes.filter((row, i) => i > 0 && sut.zipcodes[i - 1]!.zipcode >= row.zipcode);
    expect(outOfOrder).toEqual([]);
  });

  it('keeps every expected count within bounds, zero only where nobody lives', () => {
    const violations = sut.zipcodes.filter(
      (row) =>
        row.expectedListings > MAX_EXPECTED_LISTINGS ||
        (row.honeypotCandidate
          ? row.population !== 0 || row.expectedListings === 0
          : (row.expectedListings === 0) !== (row.population === 0)),
    );
    expect(violations).toEqual([]);
  });

  it('agrees with the provenance file the generator wrote beside it', () => {
    const meta = JSON.parse(readFileSync(defaultZipcodeCataloguePath().replace(/\.tsv$/, '.meta.json'), 'utf8')) as {
      counts: Record<string, number>;
    };
    const stats = sut.statistics();
    expect(sut.size).toBe(meta.counts.rows);
    expect(stats.zipcodeCount).toBe(meta.counts.zctas);
    expect(stats.honeypotCandidateCount).toBe(meta.counts.honeypotCandidates);
    expect(stats.byMarketTier).toEqual({
      PREMIUM: meta.counts.premium,
      STANDARD: meta.counts.standard,
      EMERGING: meta.counts.emerging,
    });
    expect(stats.totalPopulation).toBe(meta.counts.totalPopulation);
    expect(stats.totalExpectedListings).toBe(meta.counts.totalExpectedListings);
    expect(stats.zipcodeCount - stats.populatedZipcodeCount).toBe(meta.counts.zctasWithoutResidents);
  });

  it('breaks the real zipcodes down by region and state consistently', () => {
    const stats = sut.statistics();
    const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(sum(stats.byGeographicRegion)).toBe(stats.zipcodeCount);
    expect(sum(stats.byState)).toBe(stats.zipcodeCount);
    expect(Object.keys(stats.byState)).toEqual(CATALOGUE_STATES);
    expect(sut.statistics()).toBe(stats);
  });
});

describe('parseZipcodeCatalogue', () => {
  it('parses a well-formed file and derives the region from the state', () => {
    const sut = parseZipcodeCatalogue(`${HEADER}\n${PHILADELPHIA}\n`);
    expect(sut.size).toBe(1);
    expect(sut.get('19103')?.geographicRegion).toBe('Northeast');
  });

  it.each([
    ['a wrong header', `zip\tcity\n${PHILADELPHIA}`, /header/],
    ['a missing field', `${HEADER}\n${PHILADELPHIA.replace('\t0', '')}`, /line 2 has 10 fields/],
    ['a territory', `${HEADER}\n${PHILADELPHIA.replace('\tPA\t', '\tPR\t')}`, /"PR" is not one of the 50 states/],
    ['an unknown tier', `${HEADER}\n${PHILADELPHIA.replace('PREMIUM', 'LUXURY')}`, /not a market tier/],
    ['a bad count', `${HEADER}\n${PHILADELPHIA.replace('\t71\t', '\t-3\t')}`, /expectedListings "-3"/],
    ['a bad coordinate', `${HEADER}\n${PHILADELPHIA.replace('39.953', 'north')}`, /latitude "north"/],
    ['a short zipcode', `${HEADER}\n${PHILADELPHIA.replace('19103', '1910')}`, /not a 5-digit zipcode/],
    ['a duplicate', `${HEADER}\n${PHILADELPHIA}\n${PHILADELPHIA}`, /appears twice/],
  ])('rejects %s', (_what, tsv, message) => {
    expect(() => parseZipcodeCatalogue(tsv)).toThrow(message);
  });
});

describe('updateExpectedListings', () => {
  it('blends the observation in with weight 0.3 by default', () => {
    expect(DEFAULT_EXPECTED_LISTINGS_ALPHA).toBe(0.3);
    expect(updateExpectedListings(100, 50)).toBe(85);
    expect(updateExpectedListings(100, 150)).toBe(115);
    expect(updateExpectedListings(100, 150, 1)).toBe(150);
    expect(updateExpectedListings(100, 0, 0.5)).toBe(50);
  });

  it('rounds to an integer for the database column', () => {
    expect(updateExpectedListings(10, 11)).toBe(10);
    expect(updateExpectedListings(10, 12)).toBe(11);
  });

  it('converges to a steady observation', () => {
    let expected = 40;
    for (let epoch = 0; epoch < 30; epoch += 1) expected = updateExpectedListings(expected, 120);
    expect(Math.abs(expected - 120)).toBeLessThanOrEqual(2);
  });

  it('limits how far one inflated observation can pull the estimate', () => {
    // The observation counts for at most 3 × 20 + 10 = 70.
    expect(updateExpectedListings(20, 10_000)).toBe(Math.round(0.3 * 70 + 0.7 * 20));
    expect(updateExpectedListings(0, 10_000)).toBe(3);
  });

  it('never exceeds the catalogue ceiling', () => {
    expect(updateExpectedListings(MAX_EXPECTED_LISTINGS, 1000)).toBe(MAX_EXPECTED_LISTINGS);
  });

  it.each([
    [-1, 10, 0.3],
    [10, -1, 0.3],
    [Number.NaN, 10, 0.3],
    [10, Number.POSITIVE_INFINITY, 0.3],
    [10, 10, 0],
    [10, 10, 1.2],
  ])('rejects previous=%s observed=%s alpha=%s', (previous, observed, alpha) => {
    expect(() => updateExpectedListings(previous, observed, alpha)).toThrow(RangeError);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GEOGRAPHIC_REGIONS, type GeographicRegion, MARKET_TIERS, type MarketTier } from '@resi/core';
import { censusRegionOfState } from './census-regions.js';
import { MAX_EXPECTED_LISTINGS } from './market-model.js';

/** Columns of `data/us-zipcodes.tsv`, in file order (the header line repeats them). */
export const CATALOGUE_COLUMNS = [
  'zipcode',
  'city',
  'state',
  'county',
  'latitude',
  'longitude',
  'population',
  'timezone',
  'marketTier',
  'expectedListings',
  'honeypotCandidate',
] as const;

/**
 * One US ZIP code of the catalogue. Real ones are Census ZCTAs; honeypot candidates are USPS codes
 * with no residents, carrying the city, county, tier and expected count of their nearest ZCTA so
 * an assignment built from either looks the same. `population` and `honeypotCandidate` are for the
 * server only and never leave it.
 */
export interface CatalogueZipcode {
  readonly zipcode: string;
  readonly city: string;
  /** USPS state abbreviation: one of the 50 states or DC. */
  readonly state: string;
  /** Full county-equivalent name ("Cook County", "Orleans Parish", "City of Richmond"). */
  readonly county: string;
  readonly lat: number;
  readonly lon: number;
  /** 2020 Census residents; 0 for honeypot candidates and for ZCTAs nobody lives in. */
  readonly population: number;
  /** IANA timezone, e.g. "America/Chicago". */
  readonly timezone: string;
  readonly marketTier: MarketTier;
  readonly geographicRegion: GeographicRegion;
  /** Prior estimate of active for-sale listings (market-model.ts); 0 means never selectable. */
  readonly expectedListings: number;
  readonly honeypotCandidate: boolean;
}

/** Aggregates for the stats route. Breakdowns count real (ZCTA) zipcodes only. */
export interface CatalogueStatistics {
  readonly zipcodeCount: number;
  /** Real zipcodes with an expected count above zero, i.e. eligible for selection. */
  readonly populatedZipcodeCount: number;
  readonly honeypotCandidateCount: number;
  readonly totalPopulation: number;
  readonly totalExpectedListings: number;
  readonly byMarketTier: Readonly<Record<MarketTier, number>>;
  readonly byGeographicRegion: Readonly<Record<GeographicRegion, number>>;
  /** Keyed by state abbreviation, keys in alphabetical order. */
  readonly byState: Readonly<Record<string, number>>;
}

/** The zipcode catalogue in memory: rows sorted by zipcode, lookups by code, statistics. */
export class ZipcodeCatalogue {
  /** Every row, sorted by zipcode. */
  readonly zipcodes: readonly CatalogueZipcode[];
  private readonly byZipcode: ReadonlyMap<string, CatalogueZipcode>;
  private cachedStatistics: CatalogueStatistics | undefined;

  constructor(zipcodes: readonly CatalogueZipcode[]) {
    // The data file is already sorted; checking is linear, sorting is not.
    const isSorted = zipcodes.every((row, i) => i === 0 || zipcodes[i - 1]!.zipcode <= row.zipcode);
    const sorted = isSorted
      ? [...zipcodes]
      : [...zipcodes].sort((a, b) => (a.zipcode < b.zipcode ? -1 : a.zipcode > b.zipcode ? 1 : 0));
    const byZipcode = new Map<string, CatalogueZipcode>();
    for (const row of sorted) {
      if (byZipcode.has(row.zipcode)) throw new Error(`zipcode ${row.zipcode} appears twice in the catalogue`);
      byZipcode.set(row.zipcode, row);
    }
    this.zipcodes = Object.freeze(sorted);
    this.byZipcode = byZipcode;
  }

  get size(): number {
    return this.zipcodes.length;
  }

  /** The row of a 5-digit zipcode, or `undefined` when the catalogue does not have it. */
  get(zipcode: string): CatalogueZipcode | undefined {
    return this.byZipcode.get(zipcode);
  }

  has(zipcode: string): boolean {
    return this.byZipcode.has(zipcode);
  }

  /** Counts by tier, region and state, computed once (the catalogue never changes in memory). */
  statistics(): CatalogueStatistics {
    this.cachedStatistics ??= computeStatistics(this.zipcodes);
    return this.cachedStatistics;
  }
}

function computeStatistics(zipcodes: readonly CatalogueZipcode[]): CatalogueStatistics {
  const byMarketTier = Object.fromEntries(MARKET_TIERS.map((tier) => [tier, 0])) as Record<MarketTier, number>;
  const byGeographicRegion = Object.fromEntries(GEOGRAPHIC_REGIONS.map((region) => [region, 0])) as Record<
    GeographicRegion,
    number
  >;
  const byState = new Map<string, number>();
  let zipcodeCount = 0;
  let populatedZipcodeCount = 0;
  let honeypotCandidateCount = 0;
  let totalPopulation = 0;
  let totalExpectedListings = 0;
  for (const row of zipcodes) {
    if (row.honeypotCandidate) {
      honeypotCandidateCount += 1;
      continue;
    }
    zipcodeCount += 1;
    if (row.expectedListings > 0) populatedZipcodeCount += 1;
    totalPopulation += row.population;
    totalExpectedListings += row.expectedListings;
    byMarketTier[row.marketTier] += 1;
    byGeographicRegion[row.geographicRegion] += 1;
    byState.set(row.state, (byState.get(row.state) ?? 0) + 1);
  }
  return {
    zipcodeCount,
    populatedZipcodeCount,
    honeypotCandidateCount,
    totalPopulation,
    totalExpectedListings,
    byMarketTier,
    byGeographicRegion,
    byState: Object.fromEntries([...byState.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

function parseCount(text: string, column: string, line: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new Error(`catalogue line ${line}: ${column} "${text}" is not a non-negative integer`);
  }
  return value;
}

function parseCoordinate(text: string, column: string, line: number, limit: number): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw new Error(`catalogue line ${line}: ${column} "${text}" is not a valid coordinate`);
  }
  return value;
}

function isMarketTier(value: string): value is MarketTier {
  return (MARKET_TIERS as readonly string[]).includes(value);
}

/**
 * Parses the catalogue TSV (header line of `CATALOGUE_COLUMNS`, one zipcode per line) and checks
 * every field, so a damaged data file stops the server at start-up instead of producing odd
 * assignments later.
 */
export function parseZipcodeCatalogue(tsv: string): ZipcodeCatalogue {
  const lines = tsv.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0];
  if (header !== CATALOGUE_COLUMNS.join('\t')) {
    throw new Error(`catalogue header is "${header}", expected the columns ${CATALOGUE_COLUMNS.join(', ')}`);
  }
  const rows: CatalogueZipcode[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    const fields = lines[index]!.split('\t');
    if (fields.length !== CATALOGUE_COLUMNS.length) {
      throw new Error(`catalogue line ${lineNumber} has ${fields.length} fields, expected ${CATALOGUE_COLUMNS.length}`);
    }
    const [zipcode, city, state, county, latitude, longitude, population, timezone, tier, expected, honeypot] =
      fields as [string, string, string, string, string, string, string, string, string, string, string];
    if (!/^\d{5}$/.test(zipcode))
      throw new Error(`catalogue line ${lineNumber}: "${zipcode}" is not a 5-digit zipcode`);
    const geographicRegion = censusRegionOfState(state);
    if (!geographicRegion)
      throw new Error(`catalogue line ${lineNumber}: "${state}" is not one of the 50 states or DC`);
    if (!isMarketTier(tier)) throw new Error(`catalogue line ${lineNumber}: "${tier}" is not a market tier`);
    if (honeypot !== '0' && honeypot !== '1') {
      throw new Error(`catalogue line ${lineNumber}: honeypotCandidate "${honeypot}" is not 0 or 1`);
    }
    if (city === '' || county === '' || timezone === '') {
      throw new Error(`catalogue line ${lineNumber}: city, county and timezone must not be empty`);
    }
    rows.push({
      zipcode,
      city,
      state,
      county,
      lat: parseCoordinate(latitude, 'latitude', lineNumber, 90),
      lon: parseCoordinate(longitude, 'longitude', lineNumber, 180),
      population: parseCount(population, 'population', lineNumber),
      timezone,
      marketTier: tier,
      geographicRegion,
      expectedListings: parseCount(expected, 'expectedListings', lineNumber),
      honeypotCandidate: honeypot === '1',
    });
  }
  return new ZipcodeCatalogue(rows);
}

/**
 * Where the committed data file is. Compiled code runs from a build directory that holds no data
 * files, so the same relative path under `src/` is the fallback.
 */
export function defaultZipcodeCataloguePath(): string {
  const beside = fileURLToPath(new URL('./data/us-zipcodes.tsv', import.meta.url));
  if (existsSync(beside)) return beside;
  const inSources = beside.replace(/([\\/])dist([\\/])(?!.*[\\/]dist[\\/])/, '$1src$2');
  if (existsSync(inSources)) return inSources;
  throw new Error(`zipcode catalogue not found at ${beside} nor at ${inSources}`);
}

/**
 * Reads and parses the catalogue synchronously (about 40k rows: tens of milliseconds). Call it
 * once at start-up and share the result.
 */
export function loadZipcodeCatalogue(path: string = defaultZipcodeCataloguePath()): ZipcodeCatalogue {
  return parseZipcodeCatalogue(readFileSync(path, 'utf8'));
}

/** Weight of the newest observation in `updateExpectedListings`. */
export const DEFAULT_EXPECTED_LISTINGS_ALPHA = 0.3;

/**
 * An observation may count for at most 3 × the previous expectation + 10: a single inflated
 * report (a fabricating miner the validators did not catch, a faulty validator) moves the
 * estimate a little, while the cap binds only beyond three times the expectation, so a truly
 * underestimated zipcode still converges within a few epochs.
 */
const MAX_OBSERVATION_GROWTH_FACTOR = 3;
const MAX_OBSERVATION_GROWTH_MARGIN = 10;

/**
 * Folds what validators actually found in a zipcode into its expected listing count, as an
 * exponential moving average: `alpha × observed + (1 − alpha) × previous`, with `alpha` defaulting
 * to 0.3 (an observation's weight halves in about two epochs, so one odd epoch does not swing the
 * selection). `observed` is first clamped to `[0, 3 × previous + 10]`; the result is rounded to an
 * integer (the database column is one) and clamped to `[0, MAX_EXPECTED_LISTINGS]`.
 *
 * Feed it real zipcodes only: honeypots have ~0 listings by design and must keep their plausible
 * expected count.
 *
 * @throws RangeError when a count is negative or not finite, or `alpha` is outside (0, 1].
 */
export function updateExpectedListings(
  previous: number,
  observed: number,
  alpha: number = DEFAULT_EXPECTED_LISTINGS_ALPHA,
): number {
  if (!Number.isFinite(previous) || previous < 0) throw new RangeError(`previous count ${previous} is invalid`);
  if (!Number.isFinite(observed) || observed < 0) throw new RangeError(`observed count ${observed} is invalid`);
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha ${alpha} is outside (0, 1]`);
  const credibleObserved = Math.min(observed, previous * MAX_OBSERVATION_GROWTH_FACTOR + MAX_OBSERVATION_GROWTH_MARGIN);
  const blended = alpha * credibleObserved + (1 - alpha) * previous;
  return Math.min(MAX_EXPECTED_LISTINGS, Math.round(blended));
}

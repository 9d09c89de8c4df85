import { GEOGRAPHIC_REGIONS, type GeographicRegion } from '@resi/core';

/**
 * Which state lies in which of the four Census Bureau regions, the `geographicRegion` of an
 * assignment (PROTOCOL.md §4).
 * https://www2.census.gov/geo/pdfs/maps-data/maps/reference/us_regdiv.pdf
 */
const STATES_BY_REGION: Readonly<Record<GeographicRegion, readonly string[]>> = {
  Northeast: ['CT', 'ME', 'MA', 'NH', 'RI', 'VT', 'NJ', 'NY', 'PA'],
  Midwest: ['IL', 'IN', 'MI', 'OH', 'WI', 'IA', 'KS', 'MN', 'MO', 'NE', 'ND', 'SD'],
  South: ['DE', 'DC', 'FL', 'GA', 'MD', 'NC', 'SC', 'VA', 'WV', 'AL', 'KY', 'MS', 'TN', 'AR', 'LA', 'OK', 'TX'],
  West: ['AZ', 'CO', 'ID', 'MT', 'NV', 'NM', 'UT', 'WY', 'AK', 'CA', 'HI', 'OR', 'WA'],
};

const REGION_BY_STATE: ReadonlyMap<string, GeographicRegion> = new Map(
  GEOGRAPHIC_REGIONS.flatMap((region) => STATES_BY_REGION[region].map((state) => [state, region] as const)),
);

/** The 50 states and DC, sorted: the only places the catalogue covers. */
export const CATALOGUE_STATES: readonly string[] = [...REGION_BY_STATE.keys()].sort();

/**
 * The Census region of a USPS state abbreviation, or `undefined` outside the 50 states and DC.
 * Territories (PR, GU, VI, AS, MP) belong to no Census region, which is one reason the catalogue
 * leaves them out.
 */
export function censusRegionOfState(state: string): GeographicRegion | undefined {
  return REGION_BY_STATE.get(state);
}

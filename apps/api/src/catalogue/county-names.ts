/**
 * SimpleMaps gives bare county names ("Philadelphia", "Richmond"); assignments carry the full
 * name ("Philadelphia County") as the seed's example does, which also tells Richmond County from
 * the independent City of Richmond.
 */

const ALASKA_SUFFIXES: Readonly<Record<string, string>> = {
  Anchorage: 'Municipality',
  Skagway: 'Municipality',
  Juneau: 'City and Borough',
  Sitka: 'City and Borough',
  Wrangell: 'City and Borough',
  Yakutat: 'City and Borough',
  'Aleutians West': 'Census Area',
  Bethel: 'Census Area',
  Chugach: 'Census Area',
  'Copper River': 'Census Area',
  Dillingham: 'Census Area',
  'Hoonah-Angoon': 'Census Area',
  Kusilvak: 'Census Area',
  Nome: 'Census Area',
  'Prince of Wales-Hyder': 'Census Area',
  'Southeast Fairbanks': 'Census Area',
  'Yukon-Koyukuk': 'Census Area',
};

/**
 * Virginia's independent cities have county codes 510 and above; the other two outside Virginia
 * are Baltimore and St. Louis (Carson City keeps its own name). Texas counties also reach 507, so
 * the code alone is not enough.
 */
function isIndependentCity(state: string, countyFips: number): boolean {
  if (state === 'VA') return countyFips % 1000 >= 500;
  return countyFips === 24510 || countyFips === 29510;
}

/**
 * The full name of a county-equivalent from its bare name, state and 5-digit FIPS code: parishes
 * in Louisiana, boroughs and census areas in Alaska, planning regions in Connecticut (since 2022),
 * independent cities, and counties elsewhere.
 */
export function fullCountyName(bareName: string, state: string, countyFips: number): string {
  if (state === 'DC' || bareName === 'Carson City') return bareName;
  if (isIndependentCity(state, countyFips)) return `City of ${bareName}`;
  switch (state) {
    case 'LA':
      return `${bareName} Parish`;
    case 'CT':
      return `${bareName} Planning Region`;
    case 'AK':
      return `${bareName} ${ALASKA_SUFFIXES[bareName] ?? 'Borough'}`;
    default:
      return `${bareName} County`;
  }
}

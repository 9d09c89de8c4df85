import { describe, expect, it } from 'vitest';
import { fullCountyName } from './county-names.js';

describe('fullCountyName', () => {
  it('names ordinary counties, Louisiana parishes and Connecticut planning regions', () => {
    expect(fullCountyName('Philadelphia', 'PA', 42101)).toBe('Philadelphia County');
    expect(fullCountyName('James City', 'VA', 51095)).toBe('James City County');
    expect(fullCountyName('Orleans', 'LA', 22071)).toBe('Orleans Parish');
    expect(fullCountyName('Capitol', 'CT', 9110)).toBe('Capitol Planning Region');
  });

  it('tells independent cities from the county of the same name', () => {
    expect(fullCountyName('Richmond', 'VA', 51760)).toBe('City of Richmond');
    expect(fullCountyName('Richmond', 'VA', 51159)).toBe('Richmond County');
    expect(fullCountyName('Baltimore', 'MD', 24510)).toBe('City of Baltimore');
    expect(fullCountyName('Baltimore', 'MD', 24005)).toBe('Baltimore County');
    expect(fullCountyName('St. Louis', 'MO', 29510)).toBe('City of St. Louis');
    expect(fullCountyName('Carson City', 'NV', 32510)).toBe('Carson City');
  });

  it('does not mistake high Texas county codes for independent cities', () => {
    expect(fullCountyName('Zavala', 'TX', 48507)).toBe('Zavala County');
  });

  it('uses the Alaskan kinds of county-equivalent', () => {
    expect(fullCountyName('Anchorage', 'AK', 2020)).toBe('Anchorage Municipality');
    expect(fullCountyName('Juneau', 'AK', 2110)).toBe('Juneau City and Borough');
    expect(fullCountyName('Bethel', 'AK', 2050)).toBe('Bethel Census Area');
    expect(fullCountyName('Kenai Peninsula', 'AK', 2122)).toBe('Kenai Peninsula Borough');
  });

  it('keeps the District of Columbia as it is', () => {
    expect(fullCountyName('District of Columbia', 'DC', 11001)).toBe('District of Columbia');
  });
});

import { describe, expect, it } from 'vitest';
import { GEOGRAPHIC_REGIONS } from '@resi/core';
import { CATALOGUE_STATES, censusRegionOfState } from './census-regions.js';

describe('censusRegionOfState', () => {
  it('covers the 50 states and DC, split 9/12/17/13 as the Census Bureau does', () => {
    expect(CATALOGUE_STATES).toHaveLength(51);
    const sizes = GEOGRAPHIC_REGIONS.map(
      (region) => CATALOGUE_STATES.filter((state) => censusRegionOfState(state) === region).length,
    );
    expect(sizes).toEqual([9, 12, 17, 13]);
  });

  it('places states in their region', () => {
    expect(censusRegionOfState('PA')).toBe('Northeast');
    expect(censusRegionOfState('MO')).toBe('Midwest');
    expect(censusRegionOfState('DC')).toBe('South');
    expect(censusRegionOfState('TX')).toBe('South');
    expect(censusRegionOfState('HI')).toBe('West');
  });

  it('has no region for territories, military or unknown codes', () => {
    for (const code of ['PR', 'GU', 'VI', 'AS', 'MP', 'AE', 'AP', 'AA', 'FM', 'XX', 'ca']) {
      expect(censusRegionOfState(code)).toBeUndefined();
    }
  });
});

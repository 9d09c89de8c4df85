import { describe, expect, it } from 'vitest';
import {
  daysSince,
  integerOf,
  isoDateOf,
  normaliseListingStatus,
  normalisePropertyType,
  numberOf,
  zipcodeOf,
} from './field-mapping.js';

describe('normalisePropertyType', () => {
  it.each([
    ['single_family', 'house'],
    ['SINGLE_FAMILY', 'house'],
    ['Single Family Residential', 'house'],
    ['condos', 'condo'],
    ['Condo/Co-op', 'condo'],
    ['APARTMENT', 'condo'],
    ['townhomes', 'townhouse'],
    ['Townhouse', 'townhouse'],
    ['multi_family', 'multi_family'],
    ['Multi-Family (2-4 Unit)', 'multi_family'],
    ['duplex_triplex', 'multi_family'],
    ['LOT', 'land'],
    ['Vacant Land', 'land'],
    ['farm', 'land'],
    ['MANUFACTURED', 'mobile'],
    ['Mobile/Manufactured Home', 'mobile'],
    ['Parking', 'other'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalisePropertyType(raw)).toBe(expected);
  });

  it('passes what is not text through for the validator to reject', () => {
    expect(normalisePropertyType(null)).toBeNull();
    expect(normalisePropertyType(3)).toBe(3);
  });
});

describe('normaliseListingStatus', () => {
  it.each([
    ['for_sale', 'active'],
    ['FOR_SALE', 'active'],
    ['Active', 'active'],
    ['Coming Soon', 'active'],
    ['Contingent', 'pending'],
    ['PENDING', 'pending'],
    ['sold', 'sold'],
    ['RECENTLY_SOLD', 'sold'],
    ['PAST SALE', 'sold'],
  ])('%s -> %s', (raw, expected) => {
    expect(normaliseListingStatus(raw)).toBe(expected);
  });

  it('leaves unknown statuses for the validator (FOR_RENT is not a sale)', () => {
    expect(normaliseListingStatus('FOR_RENT')).toBe('for rent');
  });
});

describe('isoDateOf', () => {
  it.each([
    ['2025-10-01', '2025-10-01'],
    ['2025-10-01T16:00:00Z', '2025-10-01'],
    ['10/1/2025', '2025-10-01'],
    ['October-1-2025', '2025-10-01'],
    ['Sep 5, 2025', '2025-09-05'],
  ])('%s -> %s', (raw, expected) => {
    expect(isoDateOf(raw)).toBe(expected);
  });

  it('reads epoch milliseconds and passes junk through', () => {
    expect(isoDateOf(Date.parse('2025-10-01T12:00:00Z'))).toBe('2025-10-01');
    expect(isoDateOf('yesterday')).toBe('yesterday');
  });
});

describe('numbers and zipcodes', () => {
  it('reads prices written for people', () => {
    expect(numberOf('$1,250,000')).toBe(1_250_000);
    expect(numberOf('')).toBeNull();
    expect(numberOf('N/A')).toBeNull();
    expect(numberOf('about 3')).toBe('about 3');
    expect(integerOf('2.6')).toBe(3);
  });

  it('restores zipcodes that lost their leading zero and drops ZIP+4', () => {
    expect(zipcodeOf(2134)).toBe('02134');
    expect(zipcodeOf('19103-1234')).toBe('19103');
    expect(zipcodeOf('PA 19103')).toBe('PA 19103');
  });

  it('counts days on market from the listing date, never below zero', () => {
    const at = new Date('2025-10-01T16:00:00Z');
    expect(daysSince('2025-09-15', at)).toBe(16);
    expect(daysSince('2025-10-05', at)).toBe(0);
    expect(daysSince('soon', at)).toBeUndefined();
  });
});

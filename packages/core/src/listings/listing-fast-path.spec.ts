import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  LISTING_COLUMN_NAMES,
  LISTING_STATUSES,
  PROPERTY_TYPES,
  isIsoUtcTimestamp,
  listingAsIs,
  listingSchema,
  validateListing,
  type Listing,
  type ListingColumnName,
  type ListingRejectReason,
  type ListingValidationOptions,
  type ListingValidationResult,
} from './listing.js';

/**
 * `validateListing` checks rows with plain code (`listingAsIs`) before it runs the zod schema.
 * These properties hold the two equal on rows built to sit on every rule's edge: the schema stays
 * the definition, the plain checks an optimisation of it.
 */

/** `validateListing` as it was before the plain checks: the schema alone. */
function validateWithSchemaOnly(row: unknown, options: ListingValidationOptions = {}): ListingValidationResult {
  const parsed = listingSchema.safeParse(row);
  const reasons = new Set<ListingRejectReason>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reasons.add(issue.message as ListingRejectReason);
  }
  const zipcode = (row as { zipcode?: unknown } | null | undefined)?.zipcode;
  const { assignedZipcodes } = options;
  if (assignedZipcodes && typeof zipcode === 'string' && /^\d{5}$/.test(zipcode) && !assignedZipcodes.has(zipcode)) {
    reasons.add('zipcode_not_assigned');
  }
  if (parsed.success && reasons.size === 0) return { ok: true, listing: parsed.data };
  return { ok: false, reasons: [...reasons] };
}

/** The zod reference of `isIsoUtcTimestamp`. */
const isoUtcWithZod = (value: unknown) =>
  typeof value === 'string' &&
  /(?:Z|\+00:00)$/.test(value) &&
  z.iso.datetime({ offset: true }).safeParse(value).success;

/** Values that break a rule of some column: wrong types, NaN, infinities, signed zero, blanks. */
const oddValue = fc.oneof(
  fc.constantFrom(undefined, null, NaN, Infinity, -Infinity, -0, 0, true, '', ' ', '\t', '\u00a0', '\ufeff', {}, []),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.bigInt(),
);

const isoDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const isoInstant = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

const int32Edges = fc.constantFrom(2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 0.5, 1e308, 2 ** 53 + 2, 5e-324);

/** For each column: values that pass (weighted up, so whole rows often pass) and values on or past the edge. */
const columnValues: Record<ListingColumnName, { valid: fc.Arbitrary<unknown>; edge: fc.Arbitrary<unknown> }> = {
  address: {
    valid: fc.string({ minLength: 1 }).map((text) => `${text}1 Main St`),
    edge: fc.oneof(fc.constantFrom(' x ', '\n', '\u2028', '\u3000a'), fc.string()),
  },
  zipcode: {
    valid: fc.stringMatching(/^\d{5}$/),
    edge: fc.oneof(fc.stringMatching(/^\s?\d{4,6}\s?$/), fc.constantFrom('٠١٢٣٤', '10001\n', '1e3')),
  },
  price: {
    valid: fc.double({ min: 1, max: 1e9, noNaN: true }),
    edge: fc.oneof(fc.double(), fc.constantFrom(5e-324, Number.MAX_VALUE, -1)),
  },
  bedrooms: { valid: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 20 })), edge: int32Edges },
  bathrooms: {
    valid: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 20, noNaN: true })),
    edge: fc.oneof(fc.double(), fc.constantFrom(-0, -5e-324)),
  },
  sqft: { valid: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 100_000 })), edge: int32Edges },
  listing_date: {
    valid: isoDate,
    edge: fc.oneof(
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      fc.constantFrom('2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2025-04-31', '2025-9-1', ' 2025-01-01'),
      isoInstant,
    ),
  },
  property_type: {
    valid: fc.constantFrom(...PROPERTY_TYPES),
    edge: fc.constantFrom('House', 'house ', 'castle', 'toString', '__proto__'),
  },
  listing_status: {
    valid: fc.constantFrom(...LISTING_STATUSES),
    edge: fc.constantFrom('Active', 'sold\n', 'withdrawn'),
  },
  days_on_market: { valid: fc.integer({ min: 0, max: 5_000 }), edge: int32Edges },
  mls_id: {
    valid: fc.oneof(
      fc.constant(null),
      fc.string({ minLength: 1 }).map((text) => `M${text}`),
    ),
    edge: fc.constantFrom(' ', '\u00a0', 'x '),
  },
  source_url: {
    valid: fc.webUrl(),
    edge: fc.oneof(
      fc.webUrl().map((url) => ` ${url}`),
      fc.webUrl().map((url) => `${url}\n`),
      fc.webUrl().map((url) => `${url} `),
      fc.webUrl().map((url) => `${url}\u00a0`),
      fc.webUrl().map((url) => url.replace('//', '//exa\tmple')),
      fc.webUrl().map((url) => url.replace(/^https?/, 'HTTP')),
      fc.string().map((text) => `https://${text}`),
      fc.constantFrom(
        'http:example.com',
        'https:/example.com',
        'ftp://example.com/x',
        'https://',
        'http://999999999999/',
        'http://1.2.3.256/',
        'https://a b/',
        'http://[::1]/x',
        'https://example.com/\u00e9',
        'javascript:alert(1)',
      ),
    ),
  },
  scraped_timestamp: {
    valid: isoInstant,
    edge: fc.oneof(
      isoInstant.map((text) => text.replace('Z', '+00:00')),
      isoInstant.map((text) => text.replace('Z', '+01:00')),
      isoInstant.map((text) => text.replace('.', ',')),
      isoInstant.map((text) => text.slice(0, 16) + 'Z'),
      isoInstant.map((text) => text.replace('Z', '123456789Z')),
      isoInstant.map((text) => text.toLowerCase()),
      isoInstant.map((text) => ` ${text}`),
    ),
  },
};

const row = fc
  .tuple(
    fc.tuple(
      ...LISTING_COLUMN_NAMES.map((name) => {
        const { valid, edge } = columnValues[name];
        return fc.oneof(
          { arbitrary: valid, weight: 12 },
          { arbitrary: edge, weight: 1 },
          { arbitrary: oddValue, weight: 1 },
        );
      }),
    ),
    fc.oneof(
      { arbitrary: fc.constant<ListingColumnName[]>([]), weight: 4 },
      { arbitrary: fc.subarray([...LISTING_COLUMN_NAMES], { maxLength: 2 }), weight: 1 },
    ),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }),
  )
  .map(([values, absent, extra]) => {
    const built: Record<string, unknown> = { ...extra };
    LISTING_COLUMN_NAMES.forEach((name, index) => {
      if (!absent.includes(name)) built[name] = values[index];
    });
    return built;
  });

const assignment = fc.option(fc.array(fc.stringMatching(/^\d{5}$/), { maxLength: 3 }), { nil: undefined });

const project = (input: Record<string, unknown>) =>
  Object.fromEntries(LISTING_COLUMN_NAMES.map((name) => [name, input[name]]));

// 10,000 generated rows per property: seconds on a quiet machine, more under a loaded CI run.
describe('validateListing with plain checks before the schema', { timeout: 120_000 }, () => {
  it('decides every row as the schema alone does, with the same reasons and the same listing', () => {
    fc.assert(
      fc.property(row, assignment, (candidate, zipcodes) => {
        const options = zipcodes ? { assignedZipcodes: new Set(zipcodes) } : {};
        expect(validateListing(candidate, options)).toEqual(validateWithSchemaOnly(candidate, options));
      }),
      { numRuns: 10_000 },
    );
  });

  it('takes a row as it is exactly when the schema accepts it without changing a value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(row, (candidate) => {
        const parsed = listingSchema.safeParse(candidate);
        const unchanged = parsed.success && isDeepStrictEqual(parsed.data, project(candidate));
        const fast = listingAsIs(candidate);
        expect(fast !== undefined).toBe(unchanged);
        if (fast !== undefined) {
          accepted += 1;
          expect(fast).toStrictEqual(parsed.data);
          expect(Object.keys(fast)).toEqual(LISTING_COLUMN_NAMES);
        }
      }),
      { numRuns: 10_000 },
    );
    // The generator is built so that many rows pass; the property is not vacuous.
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('leaves anything that is not a row to the schema', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(validateListing(value)).toEqual(validateWithSchemaOnly(value));
      }),
      { numRuns: 2_000 },
    );
    for (const value of [null, undefined, 'row', 42, [], new Date()]) expect(listingAsIs(value)).toBeUndefined();
  });

  it('leaves a URL zod would trim or strip to the schema, which returns it changed', () => {
    const base: Listing = {
      address: '1 Main St',
      zipcode: '10001',
      price: 1,
      bedrooms: null,
      bathrooms: null,
      sqft: null,
      listing_date: '2025-09-14',
      property_type: 'house',
      listing_status: 'active',
      days_on_market: 0,
      mls_id: null,
      source_url: 'https://example.com/x',
      scraped_timestamp: '2025-10-01T16:05:00Z',
    };
    expect(listingAsIs(base)).toEqual(base);
    const padded = { ...base, source_url: 'https://example.com/x\u00a0' };
    expect(listingAsIs(padded)).toBeUndefined();
    expect(validateListing(padded)).toEqual({ ok: true, listing: base });
  });
});

describe('isIsoUtcTimestamp', () => {
  it('agrees with zod on instants at and past the rule', () => {
    fc.assert(
      fc.property(
        fc.oneof(columnValues.scraped_timestamp.valid, columnValues.scraped_timestamp.edge, oddValue),
        (value) => {
          expect(isIsoUtcTimestamp(value)).toBe(isoUtcWithZod(value));
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

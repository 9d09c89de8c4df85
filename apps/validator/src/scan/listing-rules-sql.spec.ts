import {
  LISTING_COLUMNS,
  type ListingsFileRow,
  listingIdentityKey,
  listingPlausibilityReasons,
  normaliseListingAddress,
  normaliseListingUrl,
  validateListing,
} from '@resi/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbSession } from './duckdb-session.js';
import {
  ADDRESS_KEY_SQL,
  IDENTITY_KEY_SQL,
  URL_KEY_SQL,
  type ReasonPredicate,
  listingReasonPredicates,
  reasonFlagsSql,
  sqlIdentifier,
} from './listing-rules-sql.js';

const CONTEXT = {
  assignedZipcodes: ['10001', '10002', '02139'],
  epochStartMs: Date.parse('2025-10-01T16:00:00Z'),
  graceEndMs: Date.parse('2025-10-01T20:15:00Z'),
};

const BASE: ListingsFileRow = {
  address: '12 Main St, New York, NY 10001',
  zipcode: '10001',
  price: 750_000,
  bedrooms: 2,
  bathrooms: 1.5,
  sqft: 950,
  listing_date: '2025-09-12',
  property_type: 'condo',
  listing_status: 'active',
  days_on_market: 19,
  mls_id: 'OLRS-123',
  source_url: 'https://www.realtor.com/realestateandhomes-detail/12-Main-St_New-York_NY_10001_M123',
  scraped_timestamp: '2025-10-01T16:05:00.123Z',
};

/** Values worth trying per column: valid, borderline and broken, as files can hold them. */
const TRICKY: { [C in keyof ListingsFileRow]: (ListingsFileRow[C] | null)[] } = {
  // Letters whose lower case JavaScript and DuckDB disagree on (İ, final Σ, the Kelvin sign), so
  // an address key must lower-case ASCII only; no-break spaces, which are not ASCII whitespace.
  address: [
    '1 A St',
    '',
    '   ',
    '\u00a0\u2003',
    'x',
    '\ufeff',
    ' 5 Elm ',
    '9 İNÖNÜ CAD',
    '3 ΟΔΟΣ',
    '7 \u212Aing St',
    '1\u00a0A St',
  ],
  zipcode: ['10002', '99999', '02139', '1000', '100011', '1000a', '', ' 10001', '１００01', '10001\n'],
  price: [1, 999, 1000, 1e9, 1e9 + 1, 0, -5, Infinity, -Infinity, 0.5, 123456.78],
  bedrooms: [0, 100, 101, -1, 2.5, 2147483647, 2147483648, -2147483649, Infinity, 1e300],
  bathrooms: [0, 0.5, 100, 100.5, -0.5, Infinity],
  sqft: [1, 0, -1, 200_000, 200_001, 2.2, 2147483648],
  listing_date: [
    '1899-12-31',
    '1900-01-01',
    '2025-10-01',
    '2025-10-02',
    '2024-02-29',
    '2023-02-29',
    '2025-13-01',
    '2025-1-01',
    '2025-10-01T00:00:00Z',
    '',
    ' ',
    '0000-01-01',
  ],
  property_type: ['house', 'land', 'House', 'villa', '', 'multi_family'],
  listing_status: ['pending', 'sold', 'Active', 'rented', ''],
  days_on_market: [0, 36_500, 36_501, -1, 3.5, Infinity],
  mls_id: ['', ' ', 'A', '\u3000', 'MLS 1'],
  source_url: [
    'http://x.com',
    'https://x.com:443/a?b#c',
    'HTTPS://X.COM',
    'ftp://x.com',
    'http:/x.com',
    'http:x.com',
    'http://',
    'http://ex ample.com',
    'http://exa<mple.com',
    'http://x.com:65535/',
    'http://x.com:65536/',
    'http://x.com:0080/',
    'http://x.com:000065535',
    'http://x.com:0065536',
    'http://x.com:99999999999999999999',
    'http://x.com\t/a',
    'http://x.com/a\nb',
    'http://x.com:/p',
    'http://user:pw@x.com/p',
    'http://a@b@c.com',
    'http://[::1]:8080/',
    'http://[zz]/',
    'https://x.com/a b',
    '  https://x.com  ',
    'https://x.com\\path',
    'https://www.zillow.com/homedetails/123_zpid/',
    '',
    'not a url',
  ],
  scraped_timestamp: [
    '2025-10-01T15:45:00Z',
    '2025-10-01T15:44:59.999Z',
    '2025-10-01T20:15:00Z',
    '2025-10-01T20:15:00.001Z',
    '2025-10-01T16:00:00+00:00',
    '2025-10-01T16:00:00.123456789Z',
    '2025-10-01T16:00:00.9Z',
    '2025-10-01T16:00:00-00:00',
    '2025-10-01T16:00:00+01:00',
    '2025-10-01T16:00Z',
    '2025-10-01 16:00:00Z',
    '2025-10-01T24:00:00Z',
    '2025-02-29T10:00:00Z',
    '2025-10-01T16:00:00z',
    '',
  ],
};

const COLUMN_NAMES = LISTING_COLUMNS.map((column) => column.name);

function craftedRows(): ListingsFileRow[] {
  const rows: ListingsFileRow[] = [BASE, { ...BASE, mls_id: null, bedrooms: null, bathrooms: null, sqft: null }];
  for (const name of COLUMN_NAMES) {
    rows.push({ ...BASE, [name]: null });
    for (const value of TRICKY[name]) rows.push({ ...BASE, [name]: value });
  }
  // Random combinations of the tricky values, several columns at once.
  fc.assert(
    fc.property(
      fc.record(
        Object.fromEntries(COLUMN_NAMES.map((name) => [name, fc.constantFrom(BASE[name], null, ...TRICKY[name])])) as {
          [C in keyof ListingsFileRow]: fc.Arbitrary<ListingsFileRow[C]>;
        },
      ),
      (row) => {
        rows.push(row);
      },
    ),
    { numRuns: 1500, seed: 46 },
  );
  return rows;
}

async function loadRows(session: DuckDbSession, rows: readonly ListingsFileRow[]): Promise<void> {
  const columns = LISTING_COLUMNS.map(
    (column) => `${sqlIdentifier(column.name)} ${column.duckdbType === 'VARCHAR' ? 'VARCHAR' : 'DOUBLE'}`,
  );
  await session.run(`CREATE TABLE rows_under_test (row_index INTEGER, ${columns.join(', ')})`);
  const appender = await session.connection.createAppender('rows_under_test');
  rows.forEach((row, index) => {
    appender.appendInteger(index);
    for (const column of LISTING_COLUMNS) {
      const value = row[column.name];
      if (value === null) appender.appendNull();
      else if (typeof value === 'number') appender.appendDouble(value);
      else appender.appendVarchar(value);
    }
    appender.endRow();
  });
  appender.closeSync();
}

describe('listing rules in SQL agree with the core rules', () => {
  let session: DuckDbSession;
  let predicates: ReasonPredicate[];
  const rows = craftedRows();
  let sqlReasons: string[][];
  let sqlIdentities: string[];
  let sqlKeys: { url: string | null; addr: string | null }[];
  let standaloneAgrees = false;

  beforeAll(async () => {
    session = await DuckDbSession.open({ threads: 1 });
    await loadRows(session, rows);
    predicates = listingReasonPredicates(CONTEXT);
    const standalone = predicates.map(
      (predicate, bit) => `(CASE WHEN ${predicate.sql} THEN ${2 ** bit} ELSE 0 END)::BIGINT`,
    );
    const result = await session.rows<{
      row_index: number;
      flags: bigint;
      standalone: bigint;
      identity: string;
      url: string | null;
      addr: string | null;
    }>(
      `SELECT row_index, ${reasonFlagsSql(predicates)} AS flags, ${standalone.join(' + ')} AS standalone,
        hex(${IDENTITY_KEY_SQL}) AS identity, hex(${URL_KEY_SQL}) AS url, hex(${ADDRESS_KEY_SQL}) AS addr
        FROM rows_under_test ORDER BY row_index`,
    );
    sqlKeys = result.map((row) => ({ url: row.url, addr: row.addr }));
    standaloneAgrees = result.every((row) => row.flags === row.standalone);
    sqlReasons = result.map((row) =>
      predicates.filter((_, bit) => (BigInt(row.flags) >> BigInt(bit)) & 1n).map((predicate) => predicate.reason),
    );
    sqlIdentities = result.map((row) => row.identity);
  });

  afterAll(() => session?.close());

  it(`gives every one of ${rows.length} crafted rows the §7 reasons validateListing gives`, () => {
    const assignedZipcodes = new Set(CONTEXT.assignedZipcodes);
    const mismatches = rows.flatMap((row, index) => {
      const validation = validateListing(row, { assignedZipcodes });
      const expected = (validation.ok ? [] : [...validation.reasons]).sort();
      const actual = sqlReasons[index]!.filter((reason) => !reason.startsWith('implausible_')).sort();
      return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ row, expected, actual }];
    });
    expect(mismatches).toEqual([]);
  });

  it('flags the valid rows core calls implausible, and only those', () => {
    const mismatches = rows.flatMap((row, index) => {
      const validation = validateListing(row);
      if (!validation.ok) return [];
      const expected = listingPlausibilityReasons(validation.listing, CONTEXT);
      const actual = sqlReasons[index]!.filter((reason) => reason.startsWith('implausible_'));
      return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ row, expected, actual }];
    });
    expect(mismatches).toEqual([]);
  });

  it('gives the same bits through the per-column CASE as through the standalone predicates', () => {
    expect(standaloneAgrees).toBe(true);
  });

  it('computes the identity keys of listingIdentityKeys (normalised URL, normalised address with zipcode)', () => {
    const hex = (text: string) => Buffer.from(text).toString('hex').toUpperCase();
    const valid = rows.flatMap((row, index) => (validateListing(row).ok ? [{ row, index }] : []));
    expect(valid.length).toBeGreaterThan(10);
    const mismatches = valid.flatMap(({ row, index }) => {
      const expected = {
        url: hex(normaliseListingUrl(row.source_url!)),
        addr: hex(`${normaliseListingAddress(row.address!)}|${row.zipcode}`),
      };
      return JSON.stringify(expected) === JSON.stringify(sqlKeys[index])
        ? []
        : [{ row, expected, actual: sqlKeys[index] }];
    });
    expect(mismatches).toEqual([]);
  });

  it('computes the identity key of listingIdentityKey', () => {
    // Compared as UTF-8 hex: reading text back into JS would drop a leading byte order mark.
    expect(sqlIdentities).toEqual(
      rows.map((row) => Buffer.from(listingIdentityKey(row)).toString('hex').toUpperCase()),
    );
  });
});

import { type Listing, auditRowsWithinBudget } from '@resi/core';
import { describe, expect, it } from 'vitest';
import type { AuditSources } from './verification-source.js';
import { isSubnetListingHost, verifyAuditRows } from './verify-audit.js';

function listing(sourceUrl: string): Listing {
  return {
    address: '12 Elm St, Springfield, IL 62701',
    zipcode: '62701',
    price: 250_000,
    bedrooms: 3,
    bathrooms: 2,
    sqft: 1_500,
    listing_date: '2025-09-20',
    property_type: 'house',
    listing_status: 'active',
    days_on_market: 11,
    mls_id: null,
    source_url: sourceUrl,
    scraped_timestamp: '2025-10-01T17:00:00.000000Z',
  };
}

const SEED = 'ab'.repeat(32);

/** A validator that enabled realtor only; its feed holds the one real listing. */
const realtorOnly: AuditSources = {
  name: 'realtor',
  sourceFor: (host) => (host === 'realtor.com' ? 'realtor' : null),
  fetchZipcode: () =>
    Promise.resolve({
      kind: 'listings',
      listings: [listing('https://www.realtor.com/realestateandhomes-detail/M1')],
    }),
};

describe('verifyAuditRows: rows no enabled source serves', () => {
  it('gives no verdict to a subnet site this validator did not enable, but a made-up site is not found', async () => {
    const rows = [
      { fingerprint: 1n, listing: listing('https://www.realtor.com/realestateandhomes-detail/M1') },
      { fingerprint: 2n, listing: listing('https://www.zillow.com/homedetails/12-Elm-St/1_zpid/') },
      { fingerprint: 3n, listing: listing('https://homes.invented.example/listing/1') },
    ];
    const { verdicts } = await verifyAuditRows(rows, realtorOnly, { concurrency: 2, auditSeed: SEED });
    expect(verdicts.get(1n)).toBe('verified');
    expect(verdicts.get(2n)).toBe('source_unsupported');
    // A host no source of the subnet serves could otherwise carry fabricated rows past every audit.
    expect(verdicts.get(3n)).toBe('not_found');
  });

  it('knows the subnet sites by host, subdomains included', () => {
    expect(isSubnetListingHost('zillow.com')).toBe(true);
    expect(isSubnetListingHost('m.redfin.com')).toBe(true);
    expect(isSubnetListingHost('invented.example')).toBe(false);
    expect(isSubnetListingHost('notrealtor.com')).toBe(false);
  });
});

describe('verifyAuditRows: the row budget', () => {
  it('verifies the rows the audit seed keeps and gives the others budget_exhausted, whatever their fingerprints', async () => {
    const rows = Array.from({ length: 40 }, (_, index) => ({
      fingerprint: BigInt(index),
      listing: listing(`https://www.realtor.com/realestateandhomes-detail/M${index === 0 ? 1 : 1000 + index}`),
    }));
    const seed = 'cd'.repeat(32);
    const { verdicts } = await verifyAuditRows(rows, realtorOnly, { concurrency: 2, auditSeed: seed, budget: 10 });
    const { within } = auditRowsWithinBudget(seed, rows, 10);
    const kept = new Set(within.map((row) => row.fingerprint));
    expect(verdicts.size).toBe(40);
    for (const row of rows) {
      const verdict = verdicts.get(row.fingerprint);
      if (kept.has(row.fingerprint)) expect(verdict).not.toBe('budget_exhausted');
      else expect(verdict).toBe('budget_exhausted');
    }
    // Not the fingerprint order's prefix: the rows sorting first are not simply the ones kept.
    expect([...kept].sort((a, b) => (a < b ? -1 : 1))).not.toEqual(rows.slice(0, 10).map((row) => row.fingerprint));
  });
});

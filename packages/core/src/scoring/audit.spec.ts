import { describe, expect, it } from 'vitest';
import {
  auditRowsWithinBudget,
  auditedZipcodeCount,
  auditedZipcodes,
  delistingTolerance,
  epochAuditSeed,
  listingIdentityKeys,
  listingUrlHost,
  normaliseListingAddress,
  normaliseListingUrl,
  summariseMinerAudit,
} from './audit.js';

const zipcodes = Array.from({ length: 40 }, (_, index) => String(10_000 + index));

describe('epochAuditSeed', () => {
  it('is an HMAC of the epoch under the secret: stable, different per epoch and per secret', () => {
    const seed = epochAuditSeed('a-secret-of-16-chars', '2025-10-01T16-00-00');
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(epochAuditSeed('a-secret-of-16-chars', '2025-10-01T16-00-00')).toBe(seed);
    expect(epochAuditSeed('a-secret-of-16-chars', '2025-10-01T20-00-00')).not.toBe(seed);
    expect(epochAuditSeed('another-secret-16ch', '2025-10-01T16-00-00')).not.toBe(seed);
  });
});

describe('auditedZipcodes', () => {
  it('audits max(3, half) of the real zipcodes, all of them when there are fewer than 3', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 40].map(auditedZipcodeCount)).toEqual([1, 2, 3, 3, 3, 3, 4, 20]);
    const seed = epochAuditSeed('a-secret-of-16-chars', 'e');
    expect(auditedZipcodes(seed, zipcodes)).toHaveLength(20);
    expect(auditedZipcodes(seed, ['1', '2'])).toEqual(['1', '2']);
  });

  it('draws from the seed only: the same set whatever the order, another set for another seed', () => {
    const seed = epochAuditSeed('a-secret-of-16-chars', 'e1');
    const drawn = auditedZipcodes(seed, zipcodes);
    expect(auditedZipcodes(seed, [...zipcodes].reverse())).toEqual(drawn);
    expect(drawn).toEqual([...drawn].sort());
    expect(auditedZipcodes(epochAuditSeed('a-secret-of-16-chars', 'e2'), zipcodes)).not.toEqual(drawn);
  });

  it('audits every zipcode about equally often over many epochs', () => {
    const hits = new Map(zipcodes.map((zipcode) => [zipcode, 0]));
    for (let epoch = 0; epoch < 400; epoch++) {
      for (const zipcode of auditedZipcodes(epochAuditSeed('a-secret-of-16-chars', `epoch-${epoch}`), zipcodes)) {
        hits.set(zipcode, hits.get(zipcode)! + 1);
      }
    }
    // Expected 200 of 400 each; a binomial(400, 0.5) stays within ±60 with overwhelming probability.
    for (const count of hits.values()) expect(Math.abs(count - 200)).toBeLessThan(60);
  });

  it('refuses a seed that is not 64 hex characters', () => {
    expect(() => auditedZipcodes('nonce', zipcodes)).toThrow(RangeError);
  });
});

describe('auditRowsWithinBudget', () => {
  const rows = Array.from({ length: 100 }, (_, index) => ({ fingerprint: BigInt(index) * 7_919n }));
  const seedOf = (epoch: number) => epochAuditSeed('a-secret-of-16-chars', `epoch-${epoch}`);

  it('keeps every row, in the order given, within the budget', () => {
    const { within, beyond } = auditRowsWithinBudget(seedOf(0), rows, 100);
    expect(within).toEqual(rows);
    expect(beyond).toEqual([]);
  });

  it('keeps `budget` rows drawn from the seed alone: the same ones whatever the order, others for another seed', () => {
    const { within, beyond } = auditRowsWithinBudget(seedOf(1), rows, 30);
    expect(within).toHaveLength(30);
    expect(beyond).toHaveLength(70);
    expect(new Set([...within, ...beyond].map((row) => row.fingerprint)).size).toBe(100);
    const kept = within.map((row) => row.fingerprint);
    expect(auditRowsWithinBudget(seedOf(1), [...rows].reverse(), 30).within.map((row) => row.fingerprint)).toEqual(
      kept,
    );
    expect(auditRowsWithinBudget(seedOf(2), rows, 30).within.map((row) => row.fingerprint)).not.toEqual(kept);
  });

  it('gives a miner no way to predict which rows are kept without the seed: every row is kept about equally often', () => {
    // A fabricator that knows the fingerprints (they follow from a row's values) and puts its
    // invented rows where a fixed order would drop them: the last ones by fingerprint.
    const lastByFingerprint = new Set(rows.slice(-20).map((row) => row.fingerprint));
    const firstByFingerprint = new Set(rows.slice(0, 20).map((row) => row.fingerprint));
    let lastKept = 0;
    let firstKept = 0;
    const epochs = 300;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const row of auditRowsWithinBudget(seedOf(epoch), rows, 50).within) {
        if (lastByFingerprint.has(row.fingerprint)) lastKept += 1;
        if (firstByFingerprint.has(row.fingerprint)) firstKept += 1;
      }
    }
    // Each group of 20 rows has 10 kept per epoch on average (3,000 over 300 epochs), the last ones
    // as often as the first: binomial spread ~±40, so ±300 cannot fail by chance.
    expect(Math.abs(lastKept - 3_000)).toBeLessThan(300);
    expect(Math.abs(firstKept - 3_000)).toBeLessThan(300);
  });

  it('refuses a seed that is not 64 hex characters and a budget that is not a count', () => {
    expect(() => auditRowsWithinBudget('nonce', rows, 10)).toThrow(RangeError);
    expect(() => auditRowsWithinBudget(seedOf(0), rows, -1)).toThrow(RangeError);
  });
});

describe('identity keys', () => {
  it('normalise the URL: host case, www., trailing slash, query and fragment do not matter', () => {
    const url = 'https://www.realtor.com/realestateandhomes-detail/M123';
    expect(normaliseListingUrl(url)).toBe('realtor.com/realestateandhomes-detail/M123');
    for (const variant of [
      'http://WWW.Realtor.com/realestateandhomes-detail/M123/',
      'https://realtor.com/realestateandhomes-detail/M123?utm_source=x#photos',
      ' https://www.realtor.com:443/realestateandhomes-detail/M123 ',
    ]) {
      expect(normaliseListingUrl(variant)).toBe(normaliseListingUrl(url));
    }
    expect(normaliseListingUrl('https://www.realtor.com/realestateandhomes-detail/m123')).not.toBe(
      normaliseListingUrl(url),
    );
    expect(listingUrlHost('https://WWW.Zillow.com/homedetails/1')).toBe('zillow.com');
  });

  it('normalise the address: case, punctuation and spacing do not matter, the zipcode does', () => {
    expect(normaliseListingAddress('  12 Elm St., Unit #4 ')).toBe('12 elm st unit 4');
    const row = { source_url: 'https://x.com/a', address: '12 Elm St', zipcode: '10001' };
    expect(listingIdentityKeys(row)).toEqual(['url:x.com/a', 'addr:12 elm st|10001']);
    expect(listingIdentityKeys({ ...row, zipcode: '10002' })[1]).not.toBe(listingIdentityKeys(row)[1]);
  });
});

describe('summariseMinerAudit', () => {
  const zipcode = (name: string, rows: number, verified: number, notFound: number, mismatched = 0) => ({
    zipcode: name,
    rows,
    verified,
    notFound,
    mismatched,
    noVerdict: {},
  });

  it('tolerates max(2, 3%) rows not found per zipcode as delisted', () => {
    expect([10, 66, 67, 100, 1000].map(delistingTolerance)).toEqual([2, 2, 2, 3, 30]);
    const summary = summariseMinerAudit([zipcode('1', 100, 97, 3), zipcode('2', 10, 8, 2)]);
    expect(summary).toMatchObject({ outcome: 'passed', delisted: 5, fabricated: 0, fabricatedZipcodes: [] });
    expect(summary.accuracy).toBeCloseTo(105 / 110, 12);
  });

  it('counts every row not found as fabricated in a zipcode above the tolerance', () => {
    const summary = summariseMinerAudit([zipcode('2', 100, 96, 4), zipcode('1', 100, 98, 2)]);
    expect(summary).toMatchObject({
      outcome: 'fabricated',
      delisted: 2,
      fabricated: 4,
      fabricatedZipcodes: [{ zipcode: '2', notFound: 4 }],
    });
  });

  it('counts the tolerance over rows with a verdict, so rows no source checked cannot widen it', () => {
    // 1,000 rows on a site no validator verifies would make 3% of all rows 31; of the 100 checked, 3.
    const padded = summariseMinerAudit([
      { zipcode: '1', rows: 1100, verified: 90, mismatched: 0, notFound: 10, noVerdict: { source_unsupported: 1000 } },
    ]);
    expect(padded).toMatchObject({ outcome: 'fabricated', fabricated: 10, delisted: 0 });
    const down = summariseMinerAudit([
      { zipcode: '1', rows: 1100, verified: 97, mismatched: 0, notFound: 3, noVerdict: { source_unavailable: 1000 } },
    ]);
    expect(down).toMatchObject({ outcome: 'passed', delisted: 3, fabricated: 0 });
  });

  it('has no accuracy verdict below 5 verdicts, and proven fabrication stands however few were checked', () => {
    expect(summariseMinerAudit([zipcode('1', 4, 4, 0)])).toMatchObject({ outcome: 'abstained', accuracy: null });
    expect(summariseMinerAudit([])).toMatchObject({ outcome: 'abstained', rows: 0 });
    expect(summariseMinerAudit([zipcode('1', 4, 1, 3)]).outcome).toBe('fabricated');
    expect(
      summariseMinerAudit([
        { zipcode: '1', rows: 50, verified: 3, mismatched: 0, notFound: 0, noVerdict: { source_unavailable: 47 } },
      ]),
    ).toMatchObject({ outcome: 'abstained', noVerdict: { source_unavailable: 47 } });
  });
});

import { type Listing, type RowVerdict, recentlyClosedSince } from '@resi/core';
import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../scan/epoch-listings-scan.js';
import { verifyAuditRows } from '../verification/verify-audit.js';
import { DAY_MS, DEFAULT_MARKET_DRIFT, MARKET_LISTING_HOST, SimulatedMarket } from './market.js';
import { auditInstantOf, simEpochAt, simSourceFeeds } from './sim-epoch.js';

/**
 * The simulated market as production verification reaches it: `SourceFeeds` over the market's
 * `ListingSource`, the recently-closed window set from the epoch's start. A row an honest miner
 * scraped of a listing that closed before the audit is judged among the recently-closed listings.
 */
const START_MS = Date.parse('2026-03-02T00:00:00Z');
const market = new SimulatedMarket({
  seed: 'market-spec',
  realZipcodes: 6,
  emptyZipcodes: 1,
  ...DEFAULT_MARKET_DRIFT,
  listingsPerZipcode: [40, 60],
  fromMs: START_MS,
  untilMs: START_MS + DAY_MS,
});
const real = market.zipcodes.filter((zipcode) => !zipcode.empty);
const epoch = simEpochAt(
  'market-spec',
  0,
  START_MS,
  real.map((zipcode) => ({ zipcode: zipcode.zipcode, expectedListings: zipcode.estimate, isHoneypot: false })),
);
const auditAtMs = auditInstantOf(epoch);

/** Every listing of the real zipcodes as a miner scraped it at `atMs`, and the audit's verdict on it. */
async function audit(atMs: number, options: { closedDown?: boolean } = {}) {
  const rows: AuditRow[] = real
    .flatMap((zipcode) => market.listingsAt(zipcode.zipcode, atMs))
    .map((listing, index) => ({ fingerprint: BigInt(index + 1), listing }));
  const feeds = simSourceFeeds(market, auditAtMs, options);
  // What the pipeline does before verifying: the window of listings closed since the epoch began.
  feeds.startEpoch({ startMs: epoch.startMs });
  try {
    const verification = await verifyAuditRows(rows, feeds, { concurrency: 4, auditSeed: 'a'.repeat(64) });
    const verdictOf = (row: AuditRow): RowVerdict => verification.verdicts.get(row.fingerprint)!;
    return { rows, verification, verdictOf };
  } finally {
    await feeds.close();
  }
}

/** Whether the site lists the row's listing for sale at `atMs` (by default, at the audit). */
const forSaleAt = (listing: Listing, atMs: number) =>
  market.listingsAt(listing.zipcode, atMs).some((now) => now.source_url === listing.source_url);
const stillForSale = (listing: Listing) => forSaleAt(listing, auditAtMs);

const closedListing = (listing: Listing) =>
  market
    .recentlyClosedAt(listing.zipcode, recentlyClosedSince(epoch.startMs), auditAtMs)
    .find((closed) => closed.listing.source_url === listing.source_url);

describe('the simulated market through SourceFeeds', () => {
  it('is a listing site of the subnet: its source URLs are served by the source the validator enables', async () => {
    const feeds = simSourceFeeds(market, auditAtMs);
    expect(feeds.sourceFor(MARKET_LISTING_HOST)).toBe('market');
    expect(feeds.sourceFor('zillow.com')).toBeNull();
    feeds.startEpoch({ startMs: epoch.startMs });
    const answer = await feeds.fetchZipcode('market', real[0]!.zipcode);
    expect(answer.kind).toBe('listings');
    if (answer.kind !== 'listings') return;
    // The window production asks the sites for: closed since the epoch's start, less core's slack.
    expect(answer.recentlyClosed).toMatchObject({ kind: 'listings', since: recentlyClosedSince(epoch.startMs) });
    await feeds.close();
  });

  it('verifies an honest row of a listing that closed after the miner scraped it among the recently closed listings', async () => {
    const { rows, verification, verdictOf } = await audit(epoch.startMs + 30 * 60_000);
    const closed = rows.filter((row) => !stillForSale(row.listing));
    expect(closed.length).toBeGreaterThan(0);
    // No honest row is ever counted as invented.
    expect(rows.filter((row) => verdictOf(row) === 'not_found')).toEqual([]);
    const verifiedClosed = closed.filter((row) => verdictOf(row) === 'verified');
    expect(verifiedClosed.length).toBeGreaterThan(0);
    expect(verification.verifiedClosed).toBe(verifiedClosed.length);
    // A sold listing is judged by its last asking price, not by its sale price.
    const sold = verifiedClosed.map((row) => ({ row, closed: closedListing(row.listing)! }));
    expect(sold.every(({ closed }) => closed !== undefined)).toBe(true);
    expect(
      sold.some(
        ({ row, closed }) =>
          closed.closed.status === 'sold' &&
          Math.abs((closed.listing.price as number) - row.listing.price) > 0.01 * row.listing.price,
      ),
    ).toBe(true);
  });

  it('gives no verdict, never not found, to those rows when the recently-closed search fails', async () => {
    const { rows, verification, verdictOf } = await audit(epoch.startMs + 30 * 60_000, { closedDown: true });
    const closed = rows.filter((row) => !stillForSale(row.listing));
    expect(closed.length).toBeGreaterThan(0);
    for (const row of closed) expect(verdictOf(row), row.listing.source_url).toBe('source_unavailable');
    expect(rows.filter((row) => verdictOf(row) === 'not_found')).toEqual([]);
    expect(verification.verifiedClosed).toBe(0);
  });

  it('does not find a home claimed for sale that closed before the epoch’s window', async () => {
    // Rows scraped three days before the epoch: many of those listings closed before its window.
    const { rows, verdictOf } = await audit(epoch.startMs - 3 * DAY_MS);
    const since = recentlyClosedSince(epoch.startMs);
    const sinceMs = Date.parse(`${since}T00:00:00Z`);
    const gone = rows.filter((row) => !stillForSale(row.listing));
    // Off the market before the window's first day, or closed within it.
    const before = gone.filter((row) => !forSaleAt(row.listing, sinceMs));
    const within = gone.filter((row) => forSaleAt(row.listing, sinceMs));
    expect(before.length).toBeGreaterThan(0);
    expect(within.length).toBeGreaterThan(0);
    for (const row of before) expect(verdictOf(row), `${row.listing.source_url} (since ${since})`).toBe('not_found');
    for (const row of within) expect(['verified', 'mismatched']).toContain(verdictOf(row));
  });
});

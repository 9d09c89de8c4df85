import { isIsoUtcTimestamp } from '@resi/core';
import { describe, expect, it } from 'vitest';
import { ScrapeInstant, scrapeNow } from './scrape-clock.js';

describe('scrape clock', () => {
  it('writes microseconds into the ISO form and keeps the millisecond instant', () => {
    const instant = new ScrapeInstant(Date.parse('2025-10-01T16:05:00.123Z') * 1000 + 456);
    expect(instant.toISOString()).toBe('2025-10-01T16:05:00.123456Z');
    expect(instant.getTime()).toBe(Date.parse('2025-10-01T16:05:00.123Z'));
    expect(JSON.stringify({ at: instant })).toBe('{"at":"2025-10-01T16:05:00.123456Z"}');
    expect(isIsoUtcTimestamp(instant.toISOString())).toBe(true);
  });

  it('reads the clock to the microsecond: readings within one millisecond differ', () => {
    const readings = new Set(Array.from({ length: 50 }, () => scrapeNow().toISOString()));
    expect(readings.size).toBeGreaterThan(25);
    const now = Date.now();
    expect(Math.abs(scrapeNow().getTime() - now)).toBeLessThan(1_000);
  });
});

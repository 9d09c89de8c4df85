import { performance } from 'node:perf_hooks';

/**
 * An instant read from the high-resolution clock, whose ISO form carries microseconds
 * (`2025-10-01T16:05:00.123456Z`). It becomes a listing's `scraped_timestamp`: validators treat
 * a row repeated value for value, timestamp included, as a copy of the earlier upload, so two
 * miners that independently fetch the same page in the same millisecond — on a fast network, at
 * the start of an epoch — must not produce identical rows. Milliseconds alone leave that to chance.
 */
export class ScrapeInstant extends Date {
  readonly #microseconds: number;

  constructor(epochMicroseconds: number) {
    super(Math.floor(epochMicroseconds / 1000));
    this.#microseconds = Math.floor(epochMicroseconds) % 1000;
  }

  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}${String(this.#microseconds).padStart(3, '0')}Z`;
  }
}

/** Now, to the microsecond: the sources' default clock. */
export function scrapeNow(): ScrapeInstant {
  return new ScrapeInstant((performance.timeOrigin + performance.now()) * 1000);
}

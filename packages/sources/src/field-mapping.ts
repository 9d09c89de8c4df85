import type { ListingStatus, PropertyType } from '@resi/core';

/**
 * Field conversions the sources share: each site names property types, statuses and dates its
 * own way, and these turn them into the listing schema's vocabulary. What cannot be understood is
 * passed through unchanged so the core validator rejects it with its stable reason.
 */

const PROPERTY_TYPE_WORDS: readonly (readonly [RegExp, PropertyType])[] = [
  [/town\s*(house|home)|row\s*(house|home)/, 'townhouse'],
  [/condo|co-?op|apartment/, 'condo'],
  [/multi|duplex|triplex|fourplex|quadruplex|\d+\s*-\s*\d+\s*unit|\d\+\s*unit/, 'multi_family'],
  [/mobile|manufactured/, 'mobile'],
  [/land|lot|acreage|farm|ranch/, 'land'],
  [/single|house|detached|residential/, 'house'],
];

/**
 * Remembers a text conversion per distinct input: a source has a handful of type and status
 * words but thousands of rows, and the regular expressions were a third of the mapping time.
 */
function memoised(convert: (text: string) => unknown): (text: string) => unknown {
  const cache = new Map<string, unknown>();
  return (text) => {
    let value = cache.get(text);
    if (value === undefined) {
      value = convert(text);
      if (cache.size < 1_000) cache.set(text, value);
    }
    return value;
  };
}

const propertyTypeOfText = memoised((raw) => {
  const text = raw.toLowerCase().replace(/_/g, ' ');
  for (const [pattern, type] of PROPERTY_TYPE_WORDS) if (pattern.test(text)) return type;
  return 'other';
});

/** Maps a source's property type (`single_family`, `CONDO`, `Condo/Co-op`, ...) to the schema's. */
export function normalisePropertyType(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw.trim() === '') return raw;
  return propertyTypeOfText(raw);
}

const listingStatusOfText = memoised((raw) => {
  const text = raw.toLowerCase().replace(/[_-]/g, ' ');
  if (/sold|closed|past sale/.test(text)) return 'sold';
  if (/pending|contingent|under contract|active under/.test(text)) return 'pending';
  if (/for sale|active|coming soon|new|price change|mls listing|for sale by owner/.test(text)) return 'active';
  return text;
});

/** Maps a source's status (`for_sale`, `FOR_SALE`, `Active`, `Contingent`, `RECENTLY_SOLD`, ...). */
export function normaliseListingStatus(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw.trim() === '') return raw;
  return listingStatusOfText(raw);
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A calendar date `YYYY-MM-DD` from `2025-10-01`, `2025-10-01T16:00:00Z`, `10/01/2025`,
 * `October-1-2025` (Redfin) or epoch milliseconds. Anything else is returned unchanged.
 */
export function isoDateOf(raw: unknown): unknown {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return new Date(raw).toISOString().slice(0, 10);
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(text);
  if (iso) return iso[1];
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (us) return `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
  const named = /^([A-Za-z]+)[-\s](\d{1,2}),?[-\s](\d{4})$/.exec(text);
  if (named) {
    const month = MONTHS.findIndex((name) => name.startsWith(named[1]!.toLowerCase().slice(0, 3)));
    if (month >= 0) return `${named[3]}-${String(month + 1).padStart(2, '0')}-${named[2]!.padStart(2, '0')}`;
  }
  return raw;
}

/** A date as `YYYY-MM-DD`, or null when there is none or it cannot be read. */
export function dayOrNull(raw: unknown): string | null {
  const day = isoDateOf(raw);
  return typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null;
}

const dayStartMs = memoised((date) => Date.parse(`${date}T00:00:00Z`)) as (date: string) => number;

/** Whole days from `listingDate` (`YYYY-MM-DD`) to `at`, never negative; undefined when unknown. */
export function daysSince(listingDate: unknown, at: Date): number | undefined {
  if (typeof listingDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(listingDate)) return undefined;
  const start = dayStartMs(listingDate);
  if (Number.isNaN(start)) return undefined;
  return Math.max(0, Math.floor((at.getTime() - start) / 86_400_000));
}

/** A number from a number or text such as `$1,250,000` or `2.5`; null when empty, the raw value when unreadable. */
export function numberOf(raw: unknown): unknown {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'number') return Number.isNaN(raw) ? null : raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw !== 'string') return raw;
  const text = raw.replace(/[$,\s]/g, '');
  if (text === '' || /^(nan|null|none|n\/a|-)$/i.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : raw;
}

/** Like {@link numberOf}, rounded to a whole number (beds, square feet, days). */
export function integerOf(raw: unknown): unknown {
  const value = numberOf(raw);
  return typeof value === 'number' ? Math.round(value) : value;
}

/** Five-digit zipcode from `19103`, `19103-1234`, or a number that lost its leading zero (`2134`). */
export function zipcodeOf(raw: unknown): unknown {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < 100_000)
    return String(raw).padStart(5, '0');
  if (typeof raw !== 'string') return raw;
  const match = /^\s*(\d{5})(?:-\d{4})?\s*$/.exec(raw);
  if (match) return match[1];
  if (/^\s*\d{3,4}\s*$/.test(raw)) return raw.trim().padStart(5, '0');
  return raw;
}

/** Trimmed text, or null for empty/absent values. */
export function textOf(raw: unknown): unknown {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  return text === '' ? null : text;
}

/** The statuses a source may be asked to collect: for sale (active and pending) and recently sold. */
export type CollectedStatus = Extract<ListingStatus, 'active' | 'sold'>;

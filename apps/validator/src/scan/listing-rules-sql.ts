import {
  LISTING_COLUMNS,
  LISTING_PLAUSIBILITY_BOUNDS,
  LISTING_STATUSES,
  type ListingColumnName,
  type ListingsStoredKind,
  PROPERTY_TYPES,
  type RowQualityReason,
  dataQualityCheckOf,
} from '@resi/core';
import { regexes } from 'zod/v4/core';

/**
 * The §7 listing rules (`validateListing` in `@resi/core`) and the validator's plausibility
 * bounds (`listingPlausibilityReasons`) as DuckDB SQL over normalised rows, so thousands of files
 * are checked in one vectorised scan instead of row by row in JS. `listing-rules-sql.spec.ts`
 * runs both on the same rows and requires the same reasons.
 *
 * Normalised rows have the §7 column names; text columns are VARCHAR, numeric ones DOUBLE, and
 * "no value" is NULL (NaN is turned into NULL, as the core reader does).
 */

/** One row of `LISTING_COLUMNS`. */
type ListingColumn = (typeof LISTING_COLUMNS)[number];

/** Quotes an SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * JavaScript's `\s` (and `String.prototype.trim`'s set) as an RE2 class body: RE2's own `\s` is
 * ASCII only, and the core rules decide blankness with JavaScript's.
 */
const JS_WHITESPACE = String.raw`\t\n\x{0B}\f\r \x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}`;

/** A JS regular expression's source without its anchors, for `regexp_full_match`. */
function unanchored(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}

// zod's own patterns, so `z.iso.date()` and `z.iso.datetime({ offset: true })` mean the same here.
const ISO_DATE = unanchored(regexes.date);
const ISO_DATETIME_WITH_OFFSET = unanchored(regexes.datetime({ offset: true }));

/**
 * The normalising expression of one column as a file stores it (`kind` from
 * `inspectListingsParquetSchema`): text as is, numbers as DOUBLE with NaN as NULL, DATE and
 * TIMESTAMP columns printed as the core reader prints them (`YYYY-MM-DD`, `toISOString()`).
 */
export function normalisedColumnSql(column: ListingColumn, kind: ListingsStoredKind): string {
  const name = sqlIdentifier(column.name);
  switch (kind) {
    case 'text':
      return `CAST(${name} AS VARCHAR)`;
    case 'integer':
      return `CAST(${name} AS DOUBLE)`;
    case 'float':
      return `CASE WHEN isnan(CAST(${name} AS DOUBLE)) THEN NULL ELSE CAST(${name} AS DOUBLE) END`;
    case 'date':
      return `strftime(CAST(${name} AS DATE), '%Y-%m-%d')`;
    case 'timestamp':
      return column.name === 'listing_date'
        ? `strftime(CAST(${name} AS TIMESTAMP), '%Y-%m-%d')`
        : `strftime(CAST(${name} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`;
  }
}

/** The epoch facts the zipcode and plausibility rules depend on. */
export interface ListingRulesContext {
  readonly assignedZipcodes: readonly string[];
  readonly epochStartMs: number;
  readonly graceEndMs: number;
}

function isBlank(value: string): string {
  return `NOT regexp_matches(${value}, '[^${JS_WHITESPACE}]')`;
}

function isInt32(value: string): string {
  return `(isfinite(${value}) AND ${value} = trunc(${value}) AND ${value} BETWEEN -2147483648 AND 2147483647)`;
}

/** `z.url({ protocol: /^https?$/ })` after `trim()`: `http(s)://`, a host the URL parser takes, a port ≤ 65535. */
function isHttpUrl(value: string): string {
  const trimmed = `regexp_replace(regexp_replace(${value}, '^[${JS_WHITESPACE}]+|[${JS_WHITESPACE}]+$', '', 'g'), '[\\t\\n\\r]', '', 'g')`;
  const pattern = String.raw`(?i)https?://(?:[^/?#\\]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^\x00-\x20/?#\\@:\[\]<>^|%\x7F]+)(?::([0-9]*))?(?:[/?#\\].*)?`;
  const port = `regexp_extract(${trimmed}, ${sqlString(pattern)}, 1)`;
  return `(regexp_full_match(${trimmed}, ${sqlString(pattern)}) AND (${port} = '' OR TRY_CAST(${port} AS HUGEINT) <= 65535))`;
}

/** The §7 value rule of each column, for a present value (see `listingSchema`). */
const VALUE_RULES: Record<ListingColumnName, (value: string) => string> = {
  address: (value) => `NOT ${isBlank(value)}`,
  zipcode: (value) => `regexp_full_match(${value}, '[0-9]{5}')`,
  price: (value) => `(isfinite(${value}) AND ${value} > 0)`,
  bedrooms: (value) => `(${isInt32(value)} AND ${value} >= 0)`,
  bathrooms: (value) => `(isfinite(${value}) AND ${value} >= 0)`,
  sqft: (value) => `(${isInt32(value)} AND ${value} > 0)`,
  listing_date: (value) => `regexp_full_match(${value}, ${sqlString(ISO_DATE)})`,
  property_type: (value) => `${value} IN (${PROPERTY_TYPES.map(sqlString).join(', ')})`,
  listing_status: (value) => `${value} IN (${LISTING_STATUSES.map(sqlString).join(', ')})`,
  days_on_market: (value) => `(${isInt32(value)} AND ${value} >= 0)`,
  mls_id: (value) => `NOT ${isBlank(value)}`,
  source_url: isHttpUrl,
  scraped_timestamp: (value) =>
    `(regexp_full_match(${value}, ${sqlString(ISO_DATETIME_WITH_OFFSET)}) AND regexp_matches(${value}, '(Z|\\+00:00)$'))`,
};

/** One reason and the SQL predicate (never NULL) that a normalised row has it. */
export interface ReasonPredicate {
  readonly reason: RowQualityReason;
  readonly sql: string;
}

/**
 * Required text columns where blank text is a bad value rather than a missing one: the core checks
 * `scraped_timestamp` with a refinement whose reason is fixed, so "" is `invalid_scraped_timestamp`.
 */
const BLANK_IS_INVALID: ReadonlySet<ListingColumnName> = new Set(['scraped_timestamp']);

function missingSql(column: ListingColumn): string {
  const name = sqlIdentifier(column.name);
  return column.duckdbType === 'VARCHAR' && !BLANK_IS_INVALID.has(column.name)
    ? `(${name} IS NULL OR ${isBlank(name)})`
    : `${name} IS NULL`;
}

/** The column is present and satisfies its §7 rule. */
function validColumnSql(column: ListingColumn): string {
  const name = sqlIdentifier(column.name);
  return `(${name} IS NOT NULL AND coalesce(${VALUE_RULES[column.name](name)}, false))`;
}

function spec(name: ListingColumnName): ListingColumn {
  return LISTING_COLUMNS.find((column) => column.name === name)!;
}

/** Epoch milliseconds of a valid `scraped_timestamp`, truncated to the millisecond as `Date.parse` does. */
function scrapedMsSql(): string {
  const value = sqlIdentifier('scraped_timestamp');
  return `(epoch_ms(TRY_CAST(left(${value}, 19) AS TIMESTAMP)) + coalesce(TRY_CAST(left(regexp_extract(${value}, '\\.([0-9]+)', 1) || '00', 3) AS BIGINT), 0))`;
}

/**
 * Every reason a normalised row can have, in a fixed order (its bit in the row's flags):
 * `missing_field:<column>` for required columns, `invalid_<column>` for every column,
 * `zipcode_not_assigned`, then `implausible_<column>`. A value is checked against its rule only
 * when present, and for plausibility only when valid, as in the core.
 */
export function listingReasonPredicates(context: ListingRulesContext): ReasonPredicate[] {
  const predicates: ReasonPredicate[] = [];
  for (const column of LISTING_COLUMNS) {
    if (!column.nullable) predicates.push({ reason: `missing_field:${column.name}`, sql: missingSql(column) });
  }
  for (const column of LISTING_COLUMNS) {
    const name = sqlIdentifier(column.name);
    const present =
      column.nullable || column.duckdbType !== 'VARCHAR' ? `${name} IS NOT NULL` : `NOT ${missingSql(column)}`;
    predicates.push({
      reason: `invalid_${column.name}`,
      sql: `(${present} AND NOT coalesce(${VALUE_RULES[column.name](name)}, false))`,
    });
  }
  const unassigned = context.assignedZipcodes.length
    ? `"zipcode" NOT IN (${context.assignedZipcodes.map(sqlString).join(', ')})`
    : 'true';
  predicates.push({ reason: 'zipcode_not_assigned', sql: `(${validColumnSql(spec('zipcode'))} AND ${unassigned})` });

  const bounds = LISTING_PLAUSIBILITY_BOUNDS;
  const outside = (name: ListingColumnName, condition: string) =>
    predicates.push({
      reason: `implausible_${name}` as RowQualityReason,
      sql: `(${validColumnSql(spec(name))} AND ${condition})`,
    });
  outside('price', `("price" < ${bounds.price.min} OR "price" > ${bounds.price.max})`);
  outside('bedrooms', `"bedrooms" > ${bounds.bedrooms.max}`);
  outside('bathrooms', `"bathrooms" > ${bounds.bathrooms.max}`);
  outside('sqft', `"sqft" > ${bounds.sqft.max}`);
  const lastListingDate = new Date(context.graceEndMs).toISOString().slice(0, 10);
  outside(
    'listing_date',
    `("listing_date" < ${sqlString(bounds.listingDateMin)} OR "listing_date" > ${sqlString(lastListingDate)})`,
  );
  outside('days_on_market', `"days_on_market" > ${bounds.days_on_market.max}`);
  const earliestScrapeMs = context.epochStartMs - bounds.scrapedLeadSeconds * 1000;
  outside(
    'scraped_timestamp',
    `coalesce(${scrapedMsSql()} < ${earliestScrapeMs} OR ${scrapedMsSql()} > ${context.graceEndMs}, true)`,
  );
  return predicates;
}

/** The row's reasons as a BIGINT bit set, bit i for predicate i. */
export function reasonFlagsSql(predicates: readonly ReasonPredicate[]): string {
  if (predicates.length > 62) throw new RangeError('too many reasons for a BIGINT bit set');
  return predicates
    .map((predicate, bit) => `(CASE WHEN ${predicate.sql} THEN ${2 ** bit} ELSE 0 END)::BIGINT`)
    .join(' + ');
}

/** Bit masks of the reasons counting against each per-row data quality check. */
export function qualityMasks(
  predicates: readonly ReasonPredicate[],
): Record<'required_fields_present' | 'data_types_correct' | 'reasonable_values', bigint> {
  const masks = { required_fields_present: 0n, data_types_correct: 0n, reasonable_values: 0n };
  predicates.forEach((predicate, bit) => {
    masks[dataQualityCheckOf(predicate.reason)] |= 1n << BigInt(bit);
  });
  return masks;
}

/** `listingIdentityKey` of `@resi/core` in SQL. */
export const IDENTITY_KEY_SQL =
  `coalesce("mls_id", "source_url", lower(regexp_replace("address", '[\\t\\n\\x0B\\f\\r ]+', ' ', 'g')), '')` +
  ` || '|' || coalesce("listing_status", '')`;

/** Every §7 value of the row, NULLs marked, joined: the copy fingerprint's text (`COPY_FINGERPRINT_COLUMNS`). */
export function fingerprintTextSql(columns: readonly ListingColumnName[]): string {
  return `concat_ws(chr(31), ${columns.map((name) => `coalesce('v' || CAST(${sqlIdentifier(name)} AS VARCHAR), 'n')`).join(', ')})`;
}

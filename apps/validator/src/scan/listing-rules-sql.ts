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

/**
 * `z.url({ protocol: /^https?$/ })` after `trim()`: `http(s)://`, optional user info, a host the URL
 * parser takes, a port of at most 65535 (leading zeros allowed, as the parser allows them), then
 * anything. The trimming (JS whitespace at the ends, tabs and line breaks anywhere, which the URL
 * parser drops) costs two replacements, so it runs only for values that need it.
 */
function isHttpUrl(value: string): string {
  const port = String.raw`0*(?:[0-9]{0,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])`;
  const pattern = sqlString(
    String.raw`(?i)https?://(?:[^/?#\\]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^\x00-\x20/?#\\@:\[\]<>^|%\x7F]+)(?::${port})?(?:[/?#\\].*)?`,
  );
  const needsTrimming = `regexp_matches(${value}, '^[${JS_WHITESPACE}]|[${JS_WHITESPACE}]$|[\\t\\n\\r]')`;
  const trimmed = `regexp_replace(regexp_replace(${value}, '^[${JS_WHITESPACE}]+|[${JS_WHITESPACE}]+$', '', 'g'), '[\\t\\n\\r]', '', 'g')`;
  return `(CASE WHEN ${needsTrimming} THEN regexp_full_match(${trimmed}, ${pattern}) ELSE regexp_full_match(${value}, ${pattern}) END)`;
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

/**
 * One reason and the SQL predicate (never NULL) that a normalised row has it. Every predicate
 * reads one column only, so a column's bits are a function of its value alone and can be
 * computed once per distinct value.
 */
export interface ReasonPredicate {
  readonly reason: RowQualityReason;
  readonly column: ListingColumnName;
  /** `missing`: no value; `invalid`: a value breaking the §7 rule; `check`: a valid value failing `condition`. */
  readonly kind: 'missing' | 'invalid' | 'check';
  /** For `missing` the predicate itself; for `invalid` the §7 rule; for `check` its condition on a valid value. */
  readonly condition: string;
  /** The standalone predicate. */
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

/** The column has a value (for a nullable column: is not NULL; blank text counts as a value). */
function presentSql(column: ListingColumn): string {
  const name = sqlIdentifier(column.name);
  return column.nullable ? `${name} IS NOT NULL` : `NOT ${missingSql(column)}`;
}

function ruleSql(column: ListingColumn): string {
  return `coalesce(${VALUE_RULES[column.name](sqlIdentifier(column.name))}, false)`;
}

function spec(name: ListingColumnName): ListingColumn {
  return LISTING_COLUMNS.find((column) => column.name === name)!;
}

/**
 * Epoch milliseconds of a valid `scraped_timestamp` (ending `Z` or `+00:00`), truncated to the
 * millisecond as `Date.parse` does: the zone suffix dropped, the fraction cut to three digits.
 */
function scrapedMsSql(): string {
  const value = sqlIdentifier('scraped_timestamp');
  const local = `CASE WHEN right(${value}, 1) = 'Z' THEN substr(${value}, 1, length(${value}) - 1) ELSE substr(${value}, 1, length(${value}) - 6) END`;
  return `epoch_ms(TRY_CAST(left(${local}, 23) AS TIMESTAMP))`;
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
    if (!column.nullable) {
      const sql = missingSql(column);
      predicates.push({
        reason: `missing_field:${column.name}`,
        column: column.name,
        kind: 'missing',
        condition: sql,
        sql,
      });
    }
  }
  for (const column of LISTING_COLUMNS) {
    predicates.push({
      reason: `invalid_${column.name}`,
      column: column.name,
      kind: 'invalid',
      condition: ruleSql(column),
      sql: `(${presentSql(column)} AND NOT ${ruleSql(column)})`,
    });
  }
  const check = (reason: RowQualityReason, name: ListingColumnName, condition: string) =>
    predicates.push({
      reason,
      column: name,
      kind: 'check',
      condition,
      sql: `(${presentSql(spec(name))} AND ${ruleSql(spec(name))} AND ${condition})`,
    });
  check(
    'zipcode_not_assigned',
    'zipcode',
    context.assignedZipcodes.length
      ? `"zipcode" NOT IN (${context.assignedZipcodes.map(sqlString).join(', ')})`
      : 'true',
  );
  const bounds = LISTING_PLAUSIBILITY_BOUNDS;
  check('implausible_price', 'price', `("price" < ${bounds.price.min} OR "price" > ${bounds.price.max})`);
  check('implausible_bedrooms', 'bedrooms', `"bedrooms" > ${bounds.bedrooms.max}`);
  check('implausible_bathrooms', 'bathrooms', `"bathrooms" > ${bounds.bathrooms.max}`);
  check('implausible_sqft', 'sqft', `"sqft" > ${bounds.sqft.max}`);
  const lastListingDate = new Date(context.graceEndMs).toISOString().slice(0, 10);
  check(
    'implausible_listing_date',
    'listing_date',
    `("listing_date" < ${sqlString(bounds.listingDateMin)} OR "listing_date" > ${sqlString(lastListingDate)})`,
  );
  check('implausible_days_on_market', 'days_on_market', `"days_on_market" > ${bounds.days_on_market.max}`);
  const earliestScrapeMs = context.epochStartMs - bounds.scrapedLeadSeconds * 1000;
  check(
    'implausible_scraped_timestamp',
    'scraped_timestamp',
    `coalesce(NOT (${scrapedMsSql()} BETWEEN ${earliestScrapeMs} AND ${context.graceEndMs}), true)`,
  );
  return predicates;
}

/** The row's reasons as a BIGINT bit set, bit i for predicate i. */
export function reasonFlagsSql(predicates: readonly ReasonPredicate[]): string {
  return LISTING_COLUMNS.map((column) => columnFlagsSql(predicates, column.name)).join(' | ');
}

/**
 * The bits of `column`'s reasons (its share of `reasonFlagsSql`) as one CASE that evaluates the
 * column's rule once: missing, else absent (nullable), else invalid, else the checks of a valid
 * value. Equal to OR-ing the standalone predicates, which the equivalence tests check.
 */
export function columnFlagsSql(predicates: readonly ReasonPredicate[], column: ListingColumnName): string {
  if (predicates.length > 62) throw new RangeError('too many reasons for a BIGINT bit set');
  const bitOf = (predicate: ReasonPredicate) => 2 ** predicates.indexOf(predicate);
  const own = predicates.filter((predicate) => predicate.column === column);
  const missing = own.find((predicate) => predicate.kind === 'missing');
  const invalid = own.find((predicate) => predicate.kind === 'invalid');
  const checks = own.filter((predicate) => predicate.kind === 'check');
  const name = sqlIdentifier(column);
  const branches = [
    missing ? `WHEN ${missing.condition} THEN ${bitOf(missing)}` : `WHEN ${name} IS NULL THEN 0`,
    invalid ? `WHEN NOT ${invalid.condition} THEN ${bitOf(invalid)}` : '',
  ].filter(Boolean);
  const valid = checks.length
    ? checks.map((predicate) => `(CASE WHEN ${predicate.condition} THEN ${bitOf(predicate)} ELSE 0 END)`).join(' + ')
    : '0';
  return `(CASE ${branches.join(' ')} ELSE ${valid} END)::BIGINT`;
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

/** `lowerAscii` of `@resi/core`: ASCII letters only (DuckDB's `lower` and JavaScript's disagree beyond them). */
function lowerAsciiSql(value: string): string {
  return `translate(${value}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

/** `listingIdentityKey` of `@resi/core` in SQL (the key itself, for tests and logs). */
export const IDENTITY_KEY_SQL =
  `coalesce("mls_id", "source_url", ${lowerAsciiSql(`regexp_replace("address", '[\\t\\n\\x0B\\f\\r ]+', ' ', 'g')`)}, '')` +
  ` || '|' || coalesce("listing_status", '')`;

/** The identity key as a 128-bit hash (two 64-bit DuckDB hashes), what duplicates within an upload are counted by. */
export const IDENTITY_HASH_SQL = `((hash(${IDENTITY_KEY_SQL})::UHUGEINT << 64) | hash(${IDENTITY_KEY_SQL}, 'resi-identity')::UHUGEINT)`;

/** `normaliseListingUrl` of `@resi/core` in SQL: host lower-cased without `www.`, path without trailing slashes. */
export const URL_KEY_SQL = (() => {
  const trimmed = `regexp_replace("source_url", '^[\t\n\x0B\f\r ]+|[\t\n\x0B\f\r ]+$', '', 'g')`;
  const parts = `'^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)(?::[0-9]*)?([^?#]*)'`;
  const host = `regexp_replace(lower(regexp_extract(${trimmed}, ${parts}, 1)), '^www\\.', '')`;
  const path = `regexp_replace(regexp_extract(${trimmed}, ${parts}, 2), '/+$', '')`;
  return `(CASE WHEN regexp_matches(${trimmed}, ${parts}) THEN ${host} || ${path} ELSE ${trimmed} END)`;
})();

/** `normaliseListingAddress` of `@resi/core` in SQL, then `|` and the zipcode. */
export const ADDRESS_KEY_SQL =
  `regexp_replace(regexp_replace(regexp_replace(${lowerAsciiSql('"address"')}, '[.,#]', ' ', 'g'), '[\t\n\x0B\f\r ]+', ' ', 'g'), '^ | $', '', 'g')` +
  ` || '|' || coalesce("zipcode", '')`;

/** A text key as a 128-bit hash (two 64-bit DuckDB hashes with different seeds). */
export function keyHashSql(key: string, salt: string): string {
  return `((hash(${key})::UHUGEINT << 64) | hash(${key}, ${sqlString(salt)})::UHUGEINT)`;
}

/**
 * A 128-bit fingerprint of the row's values in `columns` (`AUDIT_FINGERPRINT_COLUMNS`): two 64-bit
 * DuckDB hashes of the typed values, NULL included. DuckDB hashes values natively, which is an
 * order of magnitude faster than printing them for MD5; a collision between two different rows of
 * an epoch (2.5 M rows) has a probability near 10⁻²⁶.
 */
export function fingerprintSql(columns: readonly ListingColumnName[]): string {
  const values = columns.map(sqlIdentifier).join(', ');
  return `((hash(${values})::UHUGEINT << 64) | hash(${values}, 'resi-fingerprint')::UHUGEINT)`;
}

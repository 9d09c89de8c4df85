import { z } from 'zod';

/**
 * One real-estate listing as miners upload it in `listings.parquet` (PROTOCOL.md §7). Column
 * names are snake_case and exact because deployed Python validators read them with pandas.
 */

/** Parquet physical types the listings columns use. */
export type ListingColumnPhysicalType = 'BYTE_ARRAY' | 'DOUBLE' | 'INT32';

/** The physical and logical shape of one listings column, as written and as read. */
export interface ListingColumnSpec {
  readonly name: string;
  readonly physicalType: ListingColumnPhysicalType;
  /** Parquet converted type: `UTF8` marks text, which pyarrow reports as `string`. */
  readonly convertedType: 'UTF8' | null;
  /** Whether the value may be null; non-nullable columns are written `REQUIRED`. */
  readonly nullable: boolean;
  /** The column's type in DuckDB SQL, for validators that scan many files at once. */
  readonly duckdbType: 'VARCHAR' | 'DOUBLE' | 'INTEGER';
}

/**
 * The listings columns, in file order. The one place the column list lives: the Parquet writer,
 * the reader, the row schema below and SQL over the files all derive from it.
 */
// prettier-ignore
export const LISTING_COLUMNS = [
  { name: 'address',           physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
  { name: 'zipcode',           physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
  { name: 'price',             physicalType: 'DOUBLE',     convertedType: null,   nullable: false, duckdbType: 'DOUBLE' },
  { name: 'bedrooms',          physicalType: 'INT32',      convertedType: null,   nullable: true,  duckdbType: 'INTEGER' },
  { name: 'bathrooms',         physicalType: 'DOUBLE',     convertedType: null,   nullable: true,  duckdbType: 'DOUBLE' },
  { name: 'sqft',              physicalType: 'INT32',      convertedType: null,   nullable: true,  duckdbType: 'INTEGER' },
  { name: 'listing_date',      physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
  { name: 'property_type',     physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
  { name: 'listing_status',    physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
  { name: 'days_on_market',    physicalType: 'INT32',      convertedType: null,   nullable: false, duckdbType: 'INTEGER' },
  { name: 'mls_id',            physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: true,  duckdbType: 'VARCHAR' },
  { name: 'source_url',        physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
  { name: 'scraped_timestamp', physicalType: 'BYTE_ARRAY', convertedType: 'UTF8', nullable: false, duckdbType: 'VARCHAR' },
] as const satisfies readonly ListingColumnSpec[];

/** The name of one listings column. */
export type ListingColumnName = (typeof LISTING_COLUMNS)[number]['name'];

/** The listings column names, in file order. */
export const LISTING_COLUMN_NAMES: readonly ListingColumnName[] = LISTING_COLUMNS.map((column) => column.name);

type JsValueOf<P extends ListingColumnPhysicalType> = P extends 'BYTE_ARRAY' ? string : number;

/**
 * A row as a listings file holds it: every value has its column's JS type or is null, but the §7
 * value rules are not yet checked (run {@link validateListing} for that). Files from other
 * writers may hold nulls even in required columns.
 */
export type ListingsFileRow = {
  -readonly [C in (typeof LISTING_COLUMNS)[number] as C['name']]: JsValueOf<C['physicalType']> | null;
};

export const PROPERTY_TYPES = ['house', 'condo', 'townhouse', 'multi_family', 'land', 'mobile', 'other'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export const LISTING_STATUSES = ['active', 'pending', 'sold'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/**
 * Why a row is rejected. Stable codes: miners count them per reason, validators score data
 * quality from them, so a code never changes meaning once published.
 * - `missing_field:<column>`: absent, null, NaN, or (for a required text column) blank;
 * - `invalid_type:<column>`: a value of the wrong JS type (text where a number belongs, ...);
 * - `invalid_<column>`: the right type but breaking the column's rule (`invalid_zipcode`, ...);
 * - `zipcode_not_assigned`: a valid zipcode outside the epoch's assignment (when one is given);
 * - `invalid_row`: not an object at all.
 */
export type ListingRejectReason =
  | `missing_field:${ListingColumnName}`
  | `invalid_type:${ListingColumnName}`
  | `invalid_${ListingColumnName}`
  | 'zipcode_not_assigned'
  | 'invalid_row';

const NULLABLE_COLUMNS: ReadonlySet<string> = new Set(
  LISTING_COLUMNS.filter((column) => column.nullable).map((column) => column.name),
);

function isMissingValue(column: ListingColumnName, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  // pandas writes a missing number as NaN, so NaN means "no value", not "a bad value".
  if (typeof value === 'number' && Number.isNaN(value)) return true;
  // A nullable column should hold null rather than "", so there blank text is a bad value.
  return typeof value === 'string' && value.trim() === '' && !NULLABLE_COLUMNS.has(column);
}

/**
 * zod error options that turn any failure of a column's schema into its reject reason; zod
 * calls this only on failure, so valid rows pay nothing for it.
 */
function rejectReasonFor(column: ListingColumnName, jsType: 'string' | 'number') {
  return {
    error: (issue: { readonly input?: unknown }): ListingRejectReason => {
      if (isMissingValue(column, issue.input)) return `missing_field:${column}`;
      if (typeof issue.input !== jsType) return `invalid_type:${column}`;
      return `invalid_${column}`;
    },
  };
}

/** zod's own pattern for `z.iso.datetime({ offset: true })`, tested directly: no parse context per call. */
const ISO_DATETIME_WITH_OFFSET = z.regexes.datetime({ offset: true });
const UTC_DESIGNATOR = /(?:Z|\+00:00)$/;

/**
 * True for an ISO 8601 instant on a real calendar day, with seconds, in UTC: ending `Z`, or
 * `+00:00` as Python's `datetime.now(timezone.utc).isoformat()` writes it. Naive times are
 * rejected because nothing says which zone they are in.
 */
export function isIsoUtcTimestamp(value: unknown): value is string {
  return typeof value === 'string' && UTC_DESIGNATOR.test(value) && ISO_DATETIME_WITH_OFFSET.test(value);
}

const NON_BLANK = /\S/;
const FIVE_DIGITS = /^\d{5}$/;
const HTTP_PROTOCOL = /^https?$/;

/**
 * One valid listing (PROTOCOL.md §7). Each failure's message is a {@link ListingRejectReason}.
 * Integers are bounded to INT32 because that is how they are stored. Unknown keys are dropped
 * (files may carry more columns).
 */
export const listingSchema = z.object(
  {
    address: z.string(rejectReasonFor('address', 'string')).regex(NON_BLANK),
    zipcode: z.string(rejectReasonFor('zipcode', 'string')).regex(FIVE_DIGITS),
    price: z.number(rejectReasonFor('price', 'number')).positive(),
    bedrooms: z.int32(rejectReasonFor('bedrooms', 'number')).nonnegative().nullable(),
    bathrooms: z.number(rejectReasonFor('bathrooms', 'number')).nonnegative().nullable(),
    sqft: z.int32(rejectReasonFor('sqft', 'number')).positive().nullable(),
    listing_date: z.iso.date(rejectReasonFor('listing_date', 'string')),
    property_type: z.enum(PROPERTY_TYPES, rejectReasonFor('property_type', 'string')),
    listing_status: z.enum(LISTING_STATUSES, rejectReasonFor('listing_status', 'string')),
    days_on_market: z.int32(rejectReasonFor('days_on_market', 'number')).nonnegative(),
    mls_id: z.string(rejectReasonFor('mls_id', 'string')).regex(NON_BLANK).nullable(),
    source_url: z.url({ protocol: HTTP_PROTOCOL, ...rejectReasonFor('source_url', 'string') }),
    scraped_timestamp: z
      .string(rejectReasonFor('scraped_timestamp', 'string'))
      .refine(isIsoUtcTimestamp, { error: 'invalid_scraped_timestamp' satisfies ListingRejectReason }),
  } satisfies Record<ListingColumnName, z.ZodType>,
  { error: 'invalid_row' satisfies ListingRejectReason },
);

/** A listing that passed {@link validateListing}. */
export type Listing = z.infer<typeof listingSchema>;

const PROPERTY_TYPE_SET: ReadonlySet<unknown> = new Set(PROPERTY_TYPES);
const LISTING_STATUS_SET: ReadonlySet<unknown> = new Set(LISTING_STATUSES);
/** zod's pattern for `z.iso.date()`. */
const ISO_DATE = z.regexes.date;
/** What `z.url()` deletes from the value it returns (besides trimming it): where present, zod's output differs. */
const TAB_OR_NEWLINE = /[\t\n\r]/;
/** zod's guard for an `http(s)` protocol: the URL parser alone would accept `http:example.com`. */
const HTTP_URL_PREFIX = /^https?:\/\//i;

/**
 * Scraped timestamps repeat (a page of results shares one), so each distinct one is checked
 * once. Bounded: a long-running miner sees a new timestamp per page.
 */
const checkedTimestamps = new Map<string, boolean>();

function isIsoUtcTimestampCached(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let valid = checkedTimestamps.get(value);
  if (valid === undefined) {
    valid = isIsoUtcTimestamp(value);
    if (checkedTimestamps.size >= 4_096) checkedTimestamps.clear();
    checkedTimestamps.set(value, valid);
  }
  return valid;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isInt32 = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= -2_147_483_648 && (value as number) <= 2_147_483_647;

/**
 * The listing `row` is, when it passes every rule of {@link listingSchema} with no value changed;
 * undefined otherwise (a rule fails, or zod would return a changed value, as `z.url()` does for
 * a URL with blanks around it). The same rules written out as plain checks, with zod's own
 * patterns: a sixth of the schema's cost per row, which matters at tens of thousands of rows.
 * {@link validateListing} falls back to the schema whenever this says undefined, so reject
 * reasons and any normalised values still come from zod; a property test holds the two equal.
 */
export function listingAsIs(row: unknown): Listing | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
  const candidate = row as Record<ListingColumnName, unknown>;
  const {
    address,
    zipcode,
    price,
    bedrooms,
    bathrooms,
    sqft,
    listing_date,
    property_type,
    listing_status,
    days_on_market,
    mls_id,
    source_url,
    scraped_timestamp,
  } = candidate;
  if (
    typeof address === 'string' &&
    NON_BLANK.test(address) &&
    typeof zipcode === 'string' &&
    FIVE_DIGITS.test(zipcode) &&
    isNumber(price) &&
    price > 0 &&
    (bedrooms === null || (isInt32(bedrooms) && bedrooms >= 0)) &&
    (bathrooms === null || (isNumber(bathrooms) && bathrooms >= 0)) &&
    (sqft === null || (isInt32(sqft) && sqft > 0)) &&
    typeof listing_date === 'string' &&
    ISO_DATE.test(listing_date) &&
    PROPERTY_TYPE_SET.has(property_type) &&
    LISTING_STATUS_SET.has(listing_status) &&
    isInt32(days_on_market) &&
    days_on_market >= 0 &&
    (mls_id === null || (typeof mls_id === 'string' && NON_BLANK.test(mls_id))) &&
    typeof source_url === 'string' &&
    HTTP_URL_PREFIX.test(source_url) &&
    source_url.trim() === source_url &&
    !TAB_OR_NEWLINE.test(source_url) &&
    URL.canParse(source_url) &&
    isIsoUtcTimestampCached(scraped_timestamp)
  ) {
    return {
      address,
      zipcode,
      price,
      bedrooms,
      bathrooms,
      sqft,
      listing_date,
      property_type: property_type as PropertyType,
      listing_status: listing_status as ListingStatus,
      days_on_market,
      mls_id,
      source_url,
      scraped_timestamp: scraped_timestamp as string,
    };
  }
  return undefined;
}

/** Context for {@link validateListing}. */
export interface ListingValidationOptions {
  /** The epoch's assigned zipcodes; when given, a listing elsewhere is `zipcode_not_assigned`. */
  readonly assignedZipcodes?: ReadonlySet<string>;
}

/** The outcome of {@link validateListing}: the typed listing, or every reason it failed. */
export type ListingValidationResult =
  | { readonly ok: true; readonly listing: Listing }
  | { readonly ok: false; readonly reasons: readonly ListingRejectReason[] };

/** The listings {@link validateListing} returned; frozen, so each is still what was checked. */
const validatedListings = new WeakSet<object>();

function validated(listing: Listing): Listing {
  validatedListings.add(Object.freeze(listing));
  return listing;
}

/**
 * True for a listing {@link validateListing} returned. Those are frozen, so it is still valid:
 * the Parquet writer takes such rows without checking them a second time. Equal copies (a
 * spread, a listing read back from JSON) are not recognised and are checked again.
 */
export function isValidatedListing(row: unknown): row is Listing {
  return typeof row === 'object' && row !== null && validatedListings.has(row);
}

/**
 * Checks one row against every §7 rule. On failure it lists each reason once, in column order,
 * so a row with a bad price and a bad zipcode counts towards both reasons. The listing returned
 * is a new, frozen object holding the §7 columns only.
 */
export function validateListing(row: unknown, options: ListingValidationOptions = {}): ListingValidationResult {
  const { assignedZipcodes } = options;
  const listing = listingAsIs(row);
  if (listing !== undefined) {
    if (assignedZipcodes && !assignedZipcodes.has(listing.zipcode))
      return { ok: false, reasons: ['zipcode_not_assigned'] };
    return { ok: true, listing: validated(listing) };
  }
  const parsed = listingSchema.safeParse(row);
  const reasons = new Set<ListingRejectReason>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reasons.add(issue.message as ListingRejectReason);
  }
  // Checked even when other columns fail, so a fabricated row elsewhere is counted as such.
  const zipcode = (row as { zipcode?: unknown } | null | undefined)?.zipcode;
  if (assignedZipcodes && typeof zipcode === 'string' && FIVE_DIGITS.test(zipcode) && !assignedZipcodes.has(zipcode)) {
    reasons.add('zipcode_not_assigned');
  }
  if (parsed.success && reasons.size === 0) return { ok: true, listing: validated(parsed.data) };
  return { ok: false, reasons: [...reasons] };
}

/** The reasons `row` is rejected, empty when it is a valid listing. See {@link validateListing}. */
export function listingRejectReasons(row: unknown, options: ListingValidationOptions = {}): ListingRejectReason[] {
  const result = validateListing(row, options);
  return result.ok ? [] : [...result.reasons];
}

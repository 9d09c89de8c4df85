import { z } from 'zod';
import { isSs58Address } from '../crypto/ss58.js';
import { type EpochConfig, createEpochConfig } from '../epochs/epoch-config.js';
import { EPOCH_ID_FORMAT, EPOCH_ID_PATTERN, parseEpochId } from '../epochs/epoch-id.js';
import { isResiError } from '../errors.js';

/**
 * Error options for a field's type check: "is required" when the field is missing, else `expected`.
 * Without it zod would say "expected string, received undefined".
 */
function typeError(expected: string) {
  return { error: (issue: { readonly input?: unknown }) => (issue.input === undefined ? 'is required' : expected) };
}

/** Earliest and latest Unix timestamp (seconds) the protocol accepts (PROTOCOL.md §1). */
export const MIN_UNIX_TIMESTAMP_SECONDS = 1_600_000_000;
export const MAX_UNIX_TIMESTAMP_SECONDS = 2_147_483_647;

/**
 * The largest count a request may carry: the API stores counts in PostgreSQL `integer` columns
 * (int32), so a larger one is refused here, as a 400 naming the field, never as a database error.
 */
export const MAX_STORED_COUNT = 2_147_483_647;

/** A count a client reports (listings, miners scored): a whole number in 0..{@link MAX_STORED_COUNT}. */
export const storedCountSchema = z
  .int(typeError('must be a whole number'))
  .nonnegative({ error: 'must be 0 or more' })
  .max(MAX_STORED_COUNT, { error: `must be at most ${MAX_STORED_COUNT}` })
  .meta({ id: 'Count' });

/**
 * An optional request field that also accepts `null` as "absent": deployed Python clients send
 * `None` for fields they have no value for (PROTOCOL.md §1). The parsed value is never `null`.
 */
export function optionalField<T extends z.ZodType>(schema: T) {
  // The output side only drops the null: `schema` has already checked the value on the way in.
  const checked = z.unknown() as unknown as z.ZodType<z.output<T>, z.output<T>>;
  return z.codec(schema.nullish(), checked.optional(), {
    decode: (value) => value ?? undefined,
    encode: (value) => value,
  });
}

/** A hotkey or coldkey: checksummed SS58 with the Bittensor prefix 42 (PROTOCOL.md §1). */
export const ss58AddressSchema = z
  .string(typeError('must be an SS58 address string'))
  .regex(/^[1-9A-HJ-NP-Za-km-z]{46,48}$/, {
    error: 'must be an SS58 address (46-48 base58 characters, Bittensor keys start with 5)',
    abort: true,
  })
  .refine(isSs58Address, { error: 'must be an SS58 address with prefix 42 and a valid checksum' })
  .meta({
    id: 'Ss58Address',
    description: 'SS58 address with prefix 42 (a Bittensor hotkey or coldkey).',
    examples: ['5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'],
  });

/**
 * An sr25519 signature as 128 hex characters, with or without `0x` (Python's `.hex()` sends none,
 * polkadot.js sends `0x`). Either case is accepted.
 */
export const signatureHexSchema = z
  .string(typeError('must be a hex string'))
  .regex(/^(0x)?[0-9a-fA-F]{128}$/, {
    error: 'must be a 64-byte signature as 128 hex characters, optionally 0x-prefixed',
  })
  .meta({ id: 'Signature', description: 'sr25519 signature of the commitment: 128 hex characters, optional 0x.' });

/** Unix time in whole seconds within the protocol's range (PROTOCOL.md §1). */
export const unixTimestampSecondsSchema = z
  .int(typeError('must be an integer number of seconds (Unix time)'))
  .min(MIN_UNIX_TIMESTAMP_SECONDS, { error: `must be Unix seconds, at least ${MIN_UNIX_TIMESTAMP_SECONDS}` })
  .max(MAX_UNIX_TIMESTAMP_SECONDS, {
    error: `must be Unix seconds, at most ${MAX_UNIX_TIMESTAMP_SECONDS} (milliseconds are too large)`,
  })
  .meta({ id: 'UnixTimestamp', description: 'Unix time in seconds.', examples: [1696089600] });

/**
 * The same timestamp read from a query string, where it arrives as text (`?timestamp=1696089600`,
 * as Python `requests` sends `params`). Decodes to a number; the JSON Schema input side is
 * "integer or digit string", the output side the integer.
 */
export const timestampQueryParamSchema = z.codec(
  z.union([unixTimestampSecondsSchema, z.string().regex(/^\d{1,16}$/, { error: 'must be Unix seconds as digits' })]),
  unixTimestampSecondsSchema,
  {
    decode: (value) => (typeof value === 'string' ? Number(value) : value),
    encode: (value) => value,
  },
);

// A one-minute grid accepts every well-formed ID, so parsing under it checks only the calendar.
const MINUTE_GRID = createEpochConfig({ durationMinutes: 1 });

function epochIdChecks(config: EpochConfig) {
  return z
    .string(typeError(`must be an epoch ID string (${EPOCH_ID_FORMAT})`))
    .regex(EPOCH_ID_PATTERN, {
      error: `must be an epoch ID in the format ${EPOCH_ID_FORMAT}, the epoch's UTC start (e.g. 2025-10-01T16-00-00)`,
      abort: true,
    })
    .superRefine((value, context) => {
      try {
        parseEpochId(value, config);
      } catch (error) {
        if (!isResiError(error)) throw error;
        context.addIssue({ code: 'custom', message: error.message, input: value });
      }
    });
}

/**
 * An epoch ID: the format `YYYY-MM-DDTHH-MM-00` and a real UTC date and time. It cannot check the
 * epoch grid (that depends on the configuration): the service still calls `parseEpochId(id,
 * config)` or parses with {@link epochIdSchemaFor}.
 */
export const epochIdSchema = epochIdChecks(MINUTE_GRID).meta({
  id: 'EpochId',
  description: "The epoch's UTC start as YYYY-MM-DDTHH-MM-00 (production: YYYY-MM-DDTHH-00-00, hours 00,04,...,20).",
  examples: ['2025-10-01T16-00-00'],
});

/** {@link epochIdSchema} that also requires an epoch boundary of `config`. */
export function epochIdSchemaFor(config: EpochConfig) {
  return epochIdChecks(config);
}

/** An instant in a response: ISO 8601 UTC with milliseconds, `2025-10-01T16:00:00.000Z` (§1). */
export const isoInstantSchema = z.iso
  .datetime({
    precision: 3,
    ...typeError('must be an ISO 8601 UTC instant with milliseconds, e.g. 2025-10-01T16:00:00.000Z'),
  })
  .meta({ id: 'IsoInstant', examples: ['2025-10-01T16:00:00.000Z'] });

/**
 * Whether an ISO instant lies in the protocol's time range (the Unix-seconds range of §1): every
 * instant a client sends is stored in a `timestamptz` column, and years such as 0000 or 275760
 * pass the ISO format yet are refused by PostgreSQL or by `Date`.
 */
function isWithinProtocolTime(value: string): boolean {
  const ms = Date.parse(value);
  return ms >= MIN_UNIX_TIMESTAMP_SECONDS * 1000 && ms <= MAX_UNIX_TIMESTAMP_SECONDS * 1000;
}

/**
 * An instant sent by a client: ISO 8601 with an explicit zone and any precision. The deployed
 * Python miner writes `datetime.utcnow().isoformat() + 'Z'` (microseconds, `Z`) and
 * `datetime.now(timezone.utc).isoformat()` (`+00:00`); naive times are refused as ambiguous.
 */
export const isoDateTimeInputSchema = z.iso
  .datetime({ offset: true, abort: true, ...typeError('must be an ISO 8601 date-time with a zone (Z or +00:00)') })
  .refine(isWithinProtocolTime, {
    error: `must be an instant between ${new Date(MIN_UNIX_TIMESTAMP_SECONDS * 1000).toISOString()} and ${new Date(MAX_UNIX_TIMESTAMP_SECONDS * 1000).toISOString()}`,
  })
  .meta({ id: 'IsoDateTime', examples: ['2025-10-01T17:30:00.123456Z', '2025-10-01T17:30:00+00:00'] });

/** Lowercase hex SHA-256. */
export const sha256HexSchema = z
  .string(typeError('must be a hex string'))
  .regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 digest: 64 lowercase hex characters' })
  .meta({ id: 'Sha256Hex' });

/** The epoch nonce: 16 lowercase hex characters (PROTOCOL.md §4). */
export const epochNonceSchema = z
  .string(typeError('must be a string'))
  .regex(/^[0-9a-f]{16}$/, { error: 'must be the epoch nonce: 16 lowercase hex characters' })
  .meta({ id: 'EpochNonce', examples: ['376ce532f42cf2a5'] });

/** A five-digit US ZIP code. */
export const zipcodeSchema = z
  .string(typeError('must be a string'))
  .regex(/^\d{5}$/, { error: 'must be a five-digit ZIP code' })
  .meta({ id: 'Zipcode', examples: ['19103'] });

/** An http(s) URL (presigned S3 URLs; plain http only for a local S3). */
export const httpUrlSchema = z.url({ protocol: /^https?$/, ...typeError('must be an http(s) URL') });

/** `"success": true`, carried by every successful body (PROTOCOL.md §1). */
export const successTrueSchema = z.literal(true);

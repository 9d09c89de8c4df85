import { describe, expect, it } from 'vitest';
import { createEpochConfig } from '../epochs/epoch-config.js';
import {
  epochIdSchema,
  epochIdSchemaFor,
  epochNonceSchema,
  isoDateTimeInputSchema,
  isoInstantSchema,
  sha256HexSchema,
  signatureHexSchema,
  ss58AddressSchema,
  timestampQueryParamSchema,
  unixTimestampSecondsSchema,
  zipcodeSchema,
} from './primitives.js';
import { COLDKEY, MINER_HOTKEY, PYTHON_SIGNATURE, issuesOf } from './wire-examples.test-utils.js';

describe('ss58AddressSchema', () => {
  it('accepts prefix-42 hotkeys and coldkeys', () => {
    expect(ss58AddressSchema.parse(MINER_HOTKEY)).toBe(MINER_HOTKEY);
    expect(ss58AddressSchema.parse(COLDKEY)).toBe(COLDKEY);
  });

  it.each([
    ['a bad checksum', '5H2WNbNfkRmHWJGdEUzZyVd7jZuP3BkwNDYgZQF8a1BcKwGx', /valid checksum/],
    ['a Polkadot address', '15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5', /prefix 42/],
    ['hex', '0x' + 'ab'.repeat(32), /46-48 base58/],
    ['a number', 42, /SS58 address string/],
  ])('rejects %s', (_name, value, message) => {
    const issues = issuesOf(ss58AddressSchema, value);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(message);
  });
});

describe('signatureHexSchema', () => {
  it.each([PYTHON_SIGNATURE, `0x${PYTHON_SIGNATURE}`, PYTHON_SIGNATURE.toUpperCase()])('accepts %s', (value) => {
    expect(signatureHexSchema.safeParse(value).success).toBe(true);
  });

  it.each([PYTHON_SIGNATURE.slice(2), `${PYTHON_SIGNATURE}00`, `0X${PYTHON_SIGNATURE}`, 'zz'.repeat(64), ''])(
    'rejects %s',
    (value) => {
      expect(issuesOf(signatureHexSchema, value)).toEqual([
        ': must be a 64-byte signature as 128 hex characters, optionally 0x-prefixed',
      ]);
    },
  );
});

describe('timestamps', () => {
  it('accepts the protocol range in a body', () => {
    expect(unixTimestampSecondsSchema.parse(1_600_000_000)).toBe(1_600_000_000);
    expect(unixTimestampSecondsSchema.parse(2_147_483_647)).toBe(2_147_483_647);
  });

  it.each([
    [1_599_999_999, /at least 1600000000/],
    [1_696_089_600_000, /milliseconds are too large/],
    [1_696_089_600.5, /integer/],
    ['1696089600', /integer/],
  ])('rejects %s in a body', (value, message) => {
    expect(issuesOf(unixTimestampSecondsSchema, value)[0]).toMatch(message);
  });

  it('decodes a query-string timestamp', () => {
    expect(timestampQueryParamSchema.parse('1696089600')).toBe(1_696_089_600);
    expect(timestampQueryParamSchema.parse(1_696_089_600)).toBe(1_696_089_600);
  });

  it.each(['', '16960896OO', '-1696089600', '1696089600.0', '1696089600000'])('rejects the query value %j', (value) => {
    expect(timestampQueryParamSchema.safeParse(value).success).toBe(false);
  });
});

describe('epochIdSchema', () => {
  it('accepts production and devnet IDs', () => {
    expect(epochIdSchema.parse('2025-10-01T16-00-00')).toBe('2025-10-01T16-00-00');
    expect(epochIdSchema.parse('2025-10-01T16-07-00')).toBe('2025-10-01T16-07-00');
  });

  it('names the expected format', () => {
    expect(issuesOf(epochIdSchema, '2025-10-01T16:00:00')).toEqual([
      ": must be an epoch ID in the format YYYY-MM-DDTHH-MM-00, the epoch's UTC start (e.g. 2025-10-01T16-00-00)",
    ]);
  });

  it('rejects impossible dates', () => {
    expect(issuesOf(epochIdSchema, '2025-02-29T16-00-00')[0]).toMatch(/not a real UTC date/);
  });

  it('checks the grid of a given configuration', () => {
    const production = epochIdSchemaFor(createEpochConfig());
    expect(production.safeParse('2025-10-01T16-00-00').success).toBe(true);
    expect(issuesOf(production, '2025-10-01T17-00-00')[0]).toMatch(/not on an epoch boundary/);
    expect(epochIdSchemaFor(createEpochConfig({ durationMinutes: 5 })).safeParse('2025-10-01T17-05-00').success).toBe(
      true,
    );
  });
});

describe('instants', () => {
  it('responses use ISO UTC with milliseconds only', () => {
    expect(isoInstantSchema.safeParse('2025-10-01T16:00:00.000Z').success).toBe(true);
    for (const value of ['2025-10-01T16:00:00Z', '2025-10-01T16:00:00.000+00:00', '2025-10-01T16:00:00.000']) {
      expect(isoInstantSchema.safeParse(value).success).toBe(false);
    }
  });

  it('requests accept what Python writes, but not naive times', () => {
    for (const value of ['2025-10-01T17:30:00.123456Z', '2025-10-01T17:30:00Z', '2025-10-01T17:45:00.654321+00:00']) {
      expect(isoDateTimeInputSchema.safeParse(value).success).toBe(true);
    }
    expect(issuesOf(isoDateTimeInputSchema, '2025-10-01T17:30:00.123456')[0]).toMatch(/with a zone/);
  });
});

describe('small formats', () => {
  it('sha256, nonce and zipcode', () => {
    expect(sha256HexSchema.safeParse('ab'.repeat(32)).success).toBe(true);
    expect(issuesOf(sha256HexSchema, 'AB'.repeat(32))[0]).toMatch(/64 lowercase hex/);
    expect(epochNonceSchema.safeParse('376ce532f42cf2a5').success).toBe(true);
    expect(issuesOf(epochNonceSchema, '376ce532f42cf2a')[0]).toMatch(/16 lowercase hex/);
    expect(zipcodeSchema.safeParse('02134').success).toBe(true);
    expect(issuesOf(zipcodeSchema, '2134')[0]).toMatch(/five-digit ZIP/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResiError } from '../errors.js';
import { PRODUCTION_EPOCH_CONFIG, VALID_EPOCH_DURATIONS_MINUTES, createEpochConfig } from './epoch-config.js';
import { EPOCH_ID_PATTERN, formatEpochId, parseEpochId } from './epoch-id.js';

const production = PRODUCTION_EPOCH_CONFIG;

function validationError(run: () => unknown): ResiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ResiError) return error;
    throw error;
  }
  throw new Error('expected a ResiError');
}

describe('formatEpochId', () => {
  it('spells the UTC start with dashes in the time', () => {
    expect(formatEpochId(new Date('2025-10-01T16:00:00.000Z'))).toBe('2025-10-01T16-00-00');
    expect(formatEpochId(new Date('2025-01-02T03:05:00.000Z'))).toBe('2025-01-02T03-05-00');
  });

  it('pads years below 1000 to four digits', () => {
    const start = new Date(0);
    start.setUTCFullYear(42, 0, 1);
    expect(formatEpochId(start)).toBe('0042-01-01T00-00-00');
  });

  it.each([
    ['an invalid Date', new Date('nope'), /invalid Date/],
    ['seconds', new Date('2025-10-01T16:00:30.000Z'), /whole minute/],
    ['milliseconds', new Date('2025-10-01T16:00:00.001Z'), /whole minute/],
    ['a five-digit year', new Date('+010000-01-01T00:00:00.000Z'), /four-digit years/],
  ])('rejects %s', (_name, start, message) => {
    expect(() => formatEpochId(start)).toThrow(message);
  });
});

describe('parseEpochId', () => {
  it('returns the UTC start of a production epoch', () => {
    expect(parseEpochId('2025-10-01T16-00-00', production).toISOString()).toBe('2025-10-01T16:00:00.000Z');
    expect(parseEpochId('2025-10-01T00-00-00', production).toISOString()).toBe('2025-10-01T00:00:00.000Z');
  });

  it('accepts the leap day of a leap year and rejects it otherwise', () => {
    expect(parseEpochId('2024-02-29T20-00-00', production).toISOString()).toBe('2024-02-29T20:00:00.000Z');
    expect(validationError(() => parseEpochId('2025-02-29T20-00-00', production)).message).toMatch(
      /not a real UTC date and time/,
    );
    expect(validationError(() => parseEpochId('2100-02-29T00-00-00', production)).message).toMatch(/not a real/);
    expect(parseEpochId('2000-02-29T00-00-00', production).getUTCDate()).toBe(29);
  });

  it.each([
    '2025-10-01T16:00:00',
    '2025-10-01T16-00-00Z',
    '2025-10-01T16-00-01',
    '2025-10-01 16-00-00',
    '25-10-01T16-00-00',
    '2025-10-1T16-00-00',
    ' 2025-10-01T16-00-00',
    '2025-10-01T16-00-00\n',
    '',
  ])('rejects %j with a message naming the format', (id) => {
    const error = validationError(() => parseEpochId(id, production));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('YYYY-MM-DDTHH-MM-00');
  });

  it('rejects non-strings from untyped callers with the same error', () => {
    expect(validationError(() => parseEpochId(42 as unknown as string, production)).code).toBe('VALIDATION_FAILED');
  });

  it('keeps long hostile input out of the message', () => {
    const error = validationError(() => parseEpochId('x'.repeat(10_000), production));
    expect(error.message.length).toBeLessThan(200);
  });

  it.each([
    '2025-13-01T00-00-00',
    '2025-00-10T00-00-00',
    '2025-04-31T00-00-00',
    '2025-10-01T24-00-00',
    '2025-10-01T00-60-00',
  ])('rejects the impossible date %s', (id) => {
    expect(validationError(() => parseEpochId(id, production)).message).toMatch(/not a real UTC date/);
  });

  it('rejects an off-boundary start and names the neighbouring epochs', () => {
    const error = validationError(() => parseEpochId('2025-10-01T17-00-00', production));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe(
      'epoch ID "2025-10-01T17-00-00" is not on an epoch boundary: epochs last 240 minutes from 00:00 UTC, ' +
        'so the nearest epochs are 2025-10-01T16-00-00 and 2025-10-01T20-00-00',
    );
  });

  it('names the neighbours of an off-boundary ID even at the end of year 9999', () => {
    expect(() => parseEpochId('9999-12-31T23-00-00', production)).toThrow(
      /nearest epochs are 9999-12-31T20-00-00 and \+010000-01-01T00:00:00.000Z/,
    );
  });

  it('accepts minute boundaries of devnet durations', () => {
    const oneMinute = createEpochConfig({ durationMinutes: 1 });
    const threeMinutes = createEpochConfig({ durationMinutes: 3 });
    const fiveMinutes = createEpochConfig({ durationMinutes: 5 });
    expect(parseEpochId('2025-10-01T16-07-00', oneMinute).toISOString()).toBe('2025-10-01T16:07:00.000Z');
    expect(parseEpochId('2025-10-01T16-09-00', threeMinutes).getUTCMinutes()).toBe(9);
    expect(() => parseEpochId('2025-10-01T16-10-00', threeMinutes)).toThrow(/nearest epochs are 2025-10-01T16-09-00/);
    expect(parseEpochId('2025-10-01T23-55-00', fiveMinutes).getUTCMinutes()).toBe(55);
    expect(() => parseEpochId('2025-10-01T23-57-00', fiveMinutes)).toThrow(
      /2025-10-01T23-55-00 and 2025-10-02T00-00-00/,
    );
  });
});

describe('epoch IDs (properties)', () => {
  const durationArb = fc.constantFrom(...VALID_EPOCH_DURATIONS_MINUTES);
  // 1970..2200 covers every timestamp the protocol accepts, with room on both sides.
  const instantArb = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });

  it('format then parse returns the same start, and parse then format the same ID', () => {
    fc.assert(
      fc.property(durationArb, instantArb, (durationMinutes, instantMs) => {
        const config = createEpochConfig({ durationMinutes });
        const durationMs = durationMinutes * 60_000;
        const start = new Date(Math.floor(instantMs / durationMs) * durationMs);
        const id = formatEpochId(start);
        expect(id).toMatch(EPOCH_ID_PATTERN);
        expect(parseEpochId(id, config).getTime()).toBe(start.getTime());
        expect(formatEpochId(parseEpochId(id, config))).toBe(id);
      }),
    );
  });

  it('every production ID has zero minutes and an hour divisible by 4', () => {
    fc.assert(
      fc.property(instantArb, (instantMs) => {
        const start = Math.floor(instantMs / 14_400_000) * 14_400_000;
        const id = formatEpochId(new Date(start));
        expect(id).toMatch(/T(00|04|08|12|16|20)-00-00$/);
        parseEpochId(id, production);
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ResiError } from '../errors.js';
import { TIMESTAMP_MAX_AGE_SECONDS, TIMESTAMP_MAX_FUTURE_SECONDS, checkTimestampWindow } from './timestamp-window.js';

const now = 1_759_334_400;

function errorOf(run: () => void): ResiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ResiError) return error;
    throw error;
  }
  throw new Error('expected a ResiError');
}

describe('checkTimestampWindow', () => {
  it('exports the protocol window', () => {
    expect(TIMESTAMP_MAX_AGE_SECONDS).toBe(300);
    expect(TIMESTAMP_MAX_FUTURE_SECONDS).toBe(60);
  });

  it.each([now, now - 300, now + 60, now - 1, now + 1])('accepts %i', (timestamp) => {
    expect(() => checkTimestampWindow(timestamp, now)).not.toThrow();
  });

  it('floors a fractional server clock like the Python server', () => {
    expect(() => checkTimestampWindow(now + 60, now + 0.999)).not.toThrow();
    expect(() => checkTimestampWindow(now - 300, now + 0.999)).not.toThrow();
  });

  it('rejects a timestamp one second too old, saying how far behind and what to do', () => {
    const error = errorOf(() => checkTimestampWindow(now - 301, now));
    expect(error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(error.statusCode).toBe(401);
    expect(error.message).toContain(`timestamp ${now - 301} is 5 min 1 s behind the server clock (${now})`);
    expect(error.message).toContain('sync your clock');
    expect(error.details).toEqual({ timestamp: now - 301, serverTime: now, skewSeconds: -301 });
  });

  it('rejects a timestamp one second too far ahead', () => {
    const error = errorOf(() => checkTimestampWindow(now + 61, now));
    expect(error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(error.message).toContain('is 61 s ahead of the server clock');
    expect(error.message).toContain('sync your clock');
  });

  it('describes large offsets in hours', () => {
    expect(errorOf(() => checkTimestampWindow(now - 3 * 3600 - 120, now)).message).toContain('3 h 2 min behind');
  });

  it('recognises milliseconds sent by mistake', () => {
    const error = errorOf(() => checkTimestampWindow(now * 1000, now));
    expect(error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(error.message).toMatch(/looks like milliseconds/);
  });

  it.each([now + 0.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects the non-integer timestamp %s as bad input',
    (bad) => {
      expect(errorOf(() => checkTimestampWindow(bad, now)).code).toBe('VALIDATION_FAILED');
    },
  );
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_EPOCH_CONFIG, VALID_EPOCH_DURATIONS_MINUTES, createEpochConfig } from './epoch-config.js';
import { epochAt, epochTimes, nextEpochId, previousEpochId } from './epoch-times.js';

const production = PRODUCTION_EPOCH_CONFIG;
const iso = (date: Date) => date.toISOString();

describe('epochAt', () => {
  it('returns every instant of the production epoch containing now', () => {
    const sut = epochAt(new Date('2025-10-01T17:23:45.678Z'), production);
    expect(sut.id).toBe('2025-10-01T16-00-00');
    expect({
      pendingAt: iso(sut.pendingAt),
      start: iso(sut.start),
      end: iso(sut.end),
      submissionDeadline: iso(sut.submissionDeadline),
      graceEnd: iso(sut.graceEnd),
      validationEnd: iso(sut.validationEnd),
    }).toEqual({
      pendingAt: '2025-10-01T15:45:00.000Z',
      start: '2025-10-01T16:00:00.000Z',
      end: '2025-10-01T20:00:00.000Z',
      submissionDeadline: '2025-10-01T20:00:00.000Z',
      graceEnd: '2025-10-01T20:15:00.000Z',
      validationEnd: '2025-10-01T20:30:00.000Z',
    });
  });

  it('puts a boundary instant in the epoch that starts there', () => {
    expect(epochAt(new Date('2025-10-01T20:00:00.000Z'), production).id).toBe('2025-10-01T20-00-00');
    expect(epochAt(new Date('2025-10-01T19:59:59.999Z'), production).id).toBe('2025-10-01T16-00-00');
  });

  it('starts every UTC day with a 00-00 epoch and crosses midnight into the next day', () => {
    expect(epochAt(new Date('2025-10-02T00:00:00.000Z'), production).id).toBe('2025-10-02T00-00-00');
    expect(epochAt(new Date('2025-12-31T23:59:59.999Z'), production).end.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('handles a leap day', () => {
    const sut = epochAt(new Date('2024-02-29T22:00:00.000Z'), production);
    expect(sut.id).toBe('2024-02-29T20-00-00');
    expect(nextEpochId(sut.id, production)).toBe('2024-03-01T00-00-00');
    expect(previousEpochId('2024-03-01T00-00-00', production)).toBe('2024-02-29T20-00-00');
  });

  it.each([
    [1, '2025-10-01T16-07-00', '2025-10-01T16:08:00.000Z'],
    [3, '2025-10-01T16-06-00', '2025-10-01T16:09:00.000Z'],
    [5, '2025-10-01T16-05-00', '2025-10-01T16:10:00.000Z'],
  ])('aligns %i-minute devnet epochs to the minute grid', (durationMinutes, id, end) => {
    const config = createEpochConfig({
      durationMinutes,
      pendingLeadMinutes: 1,
      validationWindowMinutes: 2,
      graceMinutes: 1,
    });
    const sut = epochAt(new Date('2025-10-01T16:07:30.000Z'), config);
    expect(sut.id).toBe(id);
    expect(sut.end.toISOString()).toBe(end);
    expect(sut.graceEnd.getTime() - sut.end.getTime()).toBe(60_000);
    expect(sut.validationEnd.getTime() - sut.end.getTime()).toBe(120_000);
  });

  it('rejects an invalid Date', () => {
    expect(() => epochAt(new Date(Number.NaN), production)).toThrow(/valid Date/);
  });
});

describe('epochTimes', () => {
  it('agrees with epochAt for the same epoch', () => {
    expect(epochTimes('2025-10-01T16-00-00', production)).toEqual(
      epochAt(new Date('2025-10-01T16:00:00.000Z'), production),
    );
  });

  it('rejects an off-boundary ID', () => {
    expect(() => epochTimes('2025-10-01T17-00-00', production)).toThrow(/not on an epoch boundary/);
  });
});

describe('nextEpochId and previousEpochId', () => {
  it('step one epoch in each direction', () => {
    expect(nextEpochId('2025-10-01T20-00-00', production)).toBe('2025-10-02T00-00-00');
    expect(previousEpochId('2025-10-02T00-00-00', production)).toBe('2025-10-01T20-00-00');
    expect(previousEpochId('2026-01-01T00-00-00', production)).toBe('2025-12-31T20-00-00');
  });

  it('validate their input', () => {
    expect(() => nextEpochId('2025-10-01T16:00:00', production)).toThrow(/format/);
  });
});

describe('epochs tile time (properties)', () => {
  const durationArb = fc.constantFrom(...VALID_EPOCH_DURATIONS_MINUTES);
  const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2038, 0, 19) });

  it('every instant belongs to exactly one epoch', () => {
    fc.assert(
      fc.property(durationArb, instantArb, (durationMinutes, instantMs) => {
        const config = createEpochConfig({ durationMinutes });
        const sut = epochAt(new Date(instantMs), config);
        const contains = (start: Date, end: Date) => start.getTime() <= instantMs && instantMs < end.getTime();
        expect(contains(sut.start, sut.end)).toBe(true);
        const previous = epochTimes(previousEpochId(sut.id, config), config);
        const next = epochTimes(nextEpochId(sut.id, config), config);
        expect(contains(previous.start, previous.end)).toBe(false);
        expect(contains(next.start, next.end)).toBe(false);
        // Back to back: no gap and no overlap with the neighbours.
        expect(previous.end.getTime()).toBe(sut.start.getTime());
        expect(next.start.getTime()).toBe(sut.end.getTime());
        expect(sut.end.getTime() - sut.start.getTime()).toBe(durationMinutes * 60_000);
      }),
    );
  });

  it('next and previous are inverses', () => {
    fc.assert(
      fc.property(durationArb, instantArb, (durationMinutes, instantMs) => {
        const config = createEpochConfig({ durationMinutes });
        const { id } = epochAt(new Date(instantMs), config);
        expect(previousEpochId(nextEpochId(id, config), config)).toBe(id);
        expect(nextEpochId(previousEpochId(id, config), config)).toBe(id);
      }),
    );
  });

  it('every UTC midnight is an epoch start', () => {
    fc.assert(
      fc.property(durationArb, fc.integer({ min: 18_262, max: 24_855 }), (durationMinutes, day) => {
        const midnight = new Date(day * 86_400_000);
        expect(epochAt(midnight, createEpochConfig({ durationMinutes })).start.getTime()).toBe(midnight.getTime());
      }),
    );
  });
});

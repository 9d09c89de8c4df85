import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_EPOCH_CONFIG, createEpochConfig } from './epoch-config.js';
import { EPOCH_PHASES, acceptsSubmissionsAt, epochPhaseAt, isLateAt } from './epoch-phase.js';
import { epochTimes } from './epoch-times.js';

const production = PRODUCTION_EPOCH_CONFIG;
const epochId = '2025-10-01T16-00-00';
const at = (isoInstant: string) => new Date(isoInstant);

describe('epochPhaseAt', () => {
  it.each([
    ['2025-10-01T15:44:59.999Z', 'SCHEDULED'],
    ['2025-10-01T15:45:00.000Z', 'PENDING'],
    ['2025-10-01T15:59:59.999Z', 'PENDING'],
    ['2025-10-01T16:00:00.000Z', 'ACTIVE'],
    ['2025-10-01T19:59:59.999Z', 'ACTIVE'],
    ['2025-10-01T20:00:00.000Z', 'COMPLETED'],
    ['2025-10-01T20:29:59.999Z', 'COMPLETED'],
    ['2025-10-01T20:30:00.000Z', 'ARCHIVED'],
    ['2030-01-01T00:00:00.000Z', 'ARCHIVED'],
  ])('at %s the epoch is %s', (now, phase) => {
    expect(epochPhaseAt(epochId, at(now), production)).toBe(phase);
  });

  it('uses stored times as given, whatever the configuration says now', () => {
    const stored = epochTimes(epochId, production);
    const devnet = createEpochConfig({ durationMinutes: 5 });
    expect(epochPhaseAt(stored, at('2025-10-01T19:00:00.000Z'), devnet)).toBe('ACTIVE');
  });

  it('rejects a bad ID and an invalid instant', () => {
    expect(() => epochPhaseAt('2025-10-01T17-00-00', at('2025-10-01T17:00:00.000Z'), production)).toThrow(
      /epoch boundary/,
    );
    expect(() => epochPhaseAt(epochId, new Date(Number.NaN), production)).toThrow(/valid Date/);
  });
});

describe('acceptsSubmissionsAt and isLateAt', () => {
  it.each([
    ['2025-10-01T15:59:59.999Z', false, false],
    ['2025-10-01T16:00:00.000Z', true, false],
    ['2025-10-01T19:59:59.999Z', true, false],
    ['2025-10-01T20:00:00.000Z', true, true],
    ['2025-10-01T20:14:59.999Z', true, true],
    ['2025-10-01T20:15:00.000Z', false, false],
  ])('at %s accepts=%s late=%s', (now, accepts, late) => {
    expect(acceptsSubmissionsAt(epochId, at(now), production)).toBe(accepts);
    expect(isLateAt(epochId, at(now), production)).toBe(late);
  });

  it('with no grace period a submission at the deadline is refused', () => {
    const strict = createEpochConfig({ graceMinutes: 0 });
    expect(acceptsSubmissionsAt(epochId, at('2025-10-01T19:59:59.999Z'), strict)).toBe(true);
    expect(acceptsSubmissionsAt(epochId, at('2025-10-01T20:00:00.000Z'), strict)).toBe(false);
    expect(isLateAt(epochId, at('2025-10-01T20:00:00.000Z'), strict)).toBe(false);
  });

  it('follows a 1-minute devnet epoch', () => {
    const devnet = createEpochConfig({
      durationMinutes: 1,
      pendingLeadMinutes: 1,
      validationWindowMinutes: 2,
      graceMinutes: 1,
    });
    const id = '2025-10-01T16-07-00';
    expect(epochPhaseAt(id, at('2025-10-01T16:06:00.000Z'), devnet)).toBe('PENDING');
    expect(epochPhaseAt(id, at('2025-10-01T16:07:30.000Z'), devnet)).toBe('ACTIVE');
    expect(isLateAt(id, at('2025-10-01T16:08:30.000Z'), devnet)).toBe(true);
    expect(acceptsSubmissionsAt(id, at('2025-10-01T16:09:00.000Z'), devnet)).toBe(false);
    expect(epochPhaseAt(id, at('2025-10-01T16:09:59.999Z'), devnet)).toBe('COMPLETED');
    expect(epochPhaseAt(id, at('2025-10-01T16:10:00.000Z'), devnet)).toBe('ARCHIVED');
  });
});

describe('phases (properties)', () => {
  const instantArb = fc.integer({ min: Date.UTC(2025, 9, 1, 15), max: Date.UTC(2025, 9, 1, 21) });

  it('never move backwards as time passes', () => {
    fc.assert(
      fc.property(instantArb, instantArb, (a, b) => {
        const [earlier, later] = a <= b ? [a, b] : [b, a];
        const rank = (ms: number) => EPOCH_PHASES.indexOf(epochPhaseAt(epochId, new Date(ms), production));
        expect(rank(earlier)).toBeLessThanOrEqual(rank(later));
      }),
    );
  });

  it('a late submission is always an accepted one, and only after the epoch is ACTIVE', () => {
    fc.assert(
      fc.property(instantArb, (ms) => {
        const now = new Date(ms);
        if (isLateAt(epochId, now, production)) {
          expect(acceptsSubmissionsAt(epochId, now, production)).toBe(true);
          expect(epochPhaseAt(epochId, now, production)).toBe('COMPLETED');
        }
        if (epochPhaseAt(epochId, now, production) === 'ACTIVE') {
          expect(acceptsSubmissionsAt(epochId, now, production)).toBe(true);
          expect(isLateAt(epochId, now, production)).toBe(false);
        }
      }),
    );
  });
});

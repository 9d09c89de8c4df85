import { describe, expect, it } from 'vitest';
import {
  PRODUCTION_EPOCH_CONFIG,
  VALID_EPOCH_DURATIONS_MINUTES,
  createEpochConfig,
  scaledEpochConfig,
} from './epoch-config.js';

describe('createEpochConfig', () => {
  it('defaults to the production schedule', () => {
    expect(createEpochConfig()).toEqual({
      durationMinutes: 240,
      pendingLeadMinutes: 15,
      validationWindowMinutes: 30,
      graceMinutes: 15,
    });
    expect(createEpochConfig()).toEqual(PRODUCTION_EPOCH_CONFIG);
  });

  it('keeps production values for fields given as undefined', () => {
    expect(createEpochConfig({ durationMinutes: 60, graceMinutes: undefined }).graceMinutes).toBe(15);
  });

  it.each([1, 3, 5, 60, 1440])('accepts a %i-minute epoch', (durationMinutes) => {
    expect(createEpochConfig({ durationMinutes }).durationMinutes).toBe(durationMinutes);
  });

  it('accepts no grace period', () => {
    expect(createEpochConfig({ graceMinutes: 0 }).graceMinutes).toBe(0);
  });

  it('rejects a duration that does not divide a UTC day and names the nearest valid ones', () => {
    expect(() => createEpochConfig({ durationMinutes: 7 })).toThrow(
      /durationMinutes must divide 1440 .*got 7 \(nearest valid values: 6 and 8\)/,
    );
  });

  it.each([
    ['durationMinutes', 0, /between 1 and 1440/],
    ['durationMinutes', 2880, /between 1 and 1440/],
    ['durationMinutes', 2.5, /whole number of minutes/],
    ['pendingLeadMinutes', 0, /between 1 and/],
    ['validationWindowMinutes', -5, /between 1 and/],
    ['graceMinutes', -1, /between 0 and/],
    ['graceMinutes', Number.NaN, /whole number/],
    ['pendingLeadMinutes', 14_400_000, /between 1 and 10080/],
  ] as const)('rejects %s = %s', (field, value, message) => {
    expect(() => createEpochConfig({ [field]: value })).toThrow(message);
  });

  it('rejects a grace period that outlasts the validation window', () => {
    expect(() => createEpochConfig({ graceMinutes: 45, validationWindowMinutes: 30 })).toThrow(
      /graceMinutes \(45\) must not exceed validationWindowMinutes \(30\)/,
    );
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(createEpochConfig({ durationMinutes: 5 }))).toBe(true);
  });
});

describe('VALID_EPOCH_DURATIONS_MINUTES', () => {
  it('lists exactly the divisors of 1440', () => {
    expect(VALID_EPOCH_DURATIONS_MINUTES).toHaveLength(36);
    expect(VALID_EPOCH_DURATIONS_MINUTES.every((m) => 1440 % m === 0)).toBe(true);
    expect(VALID_EPOCH_DURATIONS_MINUTES).toContain(240);
    expect(VALID_EPOCH_DURATIONS_MINUTES).not.toContain(7);
  });
});

describe('scaledEpochConfig', () => {
  it('keeps production proportions for longer epochs', () => {
    expect(scaledEpochConfig(480)).toEqual({
      durationMinutes: 480,
      pendingLeadMinutes: 30,
      validationWindowMinutes: 60,
      graceMinutes: 30,
    });
  });

  it('gives devnet epochs at least one minute per phase', () => {
    expect(scaledEpochConfig(1)).toEqual({
      durationMinutes: 1,
      pendingLeadMinutes: 1,
      validationWindowMinutes: 1,
      graceMinutes: 1,
    });
    expect(scaledEpochConfig(5).validationWindowMinutes).toBe(1);
    expect(scaledEpochConfig(60)).toMatchObject({ pendingLeadMinutes: 4, validationWindowMinutes: 8 });
  });

  it('still rejects a duration off the day grid', () => {
    expect(() => scaledEpochConfig(7)).toThrow(/divide 1440/);
  });
});

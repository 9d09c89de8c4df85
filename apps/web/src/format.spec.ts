import { describe, expect, it } from 'vitest';
import { ago, count, formatCountdown, percent, shortHotkey, utcTime } from './format.js';

describe('dashboard formatting', () => {
  it('counts down in hours, minutes and seconds, never below zero', () => {
    expect(formatCountdown(3 * 3600_000 + 5 * 60_000 + 9_000)).toBe('3h 05m 09s');
    expect(formatCountdown(4 * 60_000 + 2_500)).toBe('4m 02s');
    expect(formatCountdown(12_999)).toBe('12s');
    expect(formatCountdown(-5_000)).toBe('0s');
  });

  it('shortens hotkeys but keeps short strings whole', () => {
    expect(shortHotkey('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toBe('5Grw…utQY');
    expect(shortHotkey('abc')).toBe('abc');
  });

  it('formats numbers, scores and times the same in every locale', () => {
    expect(count(1234567)).toBe('1,234,567');
    expect(count(999)).toBe('999');
    expect(percent(0.875)).toBe('87.5%');
    const now = new Date('2025-10-01T17:00:00Z');
    expect(utcTime('2025-10-01T16:00:00.000Z', now)).toBe('16:00 UTC');
    expect(utcTime('2025-10-02T04:30:00.000Z', now)).toBe('Oct 2 04:30 UTC');
    expect(ago('2025-10-01T16:59:30.000Z', now.getTime())).toBe('30 s ago');
    expect(ago('2025-10-01T16:50:00.000Z', now.getTime())).toBe('10 min ago');
  });
});

import { describe, expect, it } from 'vitest';
import { timelinessScore, uploadTimingOf } from './timeliness.js';

const at = (time: string) => Date.parse(`2025-10-01T${time}Z`);
const WINDOW = { epochStartMs: at('16:00:00'), submissionDeadlineMs: at('20:00:00'), graceEndMs: at('20:15:00') };

describe('timelinessScore (server-observed upload time)', () => {
  it.each([
    ['15:59:59', 0, 'before_start'],
    ['16:00:00', 1, 'on_time'],
    ['19:59:00', 1, 'on_time'],
    ['20:00:00', 1, 'on_time'],
    ['20:05:00', 0.833333, 'in_grace'], // 1 - 0.5 * 5/15
    ['20:07:30', 0.75, 'in_grace'],
    ['20:15:00', 0.5, 'in_grace'],
    ['20:15:01', 0, 'after_grace'],
  ])('upload at %s -> %d (%s)', (time, score, timing) => {
    expect(timelinessScore(at(time), WINDOW)).toBe(score);
    expect(uploadTimingOf(at(time), WINDOW)).toBe(timing);
  });
});

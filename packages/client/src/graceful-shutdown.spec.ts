import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FORCED_STOP_EXIT_CODE, type StoppableRun, runUntilStopped } from './graceful-shutdown.js';
import type { Logger } from './logger.js';

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, log: { error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') } };
}

/** A run whose step ends when `finishStep()` is called, or at once when aborted (unless `stuck`). */
function fakeRun(options: { stuck?: boolean } = {}) {
  const calls: string[] = [];
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  let step = 'uploading epoch E';
  const run: StoppableRun & { finishStep(): void; calls: string[] } = {
    calls,
    done,
    stop: () => calls.push('stop'),
    abort: () => {
      calls.push('abort');
      if (!options.stuck) settle();
    },
    plan: () => ({ finishing: `finishing ${step}`, abandoning: `${step} (a restart resumes it)` }),
    finishStep: () => {
      step = 'nothing';
      settle();
    },
  };
  return run;
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runUntilStopped', () => {
  it('a run that ends by itself exits 0 and leaves no signal listener behind', async () => {
    const signals = new EventEmitter();
    const run = fakeRun();
    const code = runUntilStopped(run, { log: recorder().log, timeoutMs: 1_000, source: signals });
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    run.finishStep();
    expect(await code).toBe(0);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    expect(run.calls).toEqual([]);
  });

  it('SIGTERM asks the run to finish its step, says what that is, and exits 0 when it has', async () => {
    const signals = new EventEmitter();
    const { log, lines } = recorder();
    const run = fakeRun();
    const code = runUntilStopped(run, { log, timeoutMs: 1_000, source: signals });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(run.calls).toEqual(['stop']);
    expect(lines).toEqual([
      'info received SIGTERM: finishing uploading epoch E, then stopping (within 1 s; a second signal stops at once)',
    ]);
    await tick();
    run.finishStep();
    expect(await code).toBe(0);
    expect(run.calls).toEqual(['stop']);
  });

  it('a second signal forces the stop at once, says what it abandons, and exits non-zero', async () => {
    const signals = new EventEmitter();
    const { log, lines } = recorder();
    const run = fakeRun();
    const code = runUntilStopped(run, { log, timeoutMs: 60_000, source: signals });
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGINT', 'SIGINT');
    expect(await code).toBe(FORCED_STOP_EXIT_CODE);
    expect(run.calls).toEqual(['stop', 'abort']);
    expect(lines[1]).toBe(
      'warn received SIGINT again: stopping now, abandoning uploading epoch E (a restart resumes it)',
    );
  });

  it('a step that outlasts the timeout is abandoned, and the exit does not wait for it to unwind', async () => {
    const signals = new EventEmitter();
    const { log, lines } = recorder();
    const run = fakeRun({ stuck: true });
    const code = runUntilStopped(run, { log, timeoutMs: 50, unwindMs: 50, source: signals });
    const started = Date.now();
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await code).toBe(FORCED_STOP_EXIT_CODE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(run.calls).toEqual(['stop', 'abort']);
    expect(lines[1]).toBe(
      'warn not stopped 0.1 s after SIGTERM: stopping now, abandoning uploading epoch E (a restart resumes it)',
    );
  });
});

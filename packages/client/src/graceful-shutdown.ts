import type { Logger } from './logger.js';

/** What a program does with a stop request now: finish this, or (forced) abandon that. */
export interface ShutdownPlan {
  /** What it completes before exiting, e.g. "finishing the upload of epoch X (1 of 2 files stored)". */
  readonly finishing: string;
  /** What a forced stop leaves behind and how the next start deals with it. */
  readonly abandoning: string;
}

/** A running daemon as the shutdown sees it. */
export interface StoppableRun {
  /** Finish the step in flight (or drop it where a restart redoes it whole), then settle `done`. */
  stop(): void;
  /** Abandon what is in flight now; the state on disk stays one a restart resumes from. */
  abort(): void;
  /** Read at each signal and at the timeout, so the log says what was in flight then. */
  plan(): ShutdownPlan;
  readonly done: Promise<void>;
}

export interface ShutdownOptions {
  readonly log: Logger;
  /** After the first signal, the run gets this long before it is forced to stop. */
  readonly timeoutMs: number;
  /** After a forced stop, this long for the abandoned work to unwind before the exit anyway. */
  readonly unwindMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
  /** Where the signals come from (the process; a test passes an emitter). */
  readonly source?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/** Exit code of a stop that had to be forced (a second signal, or the timeout). */
export const FORCED_STOP_EXIT_CODE = 1;

/**
 * Runs `run` until it ends, stopping it gracefully on SIGTERM or SIGINT: the first signal asks it
 * to finish its step and logs what that is ("received SIGTERM: finishing …, then stopping"); a
 * second signal, or `timeoutMs` without the run settling, forces it (abort, then exit after
 * `unwindMs` at most) and logs what was abandoned. Resolves with the exit code: 0 for a run that
 * ended or stopped gracefully, {@link FORCED_STOP_EXIT_CODE} for a forced stop. A run that fails
 * rejects as it does.
 */
export async function runUntilStopped(run: StoppableRun, options: ShutdownOptions): Promise<number> {
  const { log, timeoutMs } = options;
  const unwindMs = options.unwindMs ?? 2_000;
  const source = options.source ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
  let first: NodeJS.Signals | undefined;
  let timer: NodeJS.Timeout | undefined;
  let forcing = false;
  let forced: (() => void) | undefined;
  const unwindTimeout = new Promise<void>((resolve) => (forced = resolve));

  const force = (why: string) => {
    forcing = true;
    log.warn(`${why}: stopping now, abandoning ${run.plan().abandoning}`);
    run.abort();
    // The abandoned work usually unwinds at once; if not, the exit does not wait for it.
    setTimeout(() => forced?.(), unwindMs).unref();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (first !== undefined) {
      clearTimeout(timer);
      force(`received ${signal} again`);
      return;
    }
    first = signal;
    log.info(
      `received ${signal}: ${run.plan().finishing}, then stopping (within ${seconds}; a second signal stops at once)`,
    );
    run.stop();
    timer = setTimeout(() => force(`not stopped ${seconds} after ${signal}`), timeoutMs);
    timer.unref();
  };
  for (const signal of signals) source.on(signal, onSignal);
  try {
    // A run that fails while being forced is what the force asked for; otherwise its error stands.
    const ended = run.done.catch((error: unknown) => {
      if (!forcing) throw error as Error;
    });
    await Promise.race([ended, unwindTimeout]);
    return forcing ? FORCED_STOP_EXIT_CODE : 0;
  } finally {
    clearTimeout(timer);
    for (const signal of signals) source.off(signal, onSignal);
  }
}

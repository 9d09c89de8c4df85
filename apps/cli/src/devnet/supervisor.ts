import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `resi` entry point, so devnet children run exactly what an operator runs. */
const RESI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface SupervisedProgram {
  name: string;
  /** Sends a signal to the running program (false when none runs); SIGSTOP/SIGCONT freeze and thaw it. */
  signal(signal: NodeJS.Signals): boolean;
  stop(): Promise<void>;
}

/**
 * Runs `resi <args>` as a child process with its output in `<logDir>/<name>.log`, and restarts it
 * when it exits on its own (a crashed miner comes back and resumes from its state directory).
 */
export function supervise(
  name: string,
  args: string[],
  logDir: string,
  onEvent: (line: string) => void,
): SupervisedProgram {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  let child: ChildProcess | undefined;
  let stopping = false;
  let frozen = false;
  let restarts = 0;

  let startedAt = 0;
  const start = () => {
    frozen = false;
    startedAt = Date.now();
    child = spawn(process.execPath, [RESI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      // Back off when it keeps failing at start-up; a program that ran a while restarts at once.
      if (Date.now() - startedAt > 30_000) restarts = 0;
      restarts += 1;
      const delay = Math.min(30_000, 1_000 * restarts);
      onEvent(
        `${name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s (log: ${join(logDir, `${name}.log`)})`,
      );
      setTimeout(start, delay).unref();
    });
  };
  start();

  const running = () => (child && child.exitCode === null && child.signalCode === null ? child : undefined);

  return {
    name,
    signal: (signal) => {
      const target = running();
      if (!target || stopping) return false;
      if (signal === 'SIGSTOP') frozen = true;
      if (signal === 'SIGCONT') frozen = false;
      return target.kill(signal);
    },
    stop: async () => {
      stopping = true;
      const target = running();
      if (target) {
        const exited = new Promise<void>((resolve) => target.once('exit', () => resolve()));
        // A frozen program cannot act on SIGTERM until it runs again.
        if (frozen) target.kill('SIGCONT');
        target.kill('SIGTERM');
        const timer = setTimeout(() => target.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `resi` entry point, so devnet children run exactly what an operator runs. */
const RESI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface SupervisedProgram {
  name: string;
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
  let restarts = 0;

  const start = () => {
    child = spawn(process.execPath, [RESI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      restarts += 1;
      const delay = Math.min(30_000, 1_000 * restarts);
      onEvent(
        `${name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s (log: ${join(logDir, `${name}.log`)})`,
      );
      setTimeout(start, delay).unref();
    });
  };
  start();

  return {
    name,
    stop: async () => {
      stopping = true;
      const running = child;
      if (running && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

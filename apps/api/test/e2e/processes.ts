import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const RESI_BIN = `${REPO_ROOT}apps/cli/dist/main.js`;

/**
 * End-to-end tests run the real built program. vitest's global setup calls this once before any
 * test file (scripts/build-before-tests.ts); `tsc -b` is incremental, so after a build it takes a
 * couple of seconds, and a stale dist/ can never be what a test exercises.
 */
export function ensureBuilt(): void {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningProgram {
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The exit code once the program has ended (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

/** Starts `resi <args>` with `env` added to this process's environment. */
export function startResi(args: string[], env: Record<string, string>): RunningProgram {
  const child = spawn(process.execPath, [RESI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `url` until it answers 200, or fails with what the program printed. */
export async function waitForHttp(url: string, program: RunningProgram, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (program.child.exitCode !== null) throw new Error(`program exited early:\n${program.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${program.output()}`);
}

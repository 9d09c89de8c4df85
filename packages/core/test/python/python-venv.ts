import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A Python virtual environment for tests that check files against pandas/pyarrow. It lives in
 * `node_modules/.cache/resi-python`, so `pip install` runs once per checkout and later test runs
 * only start Python.
 */
export type PythonVenv =
  { readonly ok: true; readonly python: string } | { readonly ok: false; readonly reason: string };

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Where the shared test venv lives. */
export const PYTHON_VENV_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'resi-python');

/** Written last, so a venv whose install was interrupted is never mistaken for a ready one. */
const READY_MARKER = 'resi-ready.json';

const PIP_INSTALL_TIMEOUT_MS = 10 * 60_000;

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

function installedPackages(venvDir: string): string[] {
  try {
    const marker = JSON.parse(readFileSync(join(venvDir, READY_MARKER), 'utf8')) as { packages?: unknown };
    return Array.isArray(marker.packages) ? marker.packages.filter((name) => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Returns a venv holding `packages`, creating it on first use. Never throws: when Python, venv
 * or pip is unavailable (or `RESI_SKIP_PYTHON_TESTS` is set) it returns the reason, for the
 * caller to skip its tests visibly.
 */
export function preparePythonVenv(packages: readonly string[]): PythonVenv {
  if (process.env.RESI_SKIP_PYTHON_TESTS) return { ok: false, reason: 'RESI_SKIP_PYTHON_TESTS is set' };
  const python = join(PYTHON_VENV_DIR, 'bin', 'python');
  const present = installedPackages(PYTHON_VENV_DIR);
  const wanted = [...new Set([...present, ...packages])].sort();
  if (existsSync(python) && packages.every((name) => present.includes(name))) return { ok: true, python };

  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { ok: false, reason: `python3 is not available (${probe.error?.message ?? lastLines(probe.stderr)})` };
  }
  // Built beside the final place and renamed into it, so concurrent test runs never see a half-made
  // venv; the loser of a race simply uses the winner's. The interpreter finds its packages relative
  // to its own path, so the rename is safe as long as nothing runs pip's console scripts.
  mkdirSync(dirname(PYTHON_VENV_DIR), { recursive: true });
  const building = `${PYTHON_VENV_DIR}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  try {
    const created = spawnSync('python3', ['-m', 'venv', building], { encoding: 'utf8', timeout: 120_000 });
    if (created.status !== 0) {
      return { ok: false, reason: `python3 -m venv failed: ${lastLines(created.stderr || String(created.error))}` };
    }
    // --retries 0: when only a local wheel mirror is reachable, do not wait on the public index.
    const installed = spawnSync(
      join(building, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--retries', '0', ...wanted],
      { encoding: 'utf8', timeout: PIP_INSTALL_TIMEOUT_MS },
    );
    if (installed.status !== 0) {
      const detail = installed.error ? installed.error.message : lastLines(installed.stderr);
      return { ok: false, reason: `pip install ${wanted.join(' ')} failed: ${detail}` };
    }
    writeFileSync(join(building, READY_MARKER), JSON.stringify({ packages: wanted }));
    if (existsSync(PYTHON_VENV_DIR) && wanted.every((name) => installedPackages(PYTHON_VENV_DIR).includes(name))) {
      return { ok: true, python };
    }
    rmSync(PYTHON_VENV_DIR, { recursive: true, force: true });
    try {
      renameSync(building, PYTHON_VENV_DIR);
    } catch (error) {
      // Another run renamed its venv in first: use it if it holds what we need.
      if (!wanted.every((name) => installedPackages(PYTHON_VENV_DIR).includes(name))) {
        return { ok: false, reason: `could not move the venv into ${PYTHON_VENV_DIR}: ${(error as Error).message}` };
      }
    }
    return { ok: true, python };
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Runs `script` with the venv's Python, feeding `input` as JSON on stdin and parsing stdout as
 * JSON. Throws with Python's stderr when the script fails.
 */
export function runPythonJson<T>(venv: { readonly python: string }, script: string, input: unknown): T {
  const result = spawnSync(venv.python, [script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`${script} failed (${result.status ?? result.signal}): ${result.stderr || String(result.error)}`);
  }
  return JSON.parse(result.stdout) as T;
}

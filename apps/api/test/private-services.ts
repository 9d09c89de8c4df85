import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './e2e/processes.js';

/**
 * PostgreSQL and Redis servers of a test's own, on free loopback ports, for tests (and the soak)
 * that stop and restart them. The shared servers of the integration tier are never touched.
 */

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<version>/bin`), newest first; undefined when absent. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL program; as root through the `postgres` user, since initdb and postgres refuse root. */
function runPg(bin: string, program: string, args: string[]): void {
  const command = join(bin, program);
  if (!isRoot()) {
    execFileSync(command, args, { stdio: 'ignore' });
    return;
  }
  const quoted = [command, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { stdio: 'ignore' });
}

export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  /** A clean, fast shutdown (`pg_ctl stop -m fast`): connections are dropped, committed data kept. */
  stop(): void;
  start(): void;
  /** Stops the server and removes its files. */
  destroy(): void;
}

/** initdb into a temporary directory and start it on a free port; resolves once it takes connections. */
export async function startPrivatePostgres(bin = postgresBinDir()): Promise<PrivatePostgres> {
  if (!bin) throw new Error('PostgreSQL is not installed (/usr/lib/postgresql/*/bin)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'resi-private-pg-'));
  chmodSync(dir, 0o755);
  if (isRoot()) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['--system', '--home-dir', '/var/lib/postgresql', '--shell', '/bin/sh', 'postgres']);
    }
    execFileSync('chown', ['-R', 'postgres', dir]);
  }
  const data = join(dir, 'data');
  runPg(bin, 'initdb', ['-D', data, '-U', 'resi', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  // fsync off only: commits stay synchronous, so an acknowledged write survives a clean restart.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () =>
    runPg(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start', '-o', options]);
  const stop = () => runPg(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  runPg(bin, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'resi', 'resi']);
  return {
    url: `postgres://resi@127.0.0.1:${port}/resi`,
    port,
    start,
    stop,
    destroy: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  stop(): void;
  start(): Promise<void>;
}

/** A Redis of its own on a free port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop: () => {
      child?.kill('SIGKILL');
      child = undefined;
    },
  };
}

/** Each miner's stored progress in `epochId`: the last listing count and the number of updates. */
export async function storedSubmissions(
  url: string,
  epochId: string,
): Promise<Map<string, { listingsScraped: number; updates: number }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ hotkey: string; listings_scraped: number; updates: number }>(
      'select hotkey, listings_scraped, updates from submissions where epoch_id = $1',
      [epochId],
    );
    return new Map(rows.map((row) => [row.hotkey, { listingsScraped: row.listings_scraped, updates: row.updates }]));
  } finally {
    await client.end();
  }
}

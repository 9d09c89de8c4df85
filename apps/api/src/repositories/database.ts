import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from '../schema/index.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, for logs (never the password). */
  description: string;
  ping(): Promise<void>;
  /**
   * Runs `work` only if this process wins the cluster-wide lock `key` (a Postgres advisory lock
   * held for the work's duration); returns undefined when another replica holds it.
   */
  withLock<T>(key: number, work: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Advisory-lock keys: one number per kind of cluster-wide work. */
export const LOCK_KEYS = { migrations: 46_0001, scheduler: 46_0002 } as const;

/** Opens PostgreSQL when a URL is given, else embedded PGlite in `dataDir`; applies migrations. */
export async function openDatabase(options: {
  url?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number;
}): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // A client that loses its server (PostgreSQL stopped or restarted) must not crash the process:
  // an idle one is dropped by the pool, a checked-out one fails its query, which the request turns
  // into 503 SERVICE_UNAVAILABLE; the next query connects afresh.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzlePg(pool, { schema }) as unknown as Database;

  const withLock = async <T>(key: number, work: () => Promise<T>): Promise<T | undefined> => {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [key]);
      if (!rows[0]?.locked) return undefined;
      try {
        return await work();
      } finally {
        await client.query('select pg_advisory_unlock($1)', [key]);
      }
    } finally {
      client.release();
    }
  };

  // Replicas starting together must not run the same migration twice: serialise on a lock.
  const client = await pool.connect().catch((error: unknown) => {
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  });
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEYS.migrations]);
    await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEYS.migrations]);
  } finally {
    client.release();
  }

  return {
    db,
    kind: 'postgres',
    description: redactUrl(url),
    ping: async () => {
      await pool.query('select 1');
    },
    withLock,
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  let release = () => undefined as void;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
  }
  let client: PGlite;
  try {
    client = dataDir ? new PGlite(dataDir) : new PGlite();
    await client.waitReady;
    await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  // PGlite is one connection in one process: the process lock already makes us the only writer,
  // but take the advisory lock anyway so the code path is the one Postgres runs.
  const withLock = async <T>(key: number, work: () => Promise<T>): Promise<T | undefined> => {
    const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [key]);
    if (!result.rows[0]?.locked) return undefined;
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [key]);
    }
  };
  return {
    db,
    kind: 'pglite',
    description: dataDir ? `embedded PGlite in ${resolve(dataDir)}` : 'embedded PGlite in memory',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    withLock,
    close: async () => {
      await client.close();
      release();
    },
  };
}

/**
 * PGlite's files may only be open in one process. A lock file holding our PID guards the
 * directory; a lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, 'resi.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${resolve(dataDir)} is in use by process ${holder}. ` +
            'Stop that process first, or set DATABASE_URL to a PostgreSQL server so several processes can share state.',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${resolve(dataDir)}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export function databaseExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/** Seconds a client is told to wait (`Retry-After`) when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Node's socket errors and PostgreSQL's SQLSTATEs that mean "the server is not there", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '53300', // too_many_connections
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection closed',
  'not queryable',
];

/**
 * Whether `error` (or any error in its `cause` chain, as Drizzle wraps driver errors) says the
 * database cannot be reached right now: a connection refused, dropped or shut down, rather than a
 * query the database refused. Such a request is the server's fault and worth retrying.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    if (UNAVAILABLE_MESSAGES.some((fragment) => current instanceof Error && current.message.includes(fragment))) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

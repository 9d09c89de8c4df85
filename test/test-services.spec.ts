import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/test-services.sh', import.meta.url));
const DEFAULT_PG_PORT = 55432;
const DEFAULT_REDIS_PORT = 56379;

/** Listens on 127.0.0.1:port unless something already does; either way the port is taken afterwards. */
async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** What a shell does with `eval "$(scripts/test-services.sh start)"` under `set -e`, as .ci/run runs it. */
function evalStart(dir: string, env: Record<string, string> = {}) {
  return spawnSync(
    'bash',
    [
      '-c',
      `set -euo pipefail; eval "$('${SCRIPT}' start)"; echo "DB=$DATABASE_URL_TEST"; echo "REDIS=$REDIS_URL_TEST"`,
    ],
    { env: { ...process.env, RESI_TEST_SERVICES_DIR: dir, ...env }, encoding: 'utf8', timeout: 90_000 },
  );
}

const servicesMissing = (() => {
  const pg = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return pg ? undefined : 'PostgreSQL is not installed under /usr/lib/postgresql';
  } catch {
    return 'redis-server is not installed';
  }
})();

describe('scripts/test-services.sh', () => {
  let workDir: string;
  const held: Server[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'resi-test-services-'));
    // PostgreSQL runs as the postgres user when the script runs as root: it must reach the directory.
    chmodSync(workDir, 0o755);
    // The default ports are busy, as on a machine where another checkout's services run.
    for (const port of [DEFAULT_PG_PORT, DEFAULT_REDIS_PORT]) {
      const server = await occupy(port);
      if (server) held.push(server);
    }
  });

  afterAll(async () => {
    spawnSync(SCRIPT, ['stop'], { env: { ...process.env, RESI_TEST_SERVICES_DIR: join(workDir, 'auto') } });
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('fails loudly when a port it is told to use is taken: non-zero, a reason on stderr, and eval fails too', () => {
    const result = evalStart(join(workDir, 'taken'), { RESI_TEST_PG_PORT: String(DEFAULT_PG_PORT) });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`PostgreSQL port ${DEFAULT_PG_PORT} (RESI_TEST_PG_PORT) is already in use`);
    // Nothing after the eval ran: a following `npm test` would not run without its services.
    expect(result.stdout).not.toContain('DB=');
  });

  it('refuses a port that is not a number', () => {
    const result = spawnSync(SCRIPT, ['start'], {
      env: { ...process.env, RESI_TEST_SERVICES_DIR: join(workDir, 'nan'), RESI_TEST_REDIS_PORT: 'abc' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('RESI_TEST_REDIS_PORT=abc is not a port number');
    expect(result.stdout).toContain('false');
  });

  it.skipIf(servicesMissing !== undefined)(
    `picks free ports by itself when the default ones are taken${servicesMissing ? ` (skipped: ${servicesMissing})` : ''}`,
    () => {
      const result = evalStart(join(workDir, 'auto'));
      expect(result.stderr).toContain(`port ${DEFAULT_PG_PORT} is taken`);
      expect(result.status, result.stderr).toBe(0);
      const db = /DB=postgres:\/\/resi@127\.0\.0\.1:(\d+)\/resi_test/.exec(result.stdout);
      const redis = /REDIS=redis:\/\/127\.0\.0\.1:(\d+)/.exec(result.stdout);
      expect(Number(db?.[1])).not.toBe(DEFAULT_PG_PORT);
      expect(Number(redis?.[1])).not.toBe(DEFAULT_REDIS_PORT);
      // Both answer on the ports exported.
      expect(execFileSync('redis-cli', ['-p', redis![1]!, 'ping'], { encoding: 'utf8' }).trim()).toBe('PONG');
      const select = spawnSync('psql', [`postgres://resi@127.0.0.1:${db![1]}/resi_test`, '-tAc', 'select 41 + 1'], {
        encoding: 'utf8',
      });
      if (select.error === undefined) expect(select.stdout.trim()).toBe('42');
    },
    60_000,
  );
});

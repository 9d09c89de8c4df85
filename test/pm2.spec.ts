import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../apps/api/test/e2e/processes.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PM2 = join(REPO_ROOT, 'node_modules', 'pm2', 'bin', 'pm2');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * README "Running in production": `pm2 start ecosystem.config.cjs --only resi-api` starts the
 * built API under pm2 (in a private PM2_HOME, on a free port, embedded defaults), it answers
 * /healthcheck, and `pm2 delete` plus `pm2 kill` leave no process behind.
 */
describe('the API under pm2', () => {
  it('starts from ecosystem.config.cjs, answers /healthcheck, and is removed with its daemon', async () => {
    const home = mkdtempSync(join(tmpdir(), 'resi-pm2-'));
    const port = await freePort();
    const env = {
      ...process.env,
      PM2_HOME: join(home, 'pm2'),
      HOST: '127.0.0.1',
      PORT: String(port),
      RESI_HOME: join(home, 'resi'),
      RESI_LOG_DIR: join(home, 'logs'),
      // The ecosystem file runs with NODE_ENV=production, which requires the secret (README).
      ZIPCODE_SECRET: 'pm2-test-secret-0123456789abcdef',
    };
    // Who is registered: a file here; a real API reads subtensor (METAGRAPH_SOURCE=chain).
    mkdirSync(env.RESI_HOME, { recursive: true });
    writeFileSync(join(env.RESI_HOME, 'metagraph.json'), JSON.stringify({ netuid: 46, neurons: [] }));
    const pm2 = (...args: string[]) =>
      spawnSync(process.execPath, [PM2, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 30_000 });
    const pids: number[] = [];
    let leftBehind: number[] = [];
    try {
      const started = pm2('start', 'ecosystem.config.cjs', '--only', 'resi-api');
      expect(started.status, started.stderr + started.stdout).toBe(0);
      pids.push(Number(readFileSync(join(home, 'pm2', 'pm2.pid'), 'utf8')));

      const url = `http://127.0.0.1:${port}/healthcheck`;
      const deadline = Date.now() + 60_000;
      let health: { status?: string; service?: string } | undefined;
      while (Date.now() < deadline && !health) {
        health = await fetch(url)
          .then((response) => (response.ok ? (response.json() as Promise<typeof health>) : undefined))
          .catch(() => undefined);
        if (!health) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const logs = () =>
        ['out', 'err']
          .map((kind) => join(home, 'logs', `resi-api.${kind}.log`))
          .filter((path) => existsSync(path))
          .map((path) => readFileSync(path, 'utf8'))
          .join('\n');
      expect(health, `no answer from ${url}; pm2 logs:\n${logs()}`).toMatchObject({ status: 'ok' });

      const listed = JSON.parse(pm2('jlist').stdout) as {
        name: string;
        pid: number;
        pm2_env: { status: string; kill_timeout: number; restart_time: number };
      }[];
      expect(listed.map((app) => [app.name, app.pm2_env.status])).toEqual([['resi-api', 'online']]);
      expect(listed[0]!.pm2_env.restart_time).toBe(0);
      // Above the programs' own shutdown bound (RESI_SHUTDOWN_TIMEOUT, 20 s by default).
      expect(listed[0]!.pm2_env.kill_timeout).toBeGreaterThan(20_000);
      pids.push(listed[0]!.pid);

      expect(pm2('delete', 'resi-api').status).toBe(0);
      expect(
        await fetch(url).then(
          () => 'answered',
          () => 'refused',
        ),
      ).toBe('refused');
    } finally {
      pm2('kill');
      // The daemon exits just after `pm2 kill` returns; anything still there after 5 s is a leak.
      const deadline = Date.now() + 5_000;
      while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      leftBehind = pids.filter(alive);
      for (const pid of leftBehind) process.kill(pid, 'SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
    expect(leftBehind).toEqual([]);
  }, 90_000);
});

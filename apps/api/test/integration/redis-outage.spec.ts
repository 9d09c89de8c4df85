import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/processes.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from '../test-api.js';

const redisMissing = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'redis-server is not installed: scripts/test-services.sh installs it';
  }
})();

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not reached in time');
}

/** Redis goes away mid-run: the API keeps serving on process memory, says so, and recovers. */
describe.skipIf(redisMissing !== undefined)(`Redis outage${redisMissing ? ` (skipped: ${redisMissing})` : ''}`, () => {
  let sut: TestApi;
  let redis: ChildProcess;
  let port: number;
  let miner: TestIdentity;

  const health = async () =>
    (await sut.inject({ method: 'GET', url: '/healthcheck' })).json<{ status: string; redis: { status: string } }>();
  const current = () => {
    const ts = Math.floor(sut.clock.now().getTime() / 1000);
    return sut.inject({
      method: 'GET',
      url: '/api/v1/zipcode-assignments/current',
      query: { hotkey: miner.hotkey, signature: miner.sign(`zipcode:assignment:current:${ts}`), timestamp: String(ts) },
    });
  };

  beforeAll(async () => {
    port = await freePort();
    redis = startRedis(port);
    miner = await makeIdentity();
    await new Promise((r) => setTimeout(r, 300));
    sut = await createTestApi({
      now: new Date(),
      neurons: [neuronOf(miner, 1)],
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '1000' },
    });
  });
  afterAll(async () => {
    await sut.close();
    redis.kill('SIGKILL');
  });

  it('serves through the outage with degraded health, and recovers when Redis returns', async () => {
    expect(await health()).toMatchObject({ status: 'ok', redis: { status: 'ok' } });
    expect((await current()).statusCode).toBe(200);

    redis.kill('SIGKILL');
    await until(async () => (await health()).redis.status === 'degraded');
    expect((await health()).status).toBe('degraded');
    const during = await current();
    expect(during.statusCode).toBe(200);
    expect(during.headers['x-ratelimit-limit']).toBe('1000');

    redis = startRedis(port);
    await until(async () => (await health()).status === 'ok', 20_000);
    expect((await current()).statusCode).toBe(200);
  }, 60_000);
});

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboardEpochResponseSchema } from '@resi/core';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type RunningProgram, freePort, startResi, waitForHttp } from '../../api/test/e2e/processes.js';
import { hasChromium, launchChromium } from '../../web/test/chromium.test-utils.js';
import { MINERS, expectFirstLeaderboard, leaderboard } from './devnet-leaderboard.test-utils.js';

/**
 * `resi devnet` as a newcomer runs it (`npm start`), with one-minute epochs: the real API, market
 * simulator, honest and misbehaving miners and two validators as separate processes (the copier and
 * the adversaries that know the protocol in-process). The first epoch's leaderboard must catch every
 * cheat, pay the copier and the extra sybils nothing, and never flag an honest miner; the dashboard
 * shows the devnet in Chromium; Ctrl-C stops everything and a second start resumes the same devnet.
 */

const ARTIFACTS = join(REPO_ROOT, 'artifacts', 'dashboard');
const WEB_ROOT = join(REPO_ROOT, 'apps', 'web');

async function waitFor<T>(what: string, program: RunningProgram, probe: () => T | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    if (program.child.exitCode !== null)
      throw new Error(`devnet exited while waiting for ${what}:\n${program.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no ${what} within ${timeoutMs / 1000} s:\n${program.output()}`);
}

describe('resi devnet, end to end', { timeout: 420_000 }, () => {
  let home: string;
  let devnet: RunningProgram | undefined;
  let browser: Browser | undefined;
  let url: string;
  let port: number;

  beforeAll(async () => {
    if (!existsSync(join(WEB_ROOT, 'dist', 'index.html'))) await build({ root: WEB_ROOT, logLevel: 'warn' });
    home = mkdtempSync(join(tmpdir(), 'resi-devnet-e2e-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await devnet?.stop('SIGINT');
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const start = () => startResi(['devnet', '--epoch', '1', '--port', String(port)], { RESI_HOME: home });

  it("catches every cheat and credits the copier and extra sybils nothing in the first epoch's leaderboard, never flags an honest miner, the validators agreeing", async () => {
    devnet = start();
    await waitForHttp(`${url}/healthcheck`, devnet);
    const firstEpoch = await waitFor(
      'start-up',
      devnet,
      () => /the first leaderboard is epoch (\S+)'s/.exec(devnet!.output())?.[1],
      90_000,
    );
    await waitFor('first leaderboard', devnet, () => leaderboard(devnet!.output(), firstEpoch), 240_000);

    expectFirstLeaderboard(devnet.output(), firstEpoch);
    // Every narration line names its epoch; the late miner's freeze and thaw both name the epoch it collected.
    const narration = devnet
      .output()
      .split('\n')
      .filter((line) => line.startsWith('[devnet]'));
    expect(narration.length).toBeGreaterThan(0);
    for (const line of narration) expect(line).toMatch(/^\[devnet\] \[epoch \d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\] /);
    expect(devnet.output()).toMatch(/\[epoch \S+\] devnet-crasher killed \(SIGKILL\) mid-collection/);
    const frozen = new RegExp(`^\\[devnet\\] \\[epoch ${firstEpoch}\\] devnet-late frozen \\(SIGSTOP\\)`, 'm');
    const thawed = new RegExp(`^\\[devnet\\] \\[epoch ${firstEpoch}\\] devnet-late thawed \\(SIGCONT\\)`, 'm');
    expect(devnet.output()).toMatch(frozen);
    expect(devnet.output()).toMatch(thawed);
  });

  it.skipIf(!hasChromium)('shows the devnet on the dashboard in Chromium', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${url}/`);
    await page.locator('#countdown').filter({ hasText: /\d+s$/ }).waitFor();
    const first = await page.locator('#countdown').textContent();
    await expect.poll(() => page.locator('#countdown').textContent(), { timeout: 10_000 }).not.toBe(first);

    const current = dashboardEpochResponseSchema.parse(
      await (await fetch(`${url}/api/v1/dashboard/epochs/current`)).json(),
    );
    const located = current.zipcodes.filter((z) => z.lat !== null).length;
    expect(located).toBeGreaterThan(0);
    const poll = { timeout: 20_000, interval: 250 };
    await expect.poll(() => page.locator('svg.map circle.dot').count(), poll).toBe(located);
    await expect.poll(() => page.locator('#scores tbody tr').count(), poll).toBe(MINERS.length);
    expect(await page.locator('#scores tr.caught').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('honeypot')]),
    );
    expect(await page.locator('#consensus').textContent()).toContain('100% of 2 validators agree');
    await page.screenshot({ path: join(ARTIFACTS, 'devnet.png'), fullPage: true });
  });

  it('stops cleanly on Ctrl-C, and a second start resumes the same devnet', async () => {
    const before = devnet!.output();
    const hotkeys = [...before.matchAll(/^ {2}(devnet-\S+)\s+\S+\s+hotkey (\w+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(hotkeys).toHaveLength(MINERS.length + 2);
    const firstEpoch = /the first leaderboard is epoch (\S+)'s/.exec(before)![1]!;
    const epochAt = async () =>
      dashboardEpochResponseSchema.parse(await (await fetch(`${url}/api/v1/dashboard/epochs/${firstEpoch}`)).json());
    const epochBefore = await epochAt();

    const stopped = Date.now();
    expect(await devnet!.stop('SIGINT')).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(20_000);
    expect(devnet!.output()).toContain(`stopped; \`npm start -- --port ${port}\` resumes this devnet`);

    devnet = start();
    await waitForHttp(`${url}/healthcheck`, devnet);
    await waitFor('programs', devnet, () => (/programs started/.test(devnet!.output()) ? true : undefined), 60_000);
    const after = devnet.output();
    const hotkeysAfter = [...after.matchAll(/^ {2}(devnet-\S+)\s+\S+\s+hotkey (\w+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(hotkeysAfter).toEqual(hotkeys);
    expect(after).not.toContain('join at the next');
    // It says it resumed: over which state, with which wallets, and where the miners carry on.
    const resumed =
      /^\[devnet\] \[epoch (\S+)\] resumed the devnet in (\S+): (\d+) wallets reused \(([^)]*)\)(.*)$/m.exec(after);
    expect(resumed, 'the resumed line').not.toBeNull();
    expect(resumed![2]).toBe(home);
    expect(Number(resumed![3])).toBe(hotkeys.length);
    expect(resumed![4]!.split(', ').sort()).toEqual(hotkeys.map((h) => h.split(' ')[0]).sort());
    expect(resumed![5]).toMatch(/miners carry on from their state: .*devnet-miner-1.* last worked on epoch \S+/);
    expect(resumed![1]! >= firstEpoch).toBe(true);
    expect(before).not.toContain('resumed the devnet');
    // The epoch and its assignment survive the restart unchanged.
    const epochAfter = await epochAt();
    expect(epochAfter.epoch).toEqual(epochBefore.epoch);
    expect(epochAfter.zipcodes).toEqual(epochBefore.zipcodes);
  });
});

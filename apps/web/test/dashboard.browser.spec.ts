import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardEpochResponseSchema, type EpochScoringContext, type MinerEvidence, type Neuron } from '@resi/core';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  DAVE,
  EVE,
  listings,
  miner,
  audited,
} from '../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { publishResultsFile, resultsFileFor } from '../../api/test/published-results.test-utils.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi } from '../../api/test/test-api.js';
import { ClockRepository } from '../../api/src/repositories/clock.repository.js';
import { EpochRepository } from '../../api/src/repositories/epoch.repository.js';
import { SubmissionRepository } from '../../api/src/repositories/submission.repository.js';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.test-utils.js';

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/dashboard/', import.meta.url));
/** The machine may be busy (CI shares two cores): generous waits, each still bounded. */
const POLL = { timeout: 20_000, interval: 200 };
if (!hasChromium) console.warn(`dashboard browser test SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Real time, shifted: the page's countdown moves, and the test can jump past the epoch's end. */
class ShiftedClock extends ClockRepository {
  offsetMs = 0;
  constructor(start: Date) {
    super();
    this.offsetMs = start.getTime() - Date.now();
  }
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

// Ten-minute epochs: 17:00–17:10, grace one minute, validation five.
const EPOCH = '2025-10-01T17-00-00';
const EPOCH_START = new Date('2025-10-01T17:00:00Z');
const SHORT_EPOCHS = {
  EPOCH_DURATION_MINUTES: '10',
  EPOCH_PENDING_LEAD_MINUTES: '2',
  EPOCH_GRACE_MINUTES: '1',
  EPOCH_VALIDATION_WINDOW_MINUTES: '5',
  // The page polls every second here; the default per-IP budget suits a page polling every 5 s.
  RATE_LIMIT_STATS_PER_MINUTE: '1000',
};

const minerNeuron = (hotkey: string, uid: number): Neuron => ({
  uid,
  hotkey,
  coldkey: hotkey,
  validatorPermit: false,
  stake: 1,
});

describe.skipIf(!hasChromium)(`dashboard in Chromium (${CHROMIUM})`, { timeout: 120_000 }, () => {
  let sut: TestApi;
  let clock: ShiftedClock;
  let browser: Browser;
  let page: Page;
  let url: string;
  let validatorHotkeys: string[];
  let labelsDir: string;

  beforeAll(async () => {
    // The page under test is the current source, built exactly as `npm run build` builds it.
    await build({ root: WEB_ROOT, logLevel: 'warn' });
    mkdirSync(ARTIFACTS, { recursive: true });
    const validators = await Promise.all([makeIdentity(), makeIdentity()]);
    validatorHotkeys = validators.map((v) => v.hotkey);
    clock = new ShiftedClock(new Date(EPOCH_START.getTime() + 60_000));
    // The operator's label file, read by the real API at start.
    labelsDir = mkdtempSync(join(tmpdir(), 'resi-labels-'));
    const labelsFile = join(labelsDir, 'labels.json');
    writeFileSync(labelsFile, JSON.stringify({ [ALICE]: 'Acme Mining (EU)', [BOB]: 'bob-lab' }));
    sut = await createTestApi({
      now: EPOCH_START,
      neurons: [
        ...validators.map((v, i) => neuronOf(v, i, true)),
        minerNeuron(ALICE, 11),
        minerNeuron(BOB, 12),
        minerNeuron(DAVE, 13),
        minerNeuron(EVE, 14),
      ],
      env: { ...SHORT_EPOCHS, LABELS_FILE: labelsFile },
      overrides: { clock },
    });
    await sut.app.listen(0, '127.0.0.1');
    url = await sut.app.getUrl();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await sut?.close();
    if (labelsDir) rmSync(labelsDir, { recursive: true, force: true });
  });

  const currentEpoch = async () =>
    dashboardEpochResponseSchema.parse(
      (await sut.inject({ method: 'GET', url: '/api/v1/dashboard/epochs/current' })).json(),
    );

  it('loads, counts down, and draws every assigned zipcode without revealing honeypots', async () => {
    const epoch = await currentEpoch();
    expect(epoch.epoch.id).toBe(EPOCH);
    const submissions = sut.app.get(SubmissionRepository);
    for (const [i, hotkey] of [ALICE, BOB, DAVE].entries()) {
      await submissions.recordStatus({
        epochId: EPOCH,
        hotkey,
        status: i === 0 ? 'COMPLETED' : 'IN_PROGRESS',
        listingsScraped: 100 * (3 - i),
        s3UploadComplete: i === 0,
        zipcodes: epoch.zipcodes
          .slice(0, 3 - i)
          .map((z) => ({ zipcode: z.zipcode, listingsScraped: 10, completedAt: clock.now() })),
        at: clock.now(),
      });
    }

    const started = performance.now();
    await page.goto(`${url}/?refresh=1`);
    await page.locator('#countdown').filter({ hasText: /\d+s$/ }).waitFor();
    const loadMs = performance.now() - started;
    expect(await page.locator('#phase').textContent()).toBe('ACTIVE');
    expect(await page.title()).toContain('resi');

    const first = await page.locator('#countdown').textContent();
    await page.waitForTimeout(2_100);
    const later = await page.locator('#countdown').textContent();
    expect(later).not.toBe(first);
    expect(seconds(later!)).toBeLessThan(seconds(first!));

    const located = epoch.zipcodes.filter((z) => z.lat !== null).length;
    expect(located).toBeGreaterThan(0);
    await expect.poll(() => page.locator('svg.map circle.dot').count(), POLL).toBe(located);
    expect(await page.locator('svg.map circle.honeypot').count()).toBe(0);
    await expect.poll(() => page.locator('#miners tbody tr').count(), POLL).toBe(3);
    expect(await page.locator('#miners').textContent()).toContain('#11');
    expect(await page.locator('#health-status').textContent()).toMatch(/ok|degraded/);

    // Alice by the operator's label, beside her uid and short hotkey; the full hotkey on hover.
    const alice = page.locator('#miners tbody tr', { hasText: '#11' }).locator('.miner-tag');
    expect(await alice.locator('.label').textContent()).toBe('Acme Mining (EU)');
    expect(await alice.locator('.uid').textContent()).toBe('#11');
    expect(await alice.locator('.hotkey').textContent()).toBe(`${ALICE.slice(0, 4)}…${ALICE.slice(-4)}`);
    expect(await alice.locator('.hotkey').getAttribute('title')).toBe(ALICE);
    // A miner without a label shows no label; every hotkey shown has its copy button.
    expect(await page.locator('#miners tbody tr', { hasText: '#13' }).locator('.label').count()).toBe(0);
    expect(await page.locator('#miners .hotkey').count()).toBe(3);
    expect(await page.locator('#miners button.copy').count()).toBe(3);

    await page.screenshot({ path: `${ARTIFACTS}active.png`, fullPage: true });
    console.log(`dashboard: first paint with data in ${Math.round(loadMs)} ms`);
  });

  it('after the epoch: fills consensus, scores and the leaderboard, and marks honeypots on the map', async () => {
    // Jump past the end and the grace period: the epoch is COMPLETED, a new one is current.
    clock.offsetMs += 11 * 60_000;
    const finished = dashboardEpochResponseSchema.parse(
      (await sut.inject({ method: 'GET', url: `/api/v1/dashboard/epochs/${EPOCH}` })).json(),
    );
    expect(finished.epoch.status).toBe('COMPLETED');
    // The dashboard never tells honeypots apart; the test learns them from the API's own rows.
    const flags = new Map(
      (await sut.app.get(EpochRepository).findZipcodes(EPOCH)).map((z) => [z.zipcode, z.isHoneypot]),
    );
    const honeypots = finished.zipcodes.filter((z) => flags.get(z.zipcode) === true);
    const real = finished.zipcodes.filter((z) => flags.get(z.zipcode) === false);
    expect(honeypots.length).toBeGreaterThan(0);

    const context: EpochScoringContext = {
      epochId: EPOCH,
      nonce: '0123456789abcdef',
      epochStartMs: Date.parse(finished.epoch.startTime),
      submissionDeadlineMs: Date.parse(finished.epoch.submissionDeadline),
      graceEndMs: Date.parse(finished.epoch.graceEnd),
      zipcodes: finished.zipcodes.map((z) => ({
        zipcode: z.zipcode,
        expectedListings: z.expectedListings,
        isHoneypot: flags.get(z.zipcode) === true,
      })),
      audit: { seed: 'c'.repeat(64), zipcodes: [], trueCounts: new Map(), abstention: null },
    };
    const uploadedAt = context.epochStartMs + 5 * 60_000;
    const honest = Object.fromEntries(real.map((z) => [z.zipcode, z.expectedListings]));
    const evidence: MinerEvidence[] = [
      miner(ALICE, 11, { uploadedAtMs: uploadedAt, listings: listings({ credited: honest }), audit: audited(40, 40) }),
      miner(BOB, 12, {
        uploadedAtMs: uploadedAt + 60_000,
        listings: listings({ credited: { [real[0]!.zipcode]: Math.ceil(real[0]!.expectedListings / 2) } }),
        audit: audited(10, 9),
      }),
      miner(DAVE, 13, {
        uploadedAtMs: uploadedAt,
        listings: listings({
          credited: { [real[1]!.zipcode]: real[1]!.expectedListings },
          rowsByZipcode: new Map([
            [real[1]!.zipcode, real[1]!.expectedListings],
            [honeypots[0]!.zipcode, 25],
          ]),
          rows: real[1]!.expectedListings + 25,
        }),
        audit: audited(10, 10),
      }),
    ];
    for (const validator of validatorHotkeys) {
      await publishResultsFile(sut.deps.storage, resultsFileFor(context, evidence, validator));
    }

    await expect.poll(() => page.locator('#scores tbody tr').count(), POLL).toBe(3);
    expect(await page.locator('#consensus').textContent()).toContain('100% of 2 validators agree');
    expect(await page.locator('#scores tbody tr').first().textContent()).toContain('#11');
    expect(await page.locator('#scores tr.caught').textContent()).toContain('honeypot');
    // Real zipcodes only: nothing public singles honeypots out, not even after the epoch.
    expect(await page.locator('#leaderboard tbody tr').count()).toBe(real.length);
    for (const honeypot of honeypots)
      expect(await page.locator('#leaderboard').textContent()).not.toContain(honeypot.zipcode);
    expect(await page.locator('#phase').textContent()).toBe('ACTIVE'); // the next epoch runs meanwhile

    // Neither the live epoch's map nor the finished epoch's marks honeypots.
    await page.locator('#map-finished').click();
    await expect
      .poll(() => page.locator('svg.map circle.dot').count(), POLL)
      .toBe(finished.zipcodes.filter((z) => z.lat !== null).length);
    expect(await page.locator('svg.map').innerHTML()).not.toContain('HONEYPOT');
    await page.screenshot({ path: `${ARTIFACTS}results.png`, fullPage: true });
    // On a laptop the recent epochs, ids and all five columns, fit their card without scrolling.
    const recentHidden = await page.evaluate<number>(
      "(() => { const s = document.querySelector('#recent .scroll'); return s.scrollWidth - s.clientWidth; })()",
    );
    expect(recentHidden).toBeLessThanOrEqual(0);
    const plain = await sut.inject({ method: 'GET', url: '/api/v1/dashboard/overview' });
    const gzipped = await sut.inject({
      method: 'GET',
      url: '/api/v1/dashboard/overview',
      headers: { 'accept-encoding': 'gzip' },
    });
    const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
    console.log(
      `dashboard: one poll is ${kB(plain.rawPayload.length)} of JSON, ${kB(gzipped.rawPayload.length)} gzipped (${finished.zipcodes.length} zipcodes, 3 scored miners)`,
    );

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    // A string: this file is type-checked for Node, the expression runs in the page.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}phone.png`, fullPage: true });
  });

  it('copies the full hotkey: through the Clipboard API, and through the fallback where it is missing', async () => {
    const context = page.context();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    await page.setViewportSize({ width: 1360, height: 900 });
    const copy = page.getByRole('button', { name: `Copy hotkey ${BOB}` }).first();
    await copy.click();
    await expect.poll(() => copy.textContent(), POLL).toBe('copied');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(BOB);

    // No Clipboard API (an old browser, a plain-http page): the selected-text fallback copies it.
    const bare = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await bare.addInitScript(
      "Object.defineProperty(navigator, 'clipboard', { value: undefined }); window.__copied = []; " +
        "document.addEventListener('copy', () => window.__copied.push(String(document.getSelection())));",
    );
    await bare.goto(`${url}/?refresh=1`);
    const fallback = bare.getByRole('button', { name: `Copy hotkey ${ALICE}` }).first();
    await fallback.click();
    await expect.poll(() => fallback.textContent(), POLL).toBe('copied');
    expect(await bare.evaluate<string[]>('window.__copied')).toEqual([ALICE]);
    await bare.close();
  });
});

/** `4m 02s` → 242. */
function seconds(text: string): number {
  const parts = /(?:(\d+)h )?(?:(\d+)m )?(\d+)s/.exec(text);
  if (!parts) throw new Error(`not a countdown: ${text}`);
  return Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3]);
}

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevWallet, readListingsParquet } from '@resi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningProgram, startResi } from '../../api/test/e2e/processes.js';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../../packages/client/src/testing/http-fixture-server.test-utils.js';
import { sampleListing } from '../../../packages/sources/src/testing/listing-fixtures.test-utils.js';
import {
  realtorResult,
  realtorSearchPage,
  realtorSuggestion,
} from '../../../packages/sources/src/testing/market-fixtures.test-utils.js';
import { type ProtocolDouble, startProtocolDouble } from '../src/testing/protocol-double.test-utils.js';
import { assignmentFixture } from '../src/testing/protocol-fixtures.test-utils.js';
import { waitFor } from './miner-process.js';

/**
 * The built `resi miner` stopped by SIGTERM, as pm2 and systemd stop it: mid-upload it finishes
 * the upload and exits 0; mid-collection it stops at once and exits 0; an upload that outlasts
 * the shutdown timeout is abandoned with exit 1. Each time it says what it did, and the restart
 * ends the epoch with every listing uploaded once, no file sent twice that was stored, and
 * COMPLETED reported once.
 */

const EPOCH_ID = '2025-10-01T16-00-00';
const ZIPCODES = ['19101', '19102', '19103', '19104', '19105', '19106'];
const PER_ZIPCODE = 300;

let dir: string;
let double: ProtocolDouble | undefined;
let market: FixtureServer | undefined;
const programs: RunningProgram[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resi-sigterm-'));
});
afterEach(async () => {
  for (const program of programs.splice(0)) await program.stop('SIGKILL');
  await double?.close();
  await market?.close();
  double = undefined;
  market = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setUp(): Promise<{ env: Record<string, string>; stateDir: string; hotkey: string }> {
  const wallet = await createDevWallet({ path: join(dir, 'wallets'), name: 'sigterm-miner', hotkey: 'default' });
  const now = Date.now();
  const assignment = assignmentFixture({
    epochId: EPOCH_ID,
    zipcodes: ZIPCODES,
    start: new Date(now - 60_000),
    end: new Date(now + 3_600_000),
  });
  double = await startProtocolDouble({ assignment, hotkeys: [wallet.hotkeyAddress] });
  const stateDir = join(dir, 'state');
  return {
    stateDir,
    hotkey: wallet.hotkeyAddress,
    env: {
      RESI_API_URL: double.url,
      RESI_MINER_STATE: stateDir,
      RESI_MINER_POLL: '1',
      RESI_SOURCE_RPM: '0',
      RESI_SOURCE_CONCURRENCY: '1',
      RESI_LOG_FORMAT: 'json',
      BT_WALLET_PATH: join(dir, 'wallets'),
      BT_WALLET_NAME: 'sigterm-miner',
      BT_WALLET_HOTKEY: 'default',
    },
  };
}

async function fileFeed(env: Record<string, string>): Promise<Record<string, string>> {
  const feed = join(dir, 'feed.json');
  const listings = ZIPCODES.flatMap((zipcode) =>
    Array.from({ length: PER_ZIPCODE }, (_, index) => sampleListing(zipcode, index)),
  );
  await writeFile(feed, JSON.stringify(listings));
  return { ...env, RESI_MINER_SOURCE: 'file', RESI_FILE_PATH: feed };
}

function start(env: Record<string, string>): RunningProgram {
  const program = startResi(['miner'], env);
  programs.push(program);
  return program;
}

/** The log's messages, in order (JSON lines). */
function messages(program: RunningProgram): string[] {
  return program
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg?: string; message?: string }).msg ?? '');
}

async function expectOneCompleteUpload(hotkey: string): Promise<void> {
  const prefix = `data/hotkey=${hotkey}/epoch=${EPOCH_ID}/`;
  expect([...double!.objects.keys()].sort()).toEqual([`${prefix}listings.parquet`, `${prefix}metadata.json`]);
  const { rows } = await readListingsParquet(new Uint8Array(double!.objects.get(`${prefix}listings.parquet`)!));
  expect(rows).toHaveLength(ZIPCODES.length * PER_ZIPCODE);
  expect(new Set(rows.map((row) => row.mls_id)).size).toBe(rows.length);
  const statuses = double!.statuses as { status: string; s3UploadComplete: boolean }[];
  expect(statuses.filter((status) => status.status === 'COMPLETED')).toHaveLength(1);
  expect(statuses.at(-1)).toMatchObject({ status: 'COMPLETED', s3UploadComplete: true });
}

describe('resi miner on SIGTERM', () => {
  it('mid-upload: finishes the upload, says so, exits 0; the restart reports COMPLETED without sending again', async () => {
    const { env, hotkey } = await setUp();
    const fileEnv = await fileFeed(env);
    double!.writeDelayMs = 1_500;
    const first = start(fileEnv);
    await waitFor(
      () => double!.writes.length > 0,
      60_000,
      () => first.output(),
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain(
      `received SIGTERM: finishing the upload of epoch ${EPOCH_ID} (listings.parquet, metadata.json; 0 of 2 files stored); ` +
        'COMPLETED is reported on restart, then stopping',
    );
    expect(messages(first).slice(-2)).toEqual(['upload complete', 'miner stopped']);
    expect(double!.writes.map((write) => write.answered)).toEqual([true, true]);
    expect(double!.statuses.some((status) => status.status === 'COMPLETED')).toBe(false);

    double!.writeDelayMs = 0;
    const second = start({ ...fileEnv, RESI_MINER_ONCE: 'true' });
    expect(await second.exited).toBe(0);
    expect(double!.writes).toHaveLength(2);
    await expectOneCompleteUpload(hotkey);
  }, 90_000);

  it('mid-collection: stops at once, says what is kept, exits 0; the restart collects only the rest', async () => {
    const { env, stateDir, hotkey } = await setUp();
    const firstPages: string[] = [];
    market = await startFixtureServer(async (request, response) => {
      if (request.url.pathname === '/suggest')
        return sendJson(response, 200, realtorSuggestion(request.url.searchParams.get('input') ?? ''));
      const { postal_code: zipcode, offset } = (
        JSON.parse(request.body.toString()) as { variables: { postal_code: string; offset: number } }
      ).variables;
      if (offset === 0) firstPages.push(zipcode);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const all = Array.from({ length: PER_ZIPCODE }, (_, index) => realtorResult(zipcode, index));
      sendJson(response, 200, realtorSearchPage(all.length, all.slice(offset, offset + 200)));
    });
    const sourceEnv = {
      ...env,
      RESI_MINER_SOURCE: 'realtor',
      RESI_REALTOR_URL: `${market.url}/graphql`,
      RESI_REALTOR_SUGGEST_URL: `${market.url}/suggest`,
      RESI_REALTOR_SOLD_DAYS: '0',
    };
    const saved = async () =>
      (await readdir(join(stateDir, 'epochs', EPOCH_ID, 'zipcodes')).catch(() => [] as string[]))
        .filter((name) => /^\d{5}\.json$/.test(name))
        .map((name) => name.slice(0, 5));

    const first = start(sourceEnv);
    await waitFor(
      async () => (await saved()).length >= 2,
      60_000,
      () => first.output(),
    );
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    const kept = await saved();
    expect(kept.length).toBeLessThan(ZIPCODES.length);
    expect(first.output()).toMatch(
      new RegExp(
        `received SIGTERM: stopping the collection of epoch ${EPOCH_ID}: ${kept.length} finished zipcodes are saved, ` +
          'the 1 in flight \\(\\d{5}\\) are collected again on restart, then stopping',
      ),
    );
    expect(double!.writes).toEqual([]);

    const second = start({ ...sourceEnv, RESI_MINER_ONCE: 'true' });
    expect(await second.exited).toBe(0);
    for (const zipcode of kept) expect(firstPages.filter((page) => page === zipcode)).toHaveLength(1);
    await expectOneCompleteUpload(hotkey);
    expect(double!.writes.map((write) => write.key.split('/').at(-1))).toEqual(['listings.parquet', 'metadata.json']);
  }, 90_000);

  it('an upload that outlasts the shutdown timeout is abandoned with exit 1, and the restart sends it', async () => {
    const { env, hotkey } = await setUp();
    const fileEnv = await fileFeed({ ...env, RESI_SHUTDOWN_TIMEOUT: '1' });
    double!.holdWrites = true;
    const first = start(fileEnv);
    await waitFor(
      () => double!.writes.length > 0,
      60_000,
      () => first.output(),
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(1);
    expect(first.output()).toContain(
      `not stopped 1 s after SIGTERM: stopping now, abandoning the upload of epoch ${EPOCH_ID} (0 of 2 files stored); ` +
        'a restart sends the files not yet stored, byte-identical',
    );

    double!.holdWrites = false;
    const second = start({ ...fileEnv, RESI_MINER_ONCE: 'true' });
    expect(await second.exited).toBe(0);
    await expectOneCompleteUpload(hotkey);
    expect(double!.writes.filter((write) => write.answered)).toHaveLength(2);
  }, 90_000);
});

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevWallet, readListingsParquet, sha256Hex } from '@resi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
import { type MinerProcess, spawnMiner, waitFor } from './miner-process.js';

/**
 * Kill -9 the miner while it collects and while it uploads, start it again, and check that the
 * epoch ends with the same upload an uninterrupted run makes: every listing once, no zipcode
 * collected twice, no file changed between attempts, COMPLETED reported once.
 */

const ZIPCODES = ['19101', '19102', '19103', '19104', '19105', '19106'];
const PER_ZIPCODE = 300;

let dir: string;
let double: ProtocolDouble | undefined;
let market: FixtureServer | undefined;
const children: MinerProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resi-crash-'));
});
afterEach(async () => {
  for (const miner of children.splice(0)) miner.child.kill('SIGKILL');
  await double?.close();
  await market?.close();
  double = undefined;
  market = undefined;
  await rm(dir, { recursive: true, force: true });
});

function activeAssignment() {
  const now = Date.now();
  return assignmentFixture({
    epochId: '2025-10-01T16-00-00',
    zipcodes: ZIPCODES,
    start: new Date(now - 60_000),
    end: new Date(now + 3_600_000),
  });
}

async function setUp(): Promise<{ env: Record<string, string>; stateDir: string }> {
  const wallet = await createDevWallet({ path: join(dir, 'wallets'), name: 'crash-miner', hotkey: 'default' });
  const assignment = activeAssignment();
  double = await startProtocolDouble({ assignment, hotkeys: [wallet.hotkeyAddress] });
  const stateDir = join(dir, 'state');
  return {
    stateDir,
    env: {
      RESI_API_URL: double.url,
      RESI_MINER_STATE: stateDir,
      RESI_MINER_ONCE: 'true',
      RESI_MINER_POLL: '1',
      RESI_SOURCE_RPM: '0',
      RESI_SOURCE_CONCURRENCY: '1',
      BT_WALLET_PATH: join(dir, 'wallets'),
      BT_WALLET_NAME: 'crash-miner',
      BT_WALLET_HOTKEY: 'default',
    },
  };
}

function start(env: Record<string, string>): MinerProcess {
  const miner = spawnMiner(env);
  children.push(miner);
  return miner;
}

async function finishedZipcodes(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'epochs', '2025-10-01T16-00-00', 'zipcodes'))).filter((name) =>
      /^\d{5}\.json$/.test(name),
    );
  } catch {
    return [];
  }
}

async function expectOneCompleteUpload(hotkey: string): Promise<Uint8Array> {
  const prefix = `data/hotkey=${hotkey}/epoch=2025-10-01T16-00-00/`;
  expect([...double!.objects.keys()].sort()).toEqual([`${prefix}listings.parquet`, `${prefix}metadata.json`]);
  const parquet = new Uint8Array(double!.objects.get(`${prefix}listings.parquet`)!);
  const { rows } = await readListingsParquet(parquet);
  expect(rows).toHaveLength(ZIPCODES.length * PER_ZIPCODE);
  expect(new Set(rows.map((row) => row.mls_id)).size).toBe(rows.length);
  const metadata = JSON.parse(double!.objects.get(`${prefix}metadata.json`)!.toString()) as {
    files: Record<string, { sha256: string; rows: number }>;
  };
  expect(metadata.files['listings.parquet']).toMatchObject({ sha256: sha256Hex(parquet), rows: rows.length });
  const statuses = double!.statuses as { status: string; s3UploadComplete: boolean }[];
  expect(statuses.filter((status) => status.status === 'COMPLETED')).toHaveLength(1);
  expect(statuses.at(-1)).toMatchObject({ status: 'COMPLETED', s3UploadComplete: true });
  return parquet;
}

describe('crash recovery (SIGKILL, restart)', () => {
  it('killed while collecting: resumes without collecting finished zipcodes again, uploads everything once', async () => {
    const { env, stateDir } = await setUp();
    const firstPages: string[] = [];
    market = await startFixtureServer(async (request, response) => {
      if (request.url.pathname === '/suggest') {
        return sendJson(response, 200, realtorSuggestion(request.url.searchParams.get('input') ?? ''));
      }
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

    const first = start(sourceEnv);
    await waitFor(async () => (await finishedZipcodes(stateDir)).length >= 2, 60_000, first.output);
    first.child.kill('SIGKILL');
    await first.exited;
    const finishedBeforeKill = (await finishedZipcodes(stateDir)).map((name) => name.slice(0, 5));
    expect(finishedBeforeKill.length).toBeLessThan(ZIPCODES.length);
    expect(double!.writes).toEqual([]);

    const second = start(sourceEnv);
    expect(await second.exited).toBe(0);
    for (const zipcode of finishedBeforeKill) expect(firstPages.filter((page) => page === zipcode)).toHaveLength(1);
    const hotkey = (double!.statuses[0] as { hotkey: string }).hotkey;
    await expectOneCompleteUpload(hotkey);
    expect(double!.writes.map((write) => write.key.split('/').at(-1))).toEqual(['listings.parquet', 'metadata.json']);
  }, 120_000);

  it('killed while uploading: the restart sends the same frozen bytes, and reports COMPLETED once', async () => {
    const { env, stateDir } = await setUp();
    const feed = join(dir, 'feed.json');
    const listings = ZIPCODES.flatMap((zipcode) =>
      Array.from({ length: PER_ZIPCODE }, (_, index) => sampleListing(zipcode, index)),
    );
    await writeFile(feed, JSON.stringify(listings));
    const fileEnv = { ...env, RESI_MINER_SOURCE: 'file', RESI_FILE_PATH: feed };

    double!.holdWrites = true;
    const first = start(fileEnv);
    await waitFor(() => double!.writes.length > 0, 60_000, first.output);
    first.child.kill('SIGKILL');
    await first.exited;
    const interrupted = double!.writes[0]!;
    expect(interrupted).toMatchObject({ answered: false });
    expect(interrupted.key).toMatch(/listings\.parquet$/);
    const frozenMetadata = await readFile(join(stateDir, 'epochs', '2025-10-01T16-00-00', 'upload', 'metadata.json'));

    double!.holdWrites = false;
    const second = start(fileEnv);
    expect(await second.exited).toBe(0);
    const parquet = await expectOneCompleteUpload(interrupted.key.split('/')[1]!.slice('hotkey='.length));
    expect(sha256Hex(parquet)).toBe(interrupted.sha256);
    const parquetWrites = double!.writes.filter((write) => write.key === interrupted.key);
    expect(parquetWrites.map((write) => write.sha256)).toEqual([interrupted.sha256, interrupted.sha256]);
    expect(double!.writes.filter((write) => write.key.endsWith('metadata.json'))).toHaveLength(1);
    const storedMetadata = [...double!.objects.entries()].find(([key]) => key.endsWith('metadata.json'))![1];
    expect(storedMetadata.equals(frozenMetadata)).toBe(true);
  }, 120_000);
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiInstance, openDatabase, parseApiEnv, ShiftedClock, startApi } from '@resi/api';
import {
  type EpochSubmissionsResponse,
  type MetagraphFile,
  type Signer,
  createDevWallet,
  epochSubmissionsResponseSchema,
  loadWallet,
  parseMinerUploadMetadata,
  readListingsParquet,
  sha256Hex,
  validationCommitment,
} from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePythonVenv, runPythonJson } from '../../../packages/core/test/python/python-venv.js';
import { MinerApiClient } from '../src/api/miner-api-client.js';
import { parseMinerConfig } from '../src/config/miner-config.js';
import { startMiner } from '../src/start-miner.js';
import { sampleListing } from '../../../packages/sources/src/testing/listing-fixtures.test-utils.js';

/**
 * The whole miner against the real API (embedded PGlite, in-memory limits, embedded s3rver):
 * `resi miner --source file` completes an epoch, and a validator finds its statuses, manifest
 * and files through the submissions route; the Parquet reads back in core and in pandas.
 */

const PYTHON_SCRIPT = join(import.meta.dirname, '../../../packages/core/test/python/listings_interop.py');
const venv = preparePythonVenv(['pandas', 'pyarrow']);

describe.each(['post', 'put'] as const)(
  'resi miner end to end (embedded API + s3rver with S3_UPLOAD_METHOD=%s, file source)',
  (storageMethod) => {
    let home: string;
    let api: (ApiInstance & { url: string }) | undefined;
    let validator: Signer;
    const clock = new ShiftedClock();
    const wallets = join(tmpdir(), `resi-e2e-wallets-${process.pid}-${storageMethod}`);

    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), 'resi-e2e-'));
      const accounts = [];
      for (const name of ['e2e-validator', 'e2e-miner-per-file', 'e2e-miner-folder']) {
        await createDevWallet({ path: wallets, name, hotkey: 'default' });
        accounts.push(await loadWallet({ path: wallets, name, hotkey: 'default' }));
      }
      validator = accounts[0]!.signer;
      const metagraph: MetagraphFile = {
        netuid: 46,
        neurons: accounts.map((wallet, uid) => ({
          uid,
          hotkey: wallet.hotkey.address,
          coldkey: wallet.coldkeyAddress,
          validatorPermit: uid === 0,
          stake: uid === 0 ? 10_000 : 10,
        })),
      };
      await writeFile(join(home, 'metagraph.json'), JSON.stringify(metagraph));
      const config = parseApiEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        RESI_HOME: home,
        METAGRAPH_FILE: join(home, 'metagraph.json'),
        ZIPCODE_SECRET: 'e2e-secret-0123456789abcdef',
        // Day-long epochs: the test never straddles an epoch boundary by accident.
        EPOCH_DURATION_MINUTES: '1440',
        EPOCH_TARGET_LISTINGS: '600',
        S3_UPLOAD_METHOD: storageMethod,
      });
      api = await startApi(config, { database: await openDatabase({}), clock });
    }, 120_000);

    afterAll(async () => {
      await api?.close();
      await rm(home, { recursive: true, force: true });
      await rm(wallets, { recursive: true, force: true });
    });

    /** Read as a validator does: after the epoch's grace end (the API's clock jumps two days for it). */
    async function readSubmissions(epochId: string): Promise<EpochSubmissionsResponse> {
      clock.offsetMs = 2 * 86_400_000;
      try {
        return await readSubmissionsNow(epochId);
      } finally {
        clock.offsetMs = 0;
      }
    }

    async function readSubmissionsNow(epochId: string): Promise<EpochSubmissionsResponse> {
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      const url = new URL(`${api!.url}/api/v1/epochs/${epochId}/submissions`);
      url.searchParams.set('hotkey', validator.address);
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('signature', validator.sign(validationCommitment(epochId, timestamp)));
      const response = await fetch(url);
      expect(response.status).toBe(200);
      return epochSubmissionsResponseSchema.parse(await response.json());
    }

    /** Runs `resi miner --source file --once` for `wallet` with a feed covering the first zipcodes. */
    async function mineOneEpoch(walletName: string, uploadMethod: 'per-file' | 'folder') {
      const wallet = await loadWallet({ path: wallets, name: walletName, hotkey: 'default' });
      const assignment = await new MinerApiClient({ baseUrl: api!.url, signer: wallet.signer }).currentAssignments();
      const covered = assignment.zipcodes.slice(0, 4).map((zipcode) => zipcode.zipcode);
      const feed = join(home, `${walletName}-feed.json`);
      await writeFile(
        feed,
        JSON.stringify([
          ...covered.flatMap((zipcode) => Array.from({ length: 25 }, (_, index) => sampleListing(zipcode, index))),
          { ...sampleListing(covered[0]!, 999), price: -1 },
        ]),
      );
      let logs = '';
      const config = parseMinerConfig(
        {
          'api.url': api!.url,
          source: 'file',
          'file.path': feed,
          'upload.method': uploadMethod,
          'upload.reserve': '5',
          'state.dir': join(home, `${walletName}-state`),
          'log.format': 'json',
          poll: '1',
          once: true,
        },
        {},
      );
      const sink = { write: (text: string) => ((logs += text), true) };
      const miner = await startMiner(
        config,
        { path: wallets, name: walletName, hotkey: 'default' },
        { stdout: sink, stderr: sink },
      );
      await miner.done;
      return { wallet, assignment, covered, logs };
    }

    /**
     * Every miner of this suite mines the epoch before any validator read: the first read after
     * the grace end records the epoch's folders for good, as it does in production.
     */
    let perFile: Awaited<ReturnType<typeof mineOneEpoch>>;
    let folder: Awaited<ReturnType<typeof mineOneEpoch>> | undefined;
    beforeAll(async () => {
      perFile = await mineOneEpoch('e2e-miner-per-file', 'per-file');
      // The legacy route always grants a folder POST policy, whatever the per-file method.
      if (storageMethod === 'post') folder = await mineOneEpoch('e2e-miner-folder', 'folder');
    }, 240_000);

    it('completes an epoch through the per-file upload route; a validator sees statuses, manifest and files', async () => {
      const { wallet, assignment, covered, logs } = perFile;
      expect(logs).toContain('"msg":"epoch completed"');

      const { submissions } = await readSubmissions(assignment.epochId);
      const mine = submissions.find((submission) => submission.hotkey === wallet.hotkey.address);
      expect(mine).toMatchObject({ status: 'COMPLETED', s3UploadComplete: true, listingsClaimed: 100 });
      expect(mine!.zipcodesCompleted.map((zipcode) => zipcode.zipcode).sort()).toEqual(
        assignment.zipcodes.map((zipcode) => zipcode.zipcode).sort(),
      );
      expect(mine!.manifest?.map((file) => file.name).sort()).toEqual(['listings.parquet', 'metadata.json']);
      const prefix = `data/hotkey=${wallet.hotkey.address}/epoch=${assignment.epochId}/`;
      expect(mine!.objects.map((object) => object.key).sort()).toEqual([
        `${prefix}listings.parquet`,
        `${prefix}metadata.json`,
      ]);

      const download = async (name: string) => {
        const object = mine!.objects.find((candidate) => candidate.key === prefix + name)!;
        const response = await fetch(object.url);
        expect(response.status).toBe(200);
        return new Uint8Array(await response.arrayBuffer());
      };
      const parquet = await download('listings.parquet');
      expect(sha256Hex(parquet)).toBe(mine!.manifest!.find((file) => file.name === 'listings.parquet')!.sha256);
      const metadata = parseMinerUploadMetadata(await download('metadata.json'));
      expect(metadata).toMatchObject({
        epoch_id: assignment.epochId,
        epoch_nonce: assignment.nonce,
        miner_hotkey: wallet.hotkey.address,
        total_listings: 100,
        files: { 'listings.parquet': { sha256: sha256Hex(parquet), bytes: parquet.byteLength, rows: 100 } },
      });
      const { rows, schemaProblems } = await readListingsParquet(parquet);
      expect(schemaProblems).toEqual([]);
      expect(new Set(rows.map((row) => row.zipcode))).toEqual(new Set(covered));

      if (venv.ok) {
        const path = join(home, 'downloaded.parquet');
        await writeFile(path, parquet);
        const described = runPythonJson<{
          files: Record<string, { rows: unknown[]; pandas_nullable_dtypes: Record<string, string> }>;
        }>(venv, PYTHON_SCRIPT, { describe: [path] }).files[path]!;
        expect(described.rows).toHaveLength(100);
        expect(described.pandas_nullable_dtypes).toMatchObject({
          price: 'Float64',
          bedrooms: 'Int32',
          zipcode: 'string',
        });
      } else {
        console.warn(`pandas check skipped: ${venv.reason}`);
      }
    }, 120_000);

    if (storageMethod === 'post')
      it('completes an epoch through the legacy /get-folder-access POST as the Python miner uploads', async () => {
        const { wallet, assignment, logs } = folder!;
        expect(logs).toContain('"msg":"epoch completed"');
        const { submissions } = await readSubmissions(assignment.epochId);
        const mine = submissions.find((submission) => submission.hotkey === wallet.hotkey.address);
        expect(mine).toMatchObject({ status: 'COMPLETED', s3UploadComplete: true });
        expect(mine!.objects.map((object) => object.key.split('/').at(-1)).sort()).toEqual([
          'listings.parquet',
          'metadata.json',
        ]);
      }, 120_000);
  },
);

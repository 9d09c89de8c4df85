import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiInstance, openDatabase, parseApiEnv, startApi } from '@resi/api';
import { type MetagraphFile, createDevWallet, loadWallet, minerObjectKey } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, type EmbeddedS3, startEmbeddedS3 } from '../../api/src/repositories/embedded-s3.js';
import { S3StorageRepository } from '../../api/src/repositories/storage.repository.js';
import { sampleListing } from '../../../packages/sources/src/testing/listing-fixtures.test-utils.js';
import { MinerApiClient } from '../src/api/miner-api-client.js';
import { parseMinerConfig } from '../src/config/miner-config.js';
import { startMiner } from '../src/start-miner.js';

/** The API's storage, counting the times it found the store unreachable. */
class ObservedStorage extends S3StorageRepository {
  unreachable = 0;

  override async ping(timeoutMs: number): Promise<void> {
    try {
      await super.ping(timeoutMs);
    } catch (error) {
      this.unreachable += 1;
      throw error;
    }
  }
}

/**
 * The real miner through a storage outage: a private s3rver behind the real API is stopped as
 * the miner starts its epoch and restarted a little later. The API answers the miner's grant
 * requests 503 with Retry-After meanwhile; the miner waits them out, keeps its packaged files,
 * and its upload lands once the store is back: the epoch completes with every file stored.
 * (apps/api/test/storage-outage.spec.ts covers the API's side: codes, health, quota.)
 */
describe('resi miner through an S3 outage (real API, private s3rver stopped and restarted)', () => {
  let home: string;
  let api: (ApiInstance & { url: string }) | undefined;
  let s3: EmbeddedS3;
  let storage: ObservedStorage;
  let port: number;
  const wallets = join(tmpdir(), `resi-s3-outage-wallets-${process.pid}`);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'resi-s3-outage-'));
    await createDevWallet({ path: wallets, name: 'outage-miner', hotkey: 'default' });
    const wallet = await loadWallet({ path: wallets, name: 'outage-miner', hotkey: 'default' });
    const metagraph: MetagraphFile = {
      netuid: 46,
      neurons: [
        { uid: 1, hotkey: wallet.hotkey.address, coldkey: wallet.coldkeyAddress, validatorPermit: false, stake: 10 },
      ],
    };
    await writeFile(join(home, 'metagraph.json'), JSON.stringify(metagraph));
    s3 = await startEmbeddedS3({ directory: join(home, 's3'), bucket: 'resi-data' });
    port = Number(new URL(s3.endpoint).port);
    storage = new ObservedStorage({
      backend: 's3',
      endpoint: s3.endpoint,
      bucket: 'resi-data',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: EMBEDDED_S3_CREDENTIALS,
    });
    api = await startApi(
      parseApiEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        RESI_HOME: home,
        METAGRAPH_FILE: join(home, 'metagraph.json'),
        ZIPCODE_SECRET: 'outage-secret-0123456789abcdef',
        EPOCH_DURATION_MINUTES: '1440',
        EPOCH_TARGET_LISTINGS: '600',
      }),
      { database: await openDatabase({}), storage },
    );
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await s3?.close().catch(() => undefined);
    if (home) await rm(home, { recursive: true, force: true });
    await rm(wallets, { recursive: true, force: true });
  });

  it('retries its grant while the store is down and completes the upload after it is back', async () => {
    const wallet = await loadWallet({ path: wallets, name: 'outage-miner', hotkey: 'default' });
    const assignment = await new MinerApiClient({ baseUrl: api!.url, signer: wallet.signer }).currentAssignments();
    const covered = assignment.zipcodes.slice(0, 3).map((zipcode) => zipcode.zipcode);
    const feed = join(home, 'feed.json');
    await writeFile(
      feed,
      JSON.stringify(
        covered.flatMap((zipcode) => Array.from({ length: 10 }, (_, index) => sampleListing(zipcode, index))),
      ),
    );

    let logs = '';
    let outage: Promise<void> | undefined;
    const sink = {
      write: (text: string) => {
        logs += text;
        // The store goes down as soon as the miner is connected, before any grant is asked for.
        if (outage === undefined && logs.includes('"msg":"connected to the API"')) {
          outage = s3.close().then(async () => {
            await new Promise((resolve) => setTimeout(resolve, 2_000));
            s3 = await startEmbeddedS3({ directory: join(home, 's3'), bucket: 'resi-data', port });
          });
        }
        return true;
      },
    };
    const config = parseMinerConfig(
      {
        'api.url': api!.url,
        source: 'file',
        'file.path': feed,
        'upload.reserve': '5',
        'state.dir': join(home, 'miner-state'),
        'log.format': 'json',
        poll: '1',
        once: true,
      },
      {},
    );
    const miner = await startMiner(
      config,
      { path: wallets, name: 'outage-miner', hotkey: 'default' },
      { stdout: sink, stderr: sink },
    );
    await miner.done;
    await outage;

    expect(storage.unreachable).toBeGreaterThan(0);
    expect(logs).toContain('"msg":"epoch completed"');
    expect(logs).not.toContain('epoch ended without a complete upload');
    for (const name of ['listings.parquet', 'metadata.json']) {
      const stored = await storage.headObject(minerObjectKey(wallet.hotkey.address, assignment.epochId, name));
      expect(stored?.size).toBeGreaterThan(0);
    }
  }, 60_000);
});

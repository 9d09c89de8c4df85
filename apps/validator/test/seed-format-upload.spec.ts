import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiInstance, openDatabase, parseApiEnv, ShiftedClock, startApi } from '@resi/api';
import {
  type MetagraphFile,
  type Signer,
  createDevWallet,
  epochAssignmentsResponseSchema,
  epochSubmissionsResponseSchema,
  folderAccessCommitment,
  folderAccessResponseSchema,
  loadWallet,
  parseValidationResultsFile,
  validationCommitment,
  writeListingsParquet,
} from '@resi/core';
import { FileListingSource } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpochRepository } from '../../api/src/repositories/epoch.repository.js';
import { EpochService } from '../../api/src/services/epoch.service.js';
import { HttpObjectFetcher } from '../src/download/object-fetcher.js';
import { scoreEpochSubmissions } from '../src/pipeline/score-epoch.js';
import {
  buildMarket,
  honestListings,
  seedMetadataJson,
  writeMarketFeed,
} from '../src/testing/synthetic-epoch.test-utils.js';
import { ZipcodeFeedAuditSources } from '../src/verification/verification-source.js';

/**
 * A seed-format upload end to end against the real API and storage (embedded PGlite, s3rver):
 * a miner uploads `listings.parquet` and the seed's `metadata.json` (no nonce, no file list) the
 * way the deployed Python miner does (the `/get-folder-access` POST policy, `fields` + `key` +
 * file), and a validator reading the epoch after its grace end scores it, naming the checks the
 * format did not allow.
 */
describe('a seed-format Python upload through the real API and s3rver', () => {
  let home: string;
  let api: (ApiInstance & { url: string }) | undefined;
  let validator: Signer;
  let miner: Awaited<ReturnType<typeof loadWallet>>;
  let epochId: string;
  let marketPath: string;
  let marketRows: number;
  const clock = new ShiftedClock();
  const wallets = join(tmpdir(), `resi-seed-format-wallets-${process.pid}`);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'resi-seed-format-'));
    const accounts = [];
    for (const name of ['seed-validator', 'seed-miner']) {
      await createDevWallet({ path: wallets, name, hotkey: 'default' });
      accounts.push(await loadWallet({ path: wallets, name, hotkey: 'default' }));
    }
    validator = accounts[0]!.signer;
    miner = accounts[1]!;
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
    api = await startApi(
      parseApiEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        RESI_HOME: home,
        METAGRAPH_FILE: join(home, 'metagraph.json'),
        ZIPCODE_SECRET: 'seed-format-secret-0123456789abcdef',
        // Day-long epochs: the upload lands in today's, and the test never straddles a boundary.
        EPOCH_DURATION_MINUTES: '1440',
        EPOCH_TARGET_LISTINGS: '600',
      }),
      { database: await openDatabase({}), clock },
    );
    const { epoch } = await api.app.get(EpochService).current();
    epochId = epoch.id;
    const zipcodes = await api.app.get(EpochRepository).findZipcodes(epochId);
    const market = buildMarket(
      zipcodes.map((zipcode) => ({ zipcode: zipcode.zipcode, expectedListings: 3, isHoneypot: zipcode.isHoneypot })),
    );
    marketRows = [...market.values()].reduce((sum, listings) => sum + listings.length, 0);
    marketPath = join(home, 'market.json');
    await writeMarketFeed(marketPath, market);

    // The Python miner: a folder grant, then each file as multipart form (fields, key, file).
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const granted = await fetch(`${api.url}/get-folder-access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        coldkey: miner.coldkeyAddress,
        hotkey: miner.hotkey.address,
        timestamp,
        signature: miner.signer.sign(folderAccessCommitment(miner.coldkeyAddress, miner.hotkey.address, timestamp)),
        expiry: timestamp + 86_400,
      }),
    });
    expect(granted.status).toBe(200);
    const grant = folderAccessResponseSchema.parse(await granted.json());
    const listings = honestListings(market, new Date(Math.max(epoch.startAt.getTime(), Date.now() - 3_600_000)));
    const files: [string, Uint8Array | string][] = [
      ['listings.parquet', writeListingsParquet(listings)],
      [
        'metadata.json',
        seedMetadataJson({
          epochId,
          hotkey: miner.hotkey.address,
          start: epoch.startAt,
          end: new Date(),
          totalListings: listings.length,
          zipcodesCompleted: market.size,
        }),
      ],
    ];
    for (const [name, content] of files) {
      const form = new FormData();
      for (const [field, value] of Object.entries(grant.fields)) form.append(field, value);
      form.append('key', `${grant.folder}epoch=${epochId}/${name}`);
      form.append('file', new Blob([content]), name);
      expect((await fetch(grant.url, { method: 'POST', body: form })).status).toBe(204);
    }
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    if (home) await rm(home, { recursive: true, force: true });
    await rm(wallets, { recursive: true, force: true });
  });

  /** A validator's signed GET, at the API's clock. */
  async function validatorGet(path: string): Promise<unknown> {
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const url = new URL(`${api!.url}${path}`);
    url.searchParams.set('hotkey', validator.address);
    url.searchParams.set('timestamp', String(timestamp));
    url.searchParams.set('signature', validator.sign(validationCommitment(epochId, timestamp)));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.json();
  }

  it('is scored after the grace end, every row verified and credited, with the skipped checks named', async () => {
    // Two days on, the epoch's grace period is over: its data is readable and the audit revealed.
    clock.offsetMs = 2 * 86_400_000;
    try {
      const epoch = epochAssignmentsResponseSchema.parse(
        await validatorGet(`/api/v1/zipcode-assignments/epoch/${epochId}`),
      );
      const submissions = epochSubmissionsResponseSchema.parse(
        await validatorGet(`/api/v1/epochs/${epochId}/submissions`),
      );
      const outcome = await scoreEpochSubmissions(
        { epoch, submissions, validatorHotkey: validator.address },
        {
          workDirectory: join(home, 'work'),
          fetcher: new HttpObjectFetcher(),
          verification: new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath })),
          duckdb: { threads: 2 },
        },
      );
      const file = parseValidationResultsFile(outcome.text);
      const result = file.validation_results[miner.hotkey.address]!;
      expect(result).toMatchObject({
        outcome: 'scored',
        listings: { rows: marketRows, valid_rows: marketRows, credited_rows: marketRows },
        audit: { fabricated: 0, not_found: 0 },
      });
      expect(result.audit!.verified).toBeGreaterThan(0);
      expect(result.weight).toBeGreaterThan(0);
      expect(result.reasons.map((reason) => reason.code)).toEqual([
        'check_skipped_nonce_binding',
        'check_skipped_declared_files',
        'check_skipped_declared_rows',
      ]);
    } finally {
      clock.offsetMs = 0;
    }
  }, 120_000);
});

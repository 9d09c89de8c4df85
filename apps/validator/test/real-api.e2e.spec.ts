import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiInstance, openDatabase, parseApiEnv, startApi } from '@resi/api';
import {
  type MetagraphFile,
  consensusResponseSchema,
  createDevWallet,
  loadHotkey,
  parseValidationResultsFile,
  previousEpochId,
  createEpochConfig,
  epochAt,
  minerObjectKey,
  validationResultsObjectKey,
} from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpochService } from '../../api/src/services/epoch.service.js';
import { EpochSnapshotService } from '../../api/src/services/epoch-snapshot.service.js';
import { EpochRepository } from '../../api/src/repositories/epoch.repository.js';
import { parseValidatorConfig } from '../src/config/validator-config.js';
import { ProcessedEpochStore } from '../src/state/processed-epochs.js';
import { startValidator } from '../src/start-validator.js';
import {
  buildMarket,
  honestListings,
  hotkeyOf,
  writeMarketFeed,
  writeUpload,
} from '../src/testing/synthetic-epoch.test-utils.js';

/**
 * `resi validator` against the real API (embedded PGlite, memory limits, embedded s3rver), at real
 * time: it finds yesterday's epoch finished, downloads the miners' objects through presigned GET
 * URLs, scores them, uploads its results file through the presigned POST of the validator upload
 * route, and reports the digest; the API verifies the published file and shows the consensus.
 * The miners' objects were stored now, long after that epoch's grace end, so one is refused as
 * late, with its reason; the other's file is overwritten after the API recorded the epoch at the
 * grace end, so it is treated as fabrication (`modified_after_grace`).
 */
describe('resi validator against the real API and storage', () => {
  let home: string;
  let api: (ApiInstance & { url: string }) | undefined;
  let epochId: string;
  let validatorHotkey: string;
  const wallets = join(tmpdir(), `resi-validator-e2e-wallets-${process.pid}`);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'resi-validator-e2e-'));
    await createDevWallet({ path: wallets, name: 'e2e-validator', hotkey: 'default' });
    const validator = await loadHotkey({ path: wallets, name: 'e2e-validator', hotkey: 'default' });
    validatorHotkey = validator.address;
    const miners = ['e2e-miner-a', 'e2e-miner-b'];
    const metagraph: MetagraphFile = {
      netuid: 46,
      neurons: [validatorHotkey, ...miners.map(hotkeyOf)].map((hotkey, uid) => ({
        uid,
        hotkey,
        coldkey: validatorHotkey,
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
        ZIPCODE_SECRET: 'e2e-secret-0123456789abcdef',
        EPOCH_DURATION_MINUTES: '1440',
        EPOCH_TARGET_LISTINGS: '600',
      }),
      { database: await openDatabase({}) },
    );
    // Yesterday's day-long epoch, finished: the one a validator starting now scores.
    const config = createEpochConfig({ durationMinutes: 1440 });
    epochId = previousEpochId(epochAt(new Date(), config).id, config);
    const epochs = api.app.get(EpochService);
    await epochs.ensure(epochAt(new Date(), config).id);
    const { epoch } = await epochs.ensure(epochId);
    const zipcodes = await api.app.get(EpochRepository).findZipcodes(epochId);
    const market = buildMarket(
      zipcodes.map((zipcode) => ({ zipcode: zipcode.zipcode, expectedListings: 5, isHoneypot: zipcode.isHoneypot })),
    );
    await writeMarketFeed(join(home, 'market.json'), market);
    for (const label of miners) {
      const submission = await writeUpload(join(home, 'outbox'), {
        label,
        listings: honestListings(market, new Date(epoch.startAt.getTime() + 60_000)),
        uploadedAt: new Date(),
        epoch: { id: epochId, nonce: epoch.nonce, start: epoch.startAt },
      });
      for (const object of submission.objects) {
        const body = await readFile(join(home, 'outbox', object.key));
        const grant = await api.deps.storage.presignPut({
          key: object.key,
          bytes: body.length,
          sha256Hex: createHash('sha256').update(body).digest('hex'),
          expiresInSeconds: 60,
        });
        const response = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body });
        expect(response.ok).toBe(true);
      }
    }
    // The grace-end record, then miner b writes over its file: validators must see the change.
    await api.app.get(EpochSnapshotService).ensure(epoch);
    const key = minerObjectKey(hotkeyOf('e2e-miner-b'), epochId, 'listings.parquet');
    const original = await readFile(join(home, 'outbox', key));
    const overwrite = Buffer.from(original).fill(0x21, 8, 16);
    const grant = await api.deps.storage.presignPut({
      key,
      bytes: overwrite.length,
      sha256Hex: createHash('sha256').update(overwrite).digest('hex'),
      expiresInSeconds: 60,
    });
    expect((await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: overwrite })).ok).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await rm(home, { recursive: true, force: true });
    await rm(wallets, { recursive: true, force: true });
  });

  it('scores the finished epoch, publishes and reports its results, and the API shows the consensus', async () => {
    let output = '';
    const sink = { write: (text: string) => ((output += text), true) };
    const stateDir = join(home, 'validator-state');
    const run = await startValidator(
      parseValidatorConfig(
        {
          'api.url': api!.url,
          'set-weights': false,
          once: true,
          'state.dir': stateDir,
          source: 'file',
          'file.path': join(home, 'market.json'),
          'log.format': 'json',
        },
        {},
      ),
      { path: wallets, name: 'e2e-validator', hotkey: 'default' },
      { stdout: sink, stderr: sink },
    );
    await run.done;
    expect(output).toContain('"msg":"results reported"');

    const key = validationResultsObjectKey(validatorHotkey, epochId);
    const published = await fetch(await api!.deps.storage.presignGet(key, 60));
    expect(published.status).toBe(200);
    const text = await published.text();
    expect(text).toBe(await readFile(join(stateDir, 'results', `epoch=${epochId}`, 'validation_results.json'), 'utf8'));
    const file = parseValidationResultsFile(text);
    expect(Object.keys(file.validation_results).sort()).toEqual(
      [hotkeyOf('e2e-miner-a'), hotkeyOf('e2e-miner-b')].sort(),
    );
    expect(file.validation_results[hotkeyOf('e2e-miner-a')]).toMatchObject({
      outcome: 'rejected',
      reasons: [{ code: 'uploaded_after_grace' }],
    });
    // Its file changed after the API recorded the epoch at the grace end: treated as fabrication.
    expect(file.validation_results[hotkeyOf('e2e-miner-b')]).toMatchObject({
      outcome: 'fabricated',
      reasons: [{ code: 'modified_after_grace' }],
      credibility: { after: 0, penalty_epochs_left: 4 },
    });
    expect(file.validation_results[hotkeyOf('e2e-miner-b')]!.reasons[0]!.message).toMatch(
      /^listings\.parquet changed after the grace end: listed with ETag [0-9a-f]{32} and \d+ bytes, storage now holds ETag [0-9a-f]{32} and \d+ bytes$/,
    );

    const consensus = consensusResponseSchema.parse(
      await (await fetch(`${api!.url}/api/v1/epochs/${epochId}/consensus`)).json(),
    );
    expect(consensus).toMatchObject({ validatorsReported: 1, consensusSha256: file.results_sha256, agreement: 1 });
    const state = await new ProcessedEpochStore(join(stateDir, 'state.json'), validatorHotkey).load();
    expect(state.epochs[epochId]).toMatchObject({
      stage: 'done',
      weights: 'printed',
      resultsSha256: file.results_sha256,
    });
    expect(output).toContain(`weights for epoch ${epochId} (not submitted: --no-set-weights)`);
  }, 120_000);
});

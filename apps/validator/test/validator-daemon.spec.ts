import { getEventListeners } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EpochAssignmentsResponse,
  type EpochSubmissionsResponse,
  generateMnemonic,
  parseValidationResultsFile,
  signerFromKeypair,
  sr25519KeypairFromMnemonic,
} from '@resi/core';
import { type Logger, silentLogger } from '@resi/client';
import { FileListingSource } from '@resi/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidatorApiClient } from '../src/api/validator-api-client.js';
import { ValidatorDaemon, ValidatorStartupError } from '../src/daemon/validator-daemon.js';
import { HttpObjectFetcher } from '../src/download/object-fetcher.js';
import { scoreEpochSubmissions } from '../src/pipeline/score-epoch.js';
import { ProcessedEpochStore } from '../src/state/processed-epochs.js';
import {
  AUDIT_SEED,
  CRAFTED_ZIPCODES,
  EPOCH_ID,
  EPOCH_START,
  epochResponse,
  submissionsResponse,
  writeCraftedEpoch,
} from '../src/testing/synthetic-epoch.test-utils.js';
import { ZipcodeFeedAuditSources } from '../src/verification/verification-source.js';
import { PrintWeightPublisher } from '../src/weights/weight-publisher.js';
import { FakeApi, epochSummary, statsWith } from './fake-api.test-utils.js';

const NEXT_EPOCH_ID = '2025-10-01T20-00-00';
const AFTER_NEXT_EPOCH_ID = '2025-10-02T00-00-00';
const hours = (count: number) => new Date(EPOCH_START.getTime() + count * 3_600_000);

describe('ValidatorDaemon against a stand-in API', () => {
  let root: string;
  let api: FakeApi;
  let marketPath: string;
  let scored: string[];
  let printed: string[];
  const keypair = sr25519KeypairFromMnemonic(generateMnemonic());
  const signer = signerFromKeypair(keypair);

  function daemon(stateDir: string, log: Logger = silentLogger): ValidatorDaemon {
    const verification = new ZipcodeFeedAuditSources(new FileListingSource({ path: marketPath }));
    return new ValidatorDaemon({
      api: new ValidatorApiClient({
        baseUrl: api.url,
        signer,
        backoff: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      }),
      store: new ProcessedEpochStore(join(stateDir, 'state.json'), signer.address),
      weights: new PrintWeightPublisher({ burnShare: 0 }, (text) => printed.push(text)),
      resultsDirectory: join(stateDir, 'results'),
      pollIntervalMs: 10,
      log,
      score: (input) => {
        scored.push(input.epoch.epochId);
        return scoreEpochSubmissions(input, {
          workDirectory: join(stateDir, 'work'),
          fetcher: new HttpObjectFetcher(),
          verification,
          duckdb: { threads: 1 },
        });
      },
    });
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-daemon-'));
    const crafted = await writeCraftedEpoch(root);
    marketPath = crafted.marketPath;
    const epochs = new Map<string, { epoch: EpochAssignmentsResponse; submissions: EpochSubmissionsResponse }>([
      [EPOCH_ID, { epoch: epochResponse(CRAFTED_ZIPCODES), submissions: submissionsResponse(crafted.submissions) }],
    ]);
    api = new FakeApi(join(root, 'bucket'), epochs, () =>
      statsWith([epochSummary(EPOCH_ID, 'COMPLETED', EPOCH_START)]),
    );
    await api.start();
  });

  afterAll(async () => {
    await api?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('scores a completed epoch once, uploads the results, reports the digest and prints the weights', async () => {
    scored = [];
    printed = [];
    const stateDir = join(root, 'state-a');
    const validator = daemon(stateDir);
    await validator.start();
    expect(await validator.poll()).toEqual([EPOCH_ID]);
    const local = await readFile(join(stateDir, 'results', `epoch=${EPOCH_ID}`, 'validation_results.json'));
    const uploaded = api.uploads.at(-1)!;
    expect(uploaded.key).toBe(`validators/hotkey=${signer.address}/epoch=${EPOCH_ID}/validation_results.json`);
    expect(uploaded.content.equals(local)).toBe(true);
    const file = parseValidationResultsFile(local.toString());
    expect(api.reports.at(-1)).toEqual({
      hotkey: signer.address,
      epochId: EPOCH_ID,
      resultsSha256: file.results_sha256,
      minersScored: 12,
    });
    expect(printed[0]).toContain(`weights for epoch ${EPOCH_ID}`);
    expect(scored).toEqual([EPOCH_ID]);

    // Polling again, or restarting on the same state, does nothing twice.
    expect(await validator.poll()).toEqual([]);
    const restarted = daemon(stateDir);
    await restarted.start();
    expect(await restarted.poll()).toEqual([]);
    expect(scored).toEqual([EPOCH_ID]);
  });

  it('waits for the grace end before scoring a COMPLETED epoch: late uploads still count', async () => {
    scored = [];
    const stats = api.stats;
    api.stats = () => {
      const body = stats();
      return {
        ...body,
        epochStatus: {
          ...body.epochStatus,
          timing: { ...body.epochStatus.timing, serverTime: '2025-10-01T20:10:00.000Z' },
        },
      };
    };
    try {
      const validator = daemon(join(root, 'state-grace'));
      await validator.start();
      expect(await validator.poll()).toEqual([]);
      expect(scored).toEqual([]);
    } finally {
      api.stats = stats;
    }
  });

  it('waits, neither scoring nor abstaining, while the grace has ended but the API has not revealed the seed', async () => {
    scored = [];
    const stateDir = join(root, 'state-reveal');
    const warnings: string[] = [];
    const log: Logger = {
      ...silentLogger,
      warn: (message, fields) => warnings.push(`${message} ${String(fields?.reason)}`),
    };
    const entry = api.epochs.get(EPOCH_ID)!;
    const { auditSeed: _seed, ...unrevealed } = entry.epoch;
    const uploadsBefore = api.uploads.length;
    try {
      const validator = daemon(stateDir, log);
      await validator.start();
      // COMPLETED and past the grace end, but no seed yet.
      api.epochs.set(EPOCH_ID, { ...entry, epoch: unrevealed });
      expect(await validator.poll()).toEqual([]);
      // The grace-end record cannot be taken yet: 503 SERVICE_UNAVAILABLE.
      api.epochs.set(EPOCH_ID, entry);
      api.failNext.set(`GET /api/v1/zipcode-assignments/epoch/${EPOCH_ID}`, [503]);
      expect(await validator.poll()).toEqual([]);
      api.failNext.set(`GET /api/v1/epochs/${EPOCH_ID}/submissions`, [503]);
      expect(await validator.poll()).toEqual([]);
      expect(scored).toEqual([]);
      expect(api.uploads.length).toBe(uploadsBefore);
      const store = new ProcessedEpochStore(join(stateDir, 'state.json'), signer.address);
      expect((await store.load()).epochs[EPOCH_ID]).toBeUndefined();
      expect(warnings).toEqual([
        'waiting for the API to reveal the epoch; retrying at the next poll the grace period has ended but the audit seed is not revealed yet',
        expect.stringMatching(/^waiting for the API to reveal the epoch; retrying at the next poll .*injected failure/),
        expect.stringMatching(/^waiting for the API to reveal the epoch; retrying at the next poll .*injected failure/),
      ]);

      // Revealed: scored at the next poll, with the seed and no abstention.
      expect(await validator.poll()).toEqual([EPOCH_ID]);
      const file = parseValidationResultsFile(
        await readFile(join(stateDir, 'results', `epoch=${EPOCH_ID}`, 'validation_results.json'), 'utf8'),
      );
      expect(file.audit).toMatchObject({ seed: AUDIT_SEED, abstention: null });
      expect(scored).toEqual([EPOCH_ID]);
    } finally {
      api.epochs.set(EPOCH_ID, entry);
    }
  });

  it('resumes at the failed step without scoring again', async () => {
    scored = [];
    printed = [];
    const stateDir = join(root, 'state-b');
    const uploadsBefore = api.uploads.length;
    api.failNext.set('POST /upload', [503]);
    const validator = daemon(stateDir);
    await validator.start();
    expect(await validator.poll()).toEqual([]);
    const store = new ProcessedEpochStore(join(stateDir, 'state.json'), signer.address);
    expect((await store.load()).epochs[EPOCH_ID]?.stage).toBe('scored');
    expect(api.uploads.length).toBe(uploadsBefore);

    const restarted = daemon(stateDir);
    await restarted.start();
    expect(await restarted.poll()).toEqual([EPOCH_ID]);
    expect(api.uploads.length).toBe(uploadsBefore + 1);
    expect(scored).toEqual([EPOCH_ID]);
    expect((await store.load()).epochs[EPOCH_ID]).toMatchObject({ stage: 'done', weights: 'printed' });
  });

  it('catches up an epoch that completed while it was down, even when /stats no longer lists it', async () => {
    scored = [];
    printed = [];
    const stateDir = join(root, 'state-c');
    const validator = daemon(stateDir);
    await validator.start();
    await validator.poll();
    // Down for eight hours: the next epoch completed and is gone from /stats; the one after has no record.
    api.epochs.set(NEXT_EPOCH_ID, {
      epoch: { ...epochResponse(CRAFTED_ZIPCODES), epochId: NEXT_EPOCH_ID, epochStart: hours(4).toISOString() },
      submissions: { ...submissionsResponse([]), epochId: NEXT_EPOCH_ID },
    });
    const stats = api.stats;
    api.stats = () => statsWith([epochSummary(AFTER_NEXT_EPOCH_ID, 'COMPLETED', hours(8))]);
    try {
      expect(await validator.poll()).toEqual([NEXT_EPOCH_ID, AFTER_NEXT_EPOCH_ID]);
      const state = await new ProcessedEpochStore(join(stateDir, 'state.json'), signer.address).load();
      expect(state.epochs[NEXT_EPOCH_ID]).toMatchObject({ stage: 'done', weights: 'superseded', minersScored: 0 });
      expect(state.absentEpochs).toEqual([AFTER_NEXT_EPOCH_ID]);
      expect(scored).toEqual([EPOCH_ID, NEXT_EPOCH_ID]);
    } finally {
      api.stats = stats;
      api.epochs.delete(NEXT_EPOCH_ID);
    }
  });

  it('refuses to start when the API does not take it as a validator', async () => {
    api.refusedValidators.add(signer.address);
    try {
      await expect(daemon(join(root, 'state-d')).start()).rejects.toThrow(ValidatorStartupError);
    } finally {
      api.refusedValidators.delete(signer.address);
    }
  });

  it('leaves no abort listener behind between polls, however long it runs', async () => {
    scored = [];
    printed = [];
    const sut = daemon(join(root, 'state-e'));
    await sut.start();
    const controller = new AbortController();
    const running = sut.run(controller.signal);
    await sut.poll(); // the epoch is scored: the polls that follow are quick
    await new Promise((resolve) => setTimeout(resolve, 500)); // tens of 10 ms polls
    const listeners = getEventListeners(controller.signal, 'abort').length;
    controller.abort();
    await running;
    expect(listeners).toBeLessThanOrEqual(1);
  });
});

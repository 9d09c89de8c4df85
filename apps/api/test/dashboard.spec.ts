import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  dashboardEpochResponseSchema,
  dashboardMinersResponseSchema,
  dashboardOverviewResponseSchema,
  dashboardResultsResponseSchema,
} from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, CONTEXT, craftedMiners, DAVE, EVE } from '../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { SubmissionRepository } from '../src/repositories/submission.repository.js';
import { RESULTS_CACHE_MS } from '../src/services/dashboard.service.js';
import { publishResultsFile, resultsFileFor } from './published-results.test-utils.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from './test-api.js';

// Inside the production epoch 2025-10-01T16-00-00 (16:00–20:00), the epoch the crafted miners scored.
const NOW = new Date('2025-10-01T17:00:00Z');
const EPOCH = CONTEXT.epochId;
const AFTER_EPOCH = new Date('2025-10-01T20:20:00Z');

describe('public dashboard routes', () => {
  let sut: TestApi;
  let miner: TestIdentity;
  let validators: TestIdentity[];
  let labelsDir: string;
  let outsider: TestIdentity;

  const get = (url: string) => sut.inject({ method: 'GET', url });

  beforeAll(async () => {
    [miner, outsider, ...validators] = await Promise.all([
      makeIdentity(),
      makeIdentity(),
      makeIdentity(),
      makeIdentity(),
      makeIdentity(),
    ]);
    // An operator label file (YAML): a scored miner, a validator, and a hotkey nowhere in the epoch.
    labelsDir = mkdtempSync(join(tmpdir(), 'resi-labels-'));
    const labelsFile = join(labelsDir, 'labels.yaml');
    writeFileSync(
      labelsFile,
      `# who is who\n${DAVE}: dave the fabricator\n${BOB}: "bob (EU)"\n${validators[1]!.hotkey}: validator-one\n${outsider.hotkey}: outsider\n`,
    );
    sut = await createTestApi({
      now: NOW,
      neurons: [neuronOf(miner, 7), ...validators.map((v, i) => neuronOf(v, i, true))],
      env: { LABELS_FILE: labelsFile },
    });
  });
  afterAll(async () => {
    await sut.close();
    rmSync(labelsDir, { recursive: true, force: true });
  });

  it('serves the current epoch with coordinates and no honeypot flags, nonce or seed while it runs', async () => {
    const res = await get('/api/v1/dashboard/epochs/current');
    expect(res.statusCode).toBe(200);
    const body = dashboardEpochResponseSchema.parse(res.json());
    expect(body.epoch.id).toBe(EPOCH);
    expect(body.epoch.status).toBe('ACTIVE');
    expect(body.zipcodes.length).toBe(body.epoch.zipcodeCount);
    expect(body.zipcodes.every((z) => z.lat !== null && z.lon !== null)).toBe(true);
    const text = res.payload;
    expect(text).not.toContain('isHoneypot');
    expect(text).not.toContain('nonce');
    expect(text).not.toContain('selectionSeed');
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('lists miner progress from status updates, newest first, with uids from the metagraph', async () => {
    const epoch = dashboardEpochResponseSchema.parse((await get('/api/v1/dashboard/epochs/current')).json());
    const [first, second] = epoch.zipcodes;
    const submissions = sut.app.get(SubmissionRepository);
    await submissions.recordStatus({
      epochId: EPOCH,
      hotkey: miner.hotkey,
      status: 'IN_PROGRESS',
      listingsScraped: 42,
      s3UploadComplete: false,
      zipcodes: [first!, second!].map((z) => ({ zipcode: z.zipcode, listingsScraped: 21, completedAt: NOW })),
      at: NOW,
    });
    const stranger = await makeIdentity();
    await submissions.recordStatus({
      epochId: EPOCH,
      hotkey: stranger.hotkey,
      status: 'COMPLETED',
      s3UploadComplete: true,
      zipcodes: [],
      at: new Date(NOW.getTime() + 60_000),
    });
    const body = dashboardMinersResponseSchema.parse((await get(`/api/v1/dashboard/epochs/${EPOCH}/miners`)).json());
    expect(body.miners.map((m) => m.hotkey)).toEqual([stranger.hotkey, miner.hotkey]);
    expect(body.miners[1]).toMatchObject({ uid: 7, status: 'IN_PROGRESS', zipcodesCompleted: 2, listingsClaimed: 42 });
    expect(body.miners[0]).toMatchObject({ uid: null, status: 'COMPLETED', uploadComplete: true });
  });

  it('sums listings claims past int32 without a 500 (each claim is an int32, their sum need not be)', async () => {
    const submissions = sut.app.get(SubmissionRepository);
    const [a, b] = await Promise.all([makeIdentity(), makeIdentity()]);
    for (const who of [a, b]) {
      await submissions.recordStatus({
        epochId: EPOCH,
        hotkey: who.hotkey,
        status: 'IN_PROGRESS',
        listingsScraped: 2_147_483_647,
        s3UploadComplete: false,
        zipcodes: [],
        at: NOW,
      });
    }
    const overview = await get('/api/v1/dashboard/overview');
    expect(overview.statusCode).toBe(200);
    const stats = await get('/api/v1/zipcode-assignments/stats');
    expect(stats.statusCode).toBe(200);
  });

  it('answers EPOCH_NOT_FOUND and VALIDATION_FAILED like the other routes', async () => {
    expect((await get('/api/v1/dashboard/epochs/2020-01-01T00-00-00/miners')).json()).toMatchObject({
      code: 'EPOCH_NOT_FOUND',
    });
    expect((await get('/api/v1/dashboard/epochs/..%2F..%2Fetc/results')).statusCode).toBe(400);
    // A bad path parameter is named as such, not as a body field.
    for (const path of ['/api/v1/dashboard/epochs/yesterday/miners', '/api/v1/epochs/yesterday/consensus'])
      expect((await get(path)).json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/^Invalid request: epochId: must be an epoch ID/) as unknown,
      });
  });

  it("serves the running epoch's miners and (empty) results under `current`, as the epoch itself", async () => {
    const current = (await get('/api/v1/dashboard/epochs/current')).json<{ epoch: { id: string } }>();
    const miners = await get('/api/v1/dashboard/epochs/current/miners');
    expect(miners.statusCode).toBe(200);
    expect(miners.json()).toEqual((await get(`/api/v1/dashboard/epochs/${current.epoch.id}/miners`)).json());
    const results = await get('/api/v1/dashboard/epochs/current/results');
    expect(results.statusCode).toBe(200);
    expect(results.json()).toMatchObject({ epochId: current.epoch.id });
  });

  it('keeps results empty while the epoch runs, even when a results file is already in storage', async () => {
    await publishResultsFile(sut.deps.storage, resultsFileFor(CONTEXT, craftedMiners(), validators[0]!.hotkey));
    const body = dashboardResultsResponseSchema.parse((await get(`/api/v1/dashboard/epochs/${EPOCH}/results`)).json());
    expect(body.status).toBe('ACTIVE');
    expect(body.miners).toEqual([]);
    expect(body.consensus.validatorsReported).toBe(0);
  });

  it('after the epoch: still tells no honeypot apart, groups validators by digest and serves the agreed scores', async () => {
    sut.clock.set(AFTER_EPOCH);
    // Two validators agree; a third scored different evidence (without the copier).
    const agreed = craftedMiners();
    await publishResultsFile(sut.deps.storage, resultsFileFor(CONTEXT, agreed, validators[1]!.hotkey));
    const dissent = resultsFileFor(
      CONTEXT,
      agreed.filter((m) => m.hotkey !== EVE),
      validators[2]!.hotkey,
    );
    await publishResultsFile(sut.deps.storage, dissent);

    const epoch = dashboardEpochResponseSchema.parse((await get(`/api/v1/dashboard/epochs/${EPOCH}`)).json());
    expect(epoch.epoch.status).toBe('COMPLETED');
    const epochText = JSON.stringify(epoch);
    expect(epochText).not.toMatch(/honeypot/i);

    const body = dashboardResultsResponseSchema.parse((await get(`/api/v1/dashboard/epochs/${EPOCH}/results`)).json());
    expect(body.consensus.validatorsReported).toBe(3);
    expect(body.consensus.agreement).toBeCloseTo(2 / 3);
    expect(body.consensus.groups.map((g) => g.validators.length)).toEqual([2, 1]);
    expect(body.consensus.consensusSha256).toBe(body.consensus.groups[0]!.resultsSha256);
    expect(body.consensus.consensusSha256).not.toBe(dissent.results_sha256);
    expect(body.miners.length).toBe(agreed.length);
    expect(body.miners.find((m) => m.hotkey === DAVE)).toMatchObject({ outcome: 'honeypot', totalScore: 0 });
    expect(body.miners.map((m) => m.totalScore)).toEqual(
      [...body.miners.map((m) => m.totalScore)].sort((a, b) => b - a),
    );
    // The leaderboard lists real zipcodes only; honeypots are nowhere, not even as zipcodes.
    const honeypots = CONTEXT.zipcodes.filter((z) => z.isHoneypot).map((z) => z.zipcode);
    expect(honeypots.length).toBeGreaterThan(0);
    expect(body.zipcodes.map((z) => z.zipcode).sort()).toEqual(
      CONTEXT.zipcodes
        .filter((z) => !z.isHoneypot)
        .map((z) => z.zipcode)
        .sort(),
    );
    expect(body.zipcodes[0]?.ranking[0]?.rank).toBe(1);
    expect(JSON.stringify(body.zipcodes)).not.toMatch(/honeypot/i);
  });

  it("polls everything in one request: the live epoch, its miners and the newest finished epoch's results", async () => {
    const res = await get('/api/v1/dashboard/overview');
    expect(res.headers['content-type']).toContain('application/json');
    const body = dashboardOverviewResponseSchema.parse(res.json());
    const gzipped = await sut.inject({
      method: 'GET',
      url: '/api/v1/dashboard/overview',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.rawPayload.length).toBeLessThan(res.rawPayload.length / 3);
    expect(
      dashboardOverviewResponseSchema.parse(JSON.parse(gunzipSync(gzipped.rawPayload).toString())).current.epoch.id,
    ).toBe(body.current.epoch.id);
    expect(body.current.epoch.id).not.toBe(EPOCH);
    expect(body.nextEpoch.id > body.current.epoch.id).toBe(true);
    expect(body.results?.epochId).toBe(EPOCH);
    expect(body.results?.consensus.validatorsReported).toBe(3);
    expect(body.recentEpochs.some((e) => e.id === EPOCH && e.status === 'COMPLETED')).toBe(true);
    // The operator's labels of the hotkeys this response shows, and no others.
    expect(body.labels).toEqual({
      [DAVE]: 'dave the fabricator',
      [BOB]: 'bob (EU)',
      [validators[1]!.hotkey]: 'validator-one',
    });
  });

  it('ignores a file whose digest does not match its content', async () => {
    const forged = resultsFileFor(CONTEXT, craftedMiners(), validators[0]!.hotkey);
    await publishResultsFile(sut.deps.storage, { ...forged, summary: { ...forged.summary, average_score: 1 } });
    sut.clock.advance(RESULTS_CACHE_MS + 1);
    const body = dashboardResultsResponseSchema.parse((await get(`/api/v1/dashboard/epochs/${EPOCH}/results`)).json());
    expect(body.consensus.validatorsReported).toBe(2);
  });

  it('keeps showing the newest scored epoch while the next finished one awaits its validators', async () => {
    // validators[0] replaces its forged file: two of three agree on EPOCH again.
    await publishResultsFile(sut.deps.storage, resultsFileFor(CONTEXT, craftedMiners(), validators[0]!.hotkey));
    // The epoch after EPOCH (20:00–24:00) has finished; nobody has scored it yet.
    sut.clock.set(new Date('2025-10-02T00:10:00Z'));
    const body = dashboardOverviewResponseSchema.parse((await get('/api/v1/dashboard/overview')).json());
    expect(body.recentEpochs.find((e) => e.id === '2025-10-01T20-00-00')?.status).toBe('COMPLETED');
    expect(body.results?.epochId).toBe(EPOCH);
    expect(body.results?.miners.length).toBeGreaterThan(0);
  });
});

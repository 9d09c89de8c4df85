import {
  consensusResponseSchema,
  type EpochScoringContext,
  type MinerEvidence,
  validationResultsCommitment,
  validationResultsReportResponseSchema,
  summariseMinerAudit,
} from '@resi/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateExpectedListings } from '../src/catalogue/catalogue.js';
import { EpochRepository } from '../src/repositories/epoch.repository.js';
import { zipcodeHistory } from '../src/schema/index.js';
import { publishResultsFile, resultsFileFor } from './published-results.test-utils.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from './test-api.js';

const EPOCH = '2025-10-01T16-00-00';
const DURING = new Date('2025-10-01T17:00:00Z');
const AFTER = new Date('2025-10-01T20:20:00Z');

describe('POST /api/v1/validation-results and GET /api/v1/epochs/{epochId}/consensus', () => {
  let sut: TestApi;
  let miner: TestIdentity;
  let validators: TestIdentity[];
  let context: EpochScoringContext;
  let evidence: MinerEvidence[];
  let unaudited: string;

  const report = (who: TestIdentity, resultsSha256: string, fields: Record<string, unknown> = {}) => {
    const timestamp = Math.floor(sut.clock.now().getTime() / 1000);
    return sut.inject({
      method: 'POST',
      url: '/api/v1/validation-results',
      payload: {
        hotkey: who.hotkey,
        timestamp,
        signature: who.sign(validationResultsCommitment(EPOCH, resultsSha256, timestamp)),
        epochId: EPOCH,
        resultsSha256,
        minersScored: evidence.length,
        ...fields,
      },
    });
  };

  beforeAll(async () => {
    [miner, ...validators] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity(), makeIdentity()]);
    sut = await createTestApi({
      now: DURING,
      neurons: [neuronOf(miner, 7), ...validators.map((v, i) => neuronOf(v, i, true))],
    });
    // The epoch exists once the current one is served; its real zipcodes and honeypot flags.
    await sut.inject({ method: 'GET', url: '/api/v1/zipcode-assignments/stats' });
    const zipcodes = await sut.app.get(EpochRepository).findZipcodes(EPOCH);
    expect(zipcodes.length).toBeGreaterThan(3);
    context = {
      epochId: EPOCH,
      nonce: 'abcdef0123456789',
      epochStartMs: Date.parse('2025-10-01T16:00:00Z'),
      submissionDeadlineMs: Date.parse('2025-10-01T20:00:00Z'),
      graceEndMs: Date.parse('2025-10-01T20:15:00Z'),
      zipcodes: zipcodes.map((z) => ({
        zipcode: z.zipcode,
        expectedListings: z.expectedListings,
        isHoneypot: z.isHoneypot,
      })),
      audit: { seed: 'b'.repeat(64), zipcodes: [], trueCounts: new Map(), abstention: null },
    };
    // One miner finds twice the expected listings everywhere real; claims in honeypots are absent.
    const credited = new Map(zipcodes.filter((z) => !z.isHoneypot).map((z) => [z.zipcode, z.expectedListings * 2]));
    // The audit checked every real zipcode but one, and the site agreed with the miner there.
    unaudited = [...credited.keys()].sort().at(-1)!;
    const checked = [...credited].filter(([zipcode]) => zipcode !== unaudited).sort(([a], [b]) => (a < b ? -1 : 1));
    context = {
      ...context,
      audit: { ...context.audit, zipcodes: checked.map(([zipcode]) => zipcode), trueCounts: new Map(checked) },
    };
    const rows = [...credited.values()].reduce((sum, n) => sum + n, 0);
    evidence = [
      {
        hotkey: miner.hotkey,
        uid: 7,
        uploadedAtMs: Date.parse('2025-10-01T19:00:00Z'),
        listingsClaimed: rows,
        rejection: null,
        abstention: null,
        audit: summariseMinerAudit([
          { zipcode: [...credited.keys()][0]!, rows: 50, verified: 50, mismatched: 0, notFound: 0, noVerdict: {} },
        ]),
        listings: {
          rows,
          rowsMissingRequired: 0,
          rowsWithInvalidFormat: 0,
          rowsWithUnreasonableValues: 0,
          duplicateRows: 0,
          validRows: rows,
          rowsByZipcode: credited,
          listingsByZipcode: credited,
          creditedByZipcode: credited,
          overlapRows: 0,
          reasonCounts: {},
        },
      },
    ];
  });
  afterAll(() => sut?.close());

  it('refuses a report before the epoch is COMPLETED', async () => {
    const res = await report(validators[0]!, 'a'.repeat(64));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EPOCH_NOT_OPEN' });
  });

  it('refuses a report without a published file, or naming another digest', async () => {
    sut.clock.set(AFTER);
    expect((await report(validators[0]!, 'b'.repeat(64))).json()).toMatchObject({ code: 'NOT_FOUND' });
    const file = resultsFileFor(context, evidence, validators[0]!.hotkey);
    await publishResultsFile(sut.deps.storage, file);
    const res = await report(validators[0]!, 'c'.repeat(64));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.json<{ message: string }>().message).toContain(file.results_sha256);
  });

  it("records a matching report, and folds each audited zipcode's consensus count into its expected count once validators holding most of the stake agree", async () => {
    const file = resultsFileFor(context, evidence, validators[0]!.hotkey);
    const res = await report(validators[0]!, file.results_sha256);
    expect(res.statusCode).toBe(200);
    expect(validationResultsReportResponseSchema.parse(res.json())).toMatchObject({
      matchingReports: 1,
      epochId: EPOCH,
    });
    const db = sut.deps.database.db;
    const historyOf = async (zipcode: string) =>
      (await db.select().from(zipcodeHistory).where(eq(zipcodeHistory.zipcode, zipcode)))[0];
    // One validator of three with equal stake: a third of the stake, no consensus yet.
    for (const zipcode of context.zipcodes) expect(await historyOf(zipcode.zipcode)).toBeUndefined();

    // A second validator with the same results: two thirds of the stake agree.
    await publishResultsFile(sut.deps.storage, resultsFileFor(context, evidence, validators[1]!.hotkey));
    expect((await report(validators[1]!, file.results_sha256)).json()).toMatchObject({ matchingReports: 2 });
    for (const zipcode of context.zipcodes) {
      const row = await historyOf(zipcode.zipcode);
      // Honeypots and the zipcode nobody checked report no count: an unverified count never moves an estimate.
      if (zipcode.isHoneypot || zipcode.zipcode === unaudited) {
        expect(row).toBeUndefined();
        continue;
      }
      expect(row).toMatchObject({
        expectedListings: updateExpectedListings(zipcode.expectedListings, zipcode.expectedListings * 2),
        baseExpectedListings: zipcode.expectedListings,
        observations: 1,
        lastObservedEpochId: EPOCH,
      });
    }
  });

  it('groups the reports by digest for the consensus view', async () => {
    const dissent = resultsFileFor(context, [], validators[2]!.hotkey);
    await publishResultsFile(sut.deps.storage, dissent);
    expect((await report(validators[2]!, dissent.results_sha256)).json()).toMatchObject({ matchingReports: 1 });
    const res = await sut.inject({ method: 'GET', url: `/api/v1/epochs/${EPOCH}/consensus` });
    expect(res.statusCode).toBe(200);
    const body = consensusResponseSchema.parse(res.json());
    const agreed = resultsFileFor(context, evidence, validators[0]!.hotkey).results_sha256;
    expect(body).toMatchObject({ validatorsReported: 3, consensusSha256: agreed, agreement: 2 / 3 });
    expect(body.groups.map((group) => [group.resultsSha256, group.validators.length])).toEqual([
      [agreed, 2],
      [dissent.results_sha256, 1],
    ]);
    expect(body.groups[0]!.validators[0]).toMatchObject({ minersScored: 1, reportedAt: AFTER.toISOString() });
  });

  it('refuses miners, replays and unknown epochs', async () => {
    expect((await report(miner, 'd'.repeat(64))).json()).toMatchObject({ code: 'NOT_A_VALIDATOR' });
    const timestamp = Math.floor(AFTER.getTime() / 1000);
    const digest = resultsFileFor(context, evidence, validators[0]!.hotkey).results_sha256;
    const payload = {
      hotkey: validators[0]!.hotkey,
      timestamp,
      signature: validators[0]!.sign(validationResultsCommitment(EPOCH, digest, timestamp)),
      epochId: EPOCH,
      resultsSha256: digest,
    };
    expect((await sut.inject({ method: 'POST', url: '/api/v1/validation-results', payload })).statusCode).toBe(200);
    expect((await sut.inject({ method: 'POST', url: '/api/v1/validation-results', payload })).json()).toMatchObject({
      code: 'SIGNATURE_REPLAYED',
    });
    expect(
      (await sut.inject({ method: 'GET', url: '/api/v1/epochs/2020-01-01T00-00-00/consensus' })).json(),
    ).toMatchObject({
      code: 'EPOCH_NOT_FOUND',
    });
  });
});

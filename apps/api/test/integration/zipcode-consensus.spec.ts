import {
  type EpochScoringContext,
  type MinerEvidence,
  type Neuron,
  summariseMinerAudit,
  validationResultsCommitment,
} from '@resi/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateExpectedListings } from '../../src/catalogue/catalogue.js';
import { EpochRepository } from '../../src/repositories/epoch.repository.js';
import { zipcodeHistory } from '../../src/schema/index.js';
import { publishResultsFile, resultsFileFor } from '../published-results.test-utils.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity, testBackends } from '../test-api.js';

const EPOCH = '2025-10-01T16-00-00';
const DURING = new Date('2025-10-01T17:00:00Z');
const AFTER = new Date('2025-10-01T20:20:00Z');

/**
 * The expected-count history follows what validators agree on, weighted by stake: a validator
 * with a minority of the stake reporting absurd counts, first or last, moves nothing; each new
 * report refines the epoch's contribution rather than adding another.
 */
describe.each(testBackends())('zipcode history by stake-weighted consensus ($name)', ({ env }) => {
  let sut: TestApi;
  let miner: TestIdentity;
  let [alice, bob, mallory]: TestIdentity[] = [];
  let context: EpochScoringContext;

  /** A miner credited `count(expected)` listings in every real zipcode. */
  const evidenceFinding = (count: (expected: number) => number): MinerEvidence[] => {
    const credited = new Map(
      context.zipcodes.filter((z) => !z.isHoneypot).map((z) => [z.zipcode, count(z.expectedListings)]),
    );
    const rows = [...credited.values()].reduce((sum, n) => sum + n, 0);
    return [
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
  };

  const reportFinding = async (who: TestIdentity, count: (expected: number) => number) => {
    // The validator's audit drew every real zipcode and the site reported `count` listings in each:
    // only such true counts reach the history.
    const found = real().map((z): [string, number] => [z.zipcode, count(z.expectedListings)]);
    const audit = { ...context.audit, zipcodes: found.map(([zipcode]) => zipcode).sort(), trueCounts: new Map(found) };
    const file = resultsFileFor({ ...context, audit }, evidenceFinding(count), who.hotkey);
    await publishResultsFile(sut.deps.storage, file);
    const timestamp = Math.floor(sut.clock.now().getTime() / 1000);
    const res = await sut.inject({
      method: 'POST',
      url: '/api/v1/validation-results',
      payload: {
        hotkey: who.hotkey,
        timestamp,
        signature: who.sign(validationResultsCommitment(EPOCH, file.results_sha256, timestamp)),
        epochId: EPOCH,
        resultsSha256: file.results_sha256,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  const history = async () => {
    const rows = await sut.deps.database.db.select().from(zipcodeHistory);
    return new Map(rows.map((row) => [row.zipcode, row]));
  };
  const real = () => context.zipcodes.filter((z) => !z.isHoneypot);

  beforeAll(async () => {
    [miner, alice, bob, mallory] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity(), makeIdentity()]);
    const validator = (who: TestIdentity, uid: number, stake: number): Neuron => ({
      ...neuronOf(who, uid, true),
      stake,
    });
    sut = await createTestApi({
      now: DURING,
      env: await env(),
      neurons: [
        neuronOf(miner, 7),
        validator(alice, 0, 5_000),
        validator(bob, 1, 4_000),
        // A sixth of the validator stake.
        validator(mallory, 2, 1_800),
      ],
    });
    await sut.inject({ method: 'GET', url: '/api/v1/zipcode-assignments/stats' });
    const zipcodes = await sut.app.get(EpochRepository).findZipcodes(EPOCH);
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
    expect(real().length).toBeGreaterThan(2);
    sut.clock.set(AFTER);
  }, 60_000);
  afterAll(() => sut?.close());

  it('ignores a minority validator reporting first and alone', async () => {
    await reportFinding(mallory!, (expected) => expected * 100 + 50);
    expect((await history()).size).toBe(0);
  });

  it('follows the majority once validators holding most of the stake reported, the minority notwithstanding', async () => {
    await reportFinding(alice!, (expected) => expected * 2);
    let rows = await history();
    for (const zipcode of real()) {
      expect(rows.get(zipcode.zipcode)).toMatchObject({
        expectedListings: updateExpectedListings(zipcode.expectedListings, zipcode.expectedListings * 2),
        baseExpectedListings: zipcode.expectedListings,
        observations: 1,
        lastObservedEpochId: EPOCH,
      });
    }
    // Bob reports a little more: with Mallory's absurd count above both, the median moves to
    // Bob's, folded from the same base, once.
    await reportFinding(bob!, (expected) => expected * 2 + 1);
    rows = await history();
    for (const zipcode of real()) {
      expect(rows.get(zipcode.zipcode)).toMatchObject({
        expectedListings: updateExpectedListings(zipcode.expectedListings, zipcode.expectedListings * 2 + 1),
        observations: 1,
      });
    }
    for (const zipcode of context.zipcodes.filter((z) => z.isHoneypot))
      expect(rows.get(zipcode.zipcode)).toBeUndefined();
  });

  it('is not moved by the minority reporting absurd counts again, either way', async () => {
    const before = await history();
    await reportFinding(mallory!, () => 0);
    await reportFinding(mallory!, (expected) => expected * 1000);
    expect(await history()).toEqual(before);
  });

  it('recomputes to the same history whatever order the same reports arrive in', async () => {
    const before = await history();
    await reportFinding(alice!, (expected) => expected * 2);
    expect(await history()).toEqual(before);
    const [zipcode] = real();
    const [row] = await sut.deps.database.db
      .select()
      .from(zipcodeHistory)
      .where(eq(zipcodeHistory.zipcode, zipcode!.zipcode));
    expect(row!.observations).toBe(1);
  });
});

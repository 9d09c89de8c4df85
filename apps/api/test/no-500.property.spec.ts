import { errorBodySchema } from '@resi/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from './test-api.js';

const NOW = new Date('2025-10-01T17:00:00Z');
const ts = Math.floor(NOW.getTime() / 1000);

/** Plausible-looking and hostile values for every field a client sends. */
function fieldValue(miner: TestIdentity): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.string(),
    fc.constantFrom(miner.hotkey, 'ab'.repeat(64), '0x' + 'cd'.repeat(64), String(ts), '2025-10-01T16-00-00', ''),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
  );
}

function record(miner: TestIdentity) {
  const keys = fc.constantFrom(
    'hotkey',
    'signature',
    'timestamp',
    'epochId',
    'nonce',
    'status',
    's3UploadComplete',
    'zipcodesCompleted',
    'listingsScraped',
    '__proto__',
    'constructor',
    'x',
  );
  return fc.dictionary(keys, fieldValue(miner), { maxKeys: 8 });
}

/** Whatever arrives, the answer is a protocol body: never a 500, never a stack trace. */
describe('no input yields a 500', () => {
  let sut: TestApi;
  let miner: TestIdentity;

  beforeAll(async () => {
    miner = await makeIdentity();
    sut = await createTestApi({
      now: NOW,
      neurons: [neuronOf(miner, 1)],
      env: {
        RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '100000',
        RATE_LIMIT_STATUS_PER_MINUTE: '100000',
        RATE_LIMIT_VALIDATOR_READS_PER_MINUTE: '100000',
      },
    });
  });
  afterAll(() => sut.close());

  const expectProtocolAnswer = (res: { statusCode: number; body: string; json: () => unknown }) => {
    expect(res.statusCode, res.body).toBeLessThan(500);
    if (res.statusCode >= 400) {
      expect(errorBodySchema.safeParse(res.json()).success, res.body).toBe(true);
      expect(res.body).not.toMatch(/at \w+ \(|node_modules/);
    }
  };

  it('on signed GETs with arbitrary query strings and path segments', async () => {
    await fc.assert(
      fc.asyncProperty(
        record(miner),
        fc.oneof(fc.string(), fc.constant('2025-10-01T16-00-00')),
        async (query, segment) => {
          const params = Object.fromEntries(
            Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
          );
          expectProtocolAnswer(
            await sut.inject({ method: 'GET', url: '/api/v1/zipcode-assignments/current', query: params }),
          );
          expectProtocolAnswer(
            await sut.inject({
              method: 'GET',
              url: `/api/v1/zipcode-assignments/epoch/${encodeURIComponent(segment)}`,
              query: params,
            }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('on POST /status with arbitrary JSON and non-JSON bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(record(miner), fc.jsonValue()), async (body) => {
        expectProtocolAnswer(
          await sut.inject({ method: 'POST', url: '/api/v1/zipcode-assignments/status', payload: body as object }),
        );
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (raw, type) => {
          expectProtocolAnswer(
            await sut.inject({
              method: 'POST',
              url: '/api/v1/zipcode-assignments/status',
              headers: { 'content-type': type },
              payload: raw,
            }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

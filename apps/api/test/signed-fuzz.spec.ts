import { ERROR_CODES, type ErrorCode, errorBodySchema } from '@resi/core';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_CONTROLLERS } from '../src/routes.js';
import { type ApiRoute, apiRoutes } from './fuzz/api-routes.js';
import {
  anyJson,
  applyMutations,
  BOUNDARY_STRINGS,
  type KnownValues,
  mutations,
  requestJsonSchema,
  validValue,
} from './fuzz/schema-arbitrary.js';
import {
  createTestApi,
  describeOnBackends,
  makeIdentity,
  neuronOf,
  type TestApi,
  type TestIdentity,
} from './test-api.js';

/*
 * The fuzz tier: requests that get past authentication (signed by registered hotkeys over the
 * right commitment, current timestamp, current epoch and nonce) and carry boundary values
 * generated from each route's zod schema: integers past int32 and int64, instants out of range,
 * huge arrays, unicode, nulls, removed and unknown fields. Whatever arrives, the answer is never
 * a 5xx and every refusal carries a stable code.
 *
 * The cases of a route are drawn up front from one seed and sent FUZZ_CONCURRENCY at a time to one
 * app and database for the whole file; only a failing case is replayed through fast-check, which
 * shrinks it. FUZZ_RUNS sets the cases per signed route (public routes get a twentieth);
 * FUZZ_SEED replays a run.
 */

const NOW = new Date('2025-10-01T17:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const DEFAULT_RUNS = 1_700;
const RUNS_PER_SIGNED_ROUTE = Number(process.env.FUZZ_RUNS ?? DEFAULT_RUNS);
const RUNS_PER_PUBLIC_ROUTE = Math.ceil(RUNS_PER_SIGNED_ROUTE / 20);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
/** Requests past authentication each backend must see at the default runs (scaled with FUZZ_RUNS). */
const PAST_AUTH_TARGET = 10_000;
// Generous: on a loaded CI machine one route's cases take a while; the budget is the whole file's.
const ROUTE_TIMEOUT_MS = 180_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** Refusals that mean the request did not get past authentication. */
const AUTH_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  'TIMESTAMP_OUT_OF_WINDOW',
  'SIGNATURE_INVALID',
  'SIGNATURE_REPLAYED',
  'HOTKEY_NOT_REGISTERED',
  'COLDKEY_MISMATCH',
  'NOT_A_VALIDATOR',
  'RATE_LIMITED',
]);
const SIGNED_FIELDS = new Set(['hotkey', 'signature', 'timestamp']);

interface Tally {
  cases: number;
  authenticated: number;
  byStatus: Map<number, number>;
}

/**
 * Runs `numRuns` cases of `arbitrary` through `check`, {@link CONCURRENCY} at a time. The cases are
 * those fast-check draws for the property with {@link SEED}; when one fails, the property is run
 * again serially through `fc.assert` up to that case, which shrinks it to a small counterexample.
 */
async function fuzz<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns: number): Promise<void> {
  const property = fc.asyncProperty(arbitrary, check);
  const cases = fc.sample(property, { seed: SEED, numRuns });
  let next = 0;
  let failure: { index: number; error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < cases.length) {
      const index = next++;
      try {
        await check(cases[index]![0]);
      } catch (error) {
        failure ??= { index, error };
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failure === undefined) return;
  await fc.assert(property, { seed: SEED, numRuns: failure.index + 1 });
  // Passed serially: the failure needed the concurrent requests around it.
  throw failure.error;
}

interface Injected {
  statusCode: number;
  body: string;
}

function checkAnswer(res: Injected, what: () => string, tally: Tally): ErrorCode | null {
  tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
  if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${what()}: ${res.body.slice(0, 500)}`);
  if (res.statusCode < 400) return null;
  const parsed = errorBodySchema.safeParse(JSON.parse(res.body));
  if (!parsed.success || !(parsed.data.code in ERROR_CODES) || parsed.data.statusCode !== res.statusCode) {
    throw new Error(`refusal without a stable code for ${what()}: ${res.body.slice(0, 500)}`);
  }
  if (/at \w+ \(|node_modules/.test(res.body)) throw new Error(`stack trace in the answer to ${what()}`);
  return parsed.data.code;
}

function asQueryValue(value: unknown): string | string[] {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return value === undefined ? '' : JSON.stringify(value);
}

/** Percent-encodes every UTF-8 byte (a lone surrogate becomes U+FFFD, as a client's encoder would send it). */
function encodeSegment(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

function fillPath(route: ApiRoute, values: Record<string, unknown>): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    const value = values[name];
    return encodeSegment(typeof value === 'string' ? value : JSON.stringify(value ?? ''));
  });
}

describeOnBackends('signed requests with boundary values never get a 5xx', ({ name, env }) => {
  let sut: TestApi;
  let miners: TestIdentity[];
  let validator: TestIdentity;
  let epochId: string;
  let nonce: string;
  let zipcodes: string[];
  const tally: Tally = { cases: 0, authenticated: 0, byStatus: new Map() };
  let started = 0;
  let startedCpu: NodeJS.CpuUsage | undefined;

  beforeAll(async () => {
    started = performance.now();
    startedCpu = process.cpuUsage();
    miners = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
    validator = await makeIdentity();
    sut = await createTestApi({
      now: NOW,
      neurons: [...miners.map((m, uid) => neuronOf(m, uid)), neuronOf(validator, 9, true)],
      env: {
        ...(await env()),
        RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: '1000000',
        RATE_LIMIT_STATUS_PER_MINUTE: '1000000',
        RATE_LIMIT_MINER_S3_PER_DAY: '1000000',
        RATE_LIMIT_VALIDATOR_UPLOAD_PER_HOUR: '1000000',
        RATE_LIMIT_VALIDATOR_READS_PER_MINUTE: '1000000',
        RATE_LIMIT_STATS_PER_MINUTE: '1000000',
        // The clock stands still, so a window never ends: the fuzz's refusals must not add up to a 429.
        RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_AUTH_FAILURES_PER_HOTKEY_PER_MINUTE: '1000000',
      },
    });
    const miner = miners[0]!;
    const res = await sut.inject({
      method: 'GET',
      url: '/api/v1/zipcode-assignments/current',
      query: {
        hotkey: miner.hotkey,
        signature: miner.sign(`zipcode:assignment:current:${NOW_SECONDS}`),
        timestamp: String(NOW_SECONDS),
      },
    });
    const current = res.json<{ epochId: string; nonce: string; zipcodes: { zipcode: string }[] }>();
    ({ epochId, nonce } = current);
    zipcodes = current.zipcodes.map((z) => z.zipcode);
  }, ROUTE_TIMEOUT_MS);

  afterAll(async () => {
    await sut?.close();
    if (tally.cases === 0) return;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(startedCpu);
    const statuses = [...tally.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    const serverErrors = [...tally.byStatus].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `fuzz on ${name}: ${tally.authenticated} requests past authentication of ${tally.cases}, 5xx: ${serverErrors} ` +
        `(${statuses.join(' ')}) in ${seconds.toFixed(1)} s, ${Math.round(tally.cases / seconds)} req/s ` +
        `(this process's CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), FUZZ_RUNS=${RUNS_PER_SIGNED_ROUTE} FUZZ_SEED=${SEED}`,
    );
  });

  const signedRoutes = apiRoutes(API_CONTROLLERS).filter((r) => r.signed);
  const publicRoutes = apiRoutes(API_CONTROLLERS).filter((r) => !r.signed);

  it('covers every signed route', () => {
    expect(signedRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/zipcode-assignments/current',
        'POST /api/v1/zipcode-assignments/status',
        'POST /get-folder-access',
        'POST /api/v1/validation-results',
      ]),
    );
    expect(signedRoutes.length).toBeGreaterThanOrEqual(10);
  });

  it.each(signedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s',
    async (_name, route) => {
      const spec = route.signed!;
      const { root, resolve } = requestJsonSchema(spec.schema);
      const signers = spec.role === 'validator' ? [validator] : miners;
      const frozen = new Set([...SIGNED_FIELDS, ...(spec.coldkey ? ['coldkey'] : [])]);
      const caseArbitrary = fc.oneof(
        ...signers.map((who) => {
          // One object per signer: the arbitraries built from it are built once (see schema-arbitrary).
          const known: KnownValues = {
            // Set for real (and signed) once the case is built; no need to generate them.
            hotkey: fc.constant(who.hotkey),
            signature: fc.constant(''),
            timestamp: fc.constant(NOW_SECONDS),
            epochId: fc.oneof({ weight: 9, arbitrary: fc.constant(epochId) }, fc.constant('2025-10-01T12-00-00')),
            nonce: fc.constant(nonce),
            zipcode: fc.constantFrom(...zipcodes),
            coldkey: fc.constant(who.coldkey),
            miner_hotkey: fc.constantFrom(...miners.map((m) => m.hotkey)),
          };
          return fc.tuple(fc.nat(), validValue(root, resolve, known)).chain(([index, valid]) => {
            const input = valid as Record<string, unknown>;
            return mutations(input, root, resolve, frozen, known).map((changes) => ({ who, index, input, changes }));
          });
        }),
      );

      await fuzz(
        caseArbitrary,
        async ({ who, index, input, changes }) => {
          const mutated = applyMutations(input, changes);
          const signedFields: Record<string, unknown> = {
            hotkey: who.hotkey,
            timestamp: spec.source === 'query' ? String(NOW_SECONDS) : NOW_SECONDS,
          };
          const unsigned = { ...mutated, ...signedFields };
          // A field the commitment names may have been removed: the schema refuses that before any
          // signature check, so what is signed then does not matter.
          let commitments: string[];
          try {
            commitments = spec.commitments({ ...unsigned, timestamp: NOW_SECONDS } as never);
          } catch {
            commitments = ['incomplete'];
          }
          const signature = who.sign(commitments[index % commitments.length]!);
          const values = { ...unsigned, signature };
          const rest = Object.fromEntries(Object.entries(values).filter(([k]) => !route.pathParams.includes(k)));
          const url = fillPath(route, values);
          const res =
            spec.source === 'query'
              ? await sut.inject({
                  method: 'GET',
                  url,
                  query: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, asQueryValue(v)])),
                })
              : await sut.inject({ method: 'POST', url, payload: rest });
          tally.cases++;
          const what = () => `${route.method} ${url} ${JSON.stringify(changes).slice(0, 400)}`;
          const code = checkAnswer(res, what, tally);
          // What the guard would have parsed: an accepted input must not fail authentication.
          const merged =
            spec.source === 'query'
              ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k in rest ? asQueryValue(v) : v]))
              : values;
          if (spec.schema.safeParse(merged).success) {
            if (code !== null && AUTH_REFUSALS.has(code)) throw new Error(`${code} on a correctly signed ${what()}`);
            tally.authenticated++;
          }
        },
        RUNS_PER_SIGNED_ROUTE,
      );
    },
    ROUTE_TIMEOUT_MS,
  );

  it.each(publicRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s',
    async (_name, route) => {
      const segment = fc.oneof(
        fc.constant(epochId),
        fc.constantFrom(...BOUNDARY_STRINGS),
        fc.string({ unit: 'grapheme' }),
      );
      await fuzz(
        fc.tuple(
          fc.record(Object.fromEntries(route.pathParams.map((p) => [p, segment]))),
          fc.dictionary(fc.constantFrom('epochId', 'hotkey', 'limit', 'page', 'x', 'constructor'), anyJson, {
            maxKeys: 3,
          }),
        ),
        async ([params, query]) => {
          const url = fillPath(route, params);
          const res = await sut.inject({
            method: route.method,
            url,
            query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, asQueryValue(v)])),
            ...(route.method === 'POST' ? { payload: query } : {}),
          });
          tally.cases++;
          if (res.statusCode >= 500)
            throw new Error(`${res.statusCode} for ${route.method} ${url}: ${res.body.slice(0, 300)}`);
          tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
        },
        RUNS_PER_PUBLIC_ROUTE,
      );
    },
    ROUTE_TIMEOUT_MS,
  );

  it('sends enough requests past authentication', () => {
    // A generator drifting to inputs the schemas refuse would test validation only: this keeps
    // the share that reaches the services and the database.
    const target = Math.floor((PAST_AUTH_TARGET * RUNS_PER_SIGNED_ROUTE) / DEFAULT_RUNS);
    expect(tally.authenticated).toBeGreaterThanOrEqual(target);
  });
});

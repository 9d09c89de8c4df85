import {
  currentAssignmentsResponseSchema,
  epochAssignmentsResponseSchema,
  minerStatusCommitment,
  statsResponseSchema,
  statusCommitment,
} from '@resi/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SubmissionRepository } from '../src/repositories/submission.repository.js';
import {
  createTestApi,
  describeOnBackends,
  makeIdentity,
  neuronOf,
  type TestApi,
  type TestIdentity,
} from './test-api.js';

// 17:00 UTC: inside the production epoch 2025-10-01T16-00-00 (16:00–20:00).
const NOW = new Date('2025-10-01T17:00:00Z');
const EPOCH = '2025-10-01T16-00-00';
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describeOnBackends(
  'zipcode assignments and status updates as the deployed Python clients call them (signed query strings and bodies)',
  ({ env }) => {
    let sut: TestApi;
    let miner: TestIdentity;
    let otherMiner: TestIdentity;
    let validator: TestIdentity;
    let stranger: TestIdentity;

    /** What a Python miner does: sign `zipcode:assignment:current:{ts}`, hex without 0x, query string. */
    const getCurrent = (who: TestIdentity, ts = seconds(sut.clock.now())) =>
      sut.inject({
        method: 'GET',
        url: '/api/v1/zipcode-assignments/current',
        query: { hotkey: who.hotkey, signature: who.sign(`zipcode:assignment:current:${ts}`), timestamp: String(ts) },
      });

    const postStatus = (who: TestIdentity, body: Record<string, unknown>, commitment?: string) => {
      const ts = seconds(sut.clock.now());
      const epochId = body.epochId as string;
      const message = commitment ?? statusCommitment(epochId, ts);
      return sut.inject({
        method: 'POST',
        url: '/api/v1/zipcode-assignments/status',
        payload: { hotkey: who.hotkey, signature: who.sign(message), timestamp: ts, ...body },
      });
    };

    beforeAll(async () => {
      [miner, otherMiner, validator, stranger] = await Promise.all([
        makeIdentity(),
        makeIdentity(),
        makeIdentity(),
        makeIdentity(),
      ]);
      sut = await createTestApi({
        now: NOW,
        neurons: [neuronOf(validator, 0, true), neuronOf(miner, 1), neuronOf(otherMiner, 2)],
        env: await env(),
      });
    });
    afterAll(() => sut.close());

    it('serves the current assignment in the seed shape, the same for every miner, without honeypot flags', async () => {
      const res = await getCurrent(miner);
      expect(res.statusCode).toBe(200);
      const body = currentAssignmentsResponseSchema.parse(res.json());
      expect(body.epochId).toBe(EPOCH);
      expect(body.epochStart).toBe('2025-10-01T16:00:00.000Z');
      expect(body.epochEnd).toBe('2025-10-01T20:00:00.000Z');
      expect(body.submissionDeadline).toBe(body.epochEnd);
      expect(body.nonce).toMatch(/^[0-9a-f]{16}$/);
      expect(body.zipcodes.length).toBeGreaterThan(5);
      expect(body.metadata.zipcodeCount).toBe(body.zipcodes.length);
      expect(body.metadata.totalExpectedListings).toBe(body.zipcodes.reduce((s, z) => s + z.expectedListings, 0));
      expect(JSON.stringify(res.json())).not.toContain('isHoneypot');
      expect(res.headers['x-ratelimit-limit']).toBe('10');

      const other = await getCurrent(otherMiner);
      expect(other.json()).toEqual(res.json());
    });

    it('reveals honeypots to validators only once the epoch is COMPLETED', async () => {
      const read = (epochId: string) => {
        const ts = seconds(sut.clock.now());
        return sut.inject({
          method: 'GET',
          url: `/api/v1/zipcode-assignments/epoch/${epochId}`,
          query: {
            hotkey: validator.hotkey,
            signature: validator.sign(`zipcode:validation:${epochId}:${ts}`),
            timestamp: String(ts),
          },
        });
      };
      const during = await read(EPOCH);
      expect(during.statusCode).toBe(200);
      expect(epochAssignmentsResponseSchema.parse(during.json()).status).toBe('ACTIVE');
      expect(JSON.stringify(during.json())).not.toContain('isHoneypot');

      sut.clock.set(new Date('2025-10-01T20:05:00Z'));
      try {
        // COMPLETED, but uploads are still accepted until the grace end: nothing revealed yet.
        const inGrace = await read(EPOCH);
        expect(epochAssignmentsResponseSchema.parse(inGrace.json()).status).toBe('COMPLETED');
        expect(JSON.stringify(inGrace.json())).not.toContain('isHoneypot');
        expect(inGrace.json()).not.toHaveProperty('auditSeed');

        sut.clock.set(new Date('2025-10-01T20:15:00Z'));
        const after = epochAssignmentsResponseSchema.parse((await read(EPOCH)).json());
        expect(after.status).toBe('COMPLETED');
        expect(after.auditSeed).toMatch(/^[0-9a-f]{64}$/);
        // Derived from the server's secret and the epoch: the same on every read and replica.
        expect(epochAssignmentsResponseSchema.parse((await read(EPOCH)).json()).auditSeed).toBe(after.auditSeed);
        const honeypots = after.zipcodes.filter((z) => z.isHoneypot === true);
        expect(after.zipcodes.every((z) => typeof z.isHoneypot === 'boolean')).toBe(true);
        const share = honeypots.length / after.zipcodes.length;
        expect(share).toBeGreaterThanOrEqual(0.04);
        expect(share).toBeLessThanOrEqual(0.11);
      } finally {
        sut.clock.set(NOW);
      }
    });

    it('refuses validator routes to a miner and to an unregistered hotkey', async () => {
      const ts = seconds(NOW);
      const asMiner = await sut.inject({
        method: 'GET',
        url: `/api/v1/zipcode-assignments/epoch/${EPOCH}`,
        query: {
          hotkey: miner.hotkey,
          signature: miner.sign(`zipcode:validation:${EPOCH}:${ts}`),
          timestamp: String(ts),
        },
      });
      expect(asMiner.statusCode).toBe(403);
      expect(asMiner.json()).toMatchObject({ success: false, code: 'NOT_A_VALIDATOR' });

      const unregistered = await getCurrent(stranger);
      expect(unregistered.statusCode).toBe(403);
      expect(unregistered.json()).toMatchObject({ code: 'HOTKEY_NOT_REGISTERED' });
    });

    it('accepts status updates in both commitment forms and keeps every zipcode ever reported', async () => {
      const assignment = currentAssignmentsResponseSchema.parse((await getCurrent(miner)).json());
      const [a, b, c] = assignment.zipcodes.map((z) => z.zipcode);
      const base = { epochId: EPOCH, nonce: assignment.nonce, s3UploadComplete: false };

      const python = await postStatus(miner, {
        ...base,
        status: 'IN_PROGRESS',
        listingsScraped: 12,
        zipcodesCompleted: [
          { zipcode: a, listingsScraped: 5, completedAt: '2025-10-01T16:30:00.000Z' },
          { zipcode: b, listingsScraped: 7, completedAt: '2025-10-01T16:40:00+00:00' },
        ],
      });
      expect(python.statusCode).toBe(200);
      expect(python.json()).toMatchObject({ success: true, epochId: EPOCH, status: 'IN_PROGRESS' });

      const ts = seconds(sut.clock.now());
      const seed = await postStatus(
        miner,
        {
          ...base,
          status: 'COMPLETED',
          listingsScraped: 20,
          zipcodesCompleted: [{ zipcode: c, listingsScraped: 8, completedAt: '2025-10-01T16:50:00Z' }],
          s3UploadComplete: true,
          s3UploadTimestamp: '2025-10-01T16:55:00Z',
        },
        minerStatusCommitment(miner.hotkey, EPOCH, ts),
      );
      expect(seed.statusCode).toBe(200);

      const progress = await sut.app.get(SubmissionRepository).zipcodesFor(EPOCH, [miner.hotkey]);
      expect(progress.map((p) => p.zipcode).sort()).toEqual([a, b, c].sort());
      const row = await sut.app.get(SubmissionRepository).find(EPOCH, miner.hotkey);
      expect(row).toMatchObject({ status: 'COMPLETED', listingsScraped: 20, s3UploadComplete: true, updates: 2 });
    });

    it('refuses a replayed signature, a wrong nonce, an unassigned zipcode and an epoch past grace', async () => {
      const assignment = currentAssignmentsResponseSchema.parse((await getCurrent(otherMiner)).json());
      const ts = seconds(sut.clock.now());
      const payload = {
        hotkey: otherMiner.hotkey,
        signature: otherMiner.sign(statusCommitment(EPOCH, ts)),
        timestamp: ts,
        epochId: EPOCH,
        nonce: assignment.nonce,
        status: 'IN_PROGRESS',
        s3UploadComplete: false,
      };
      const first = await sut.inject({ method: 'POST', url: '/api/v1/zipcode-assignments/status', payload });
      expect(first.statusCode).toBe(200);
      const replay = await sut.inject({ method: 'POST', url: '/api/v1/zipcode-assignments/status', payload });
      expect(replay.statusCode).toBe(409);
      expect(replay.json()).toMatchObject({ code: 'SIGNATURE_REPLAYED' });

      sut.clock.advance(1000);
      const wrongNonce = await postStatus(otherMiner, {
        epochId: EPOCH,
        nonce: '0123456789abcdef',
        status: 'IN_PROGRESS',
        s3UploadComplete: false,
      });
      expect(wrongNonce.json()).toMatchObject({ statusCode: 409, code: 'NONCE_MISMATCH' });

      sut.clock.advance(1000);
      const unassigned = await postStatus(otherMiner, {
        epochId: EPOCH,
        nonce: assignment.nonce,
        status: 'IN_PROGRESS',
        s3UploadComplete: false,
        zipcodesCompleted: [{ zipcode: '00000', listingsScraped: 1, completedAt: '2025-10-01T16:30:00Z' }],
      });
      expect(unassigned.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });

      sut.clock.set(new Date('2025-10-01T20:14:00Z')); // within the 15-minute grace
      try {
        const late = await postStatus(otherMiner, {
          epochId: EPOCH,
          nonce: assignment.nonce,
          status: 'COMPLETED',
          s3UploadComplete: false,
        });
        expect(late.statusCode).toBe(200);
        sut.clock.set(new Date('2025-10-01T20:16:00Z'));
        const closed = await postStatus(otherMiner, {
          epochId: EPOCH,
          nonce: assignment.nonce,
          status: 'COMPLETED',
          s3UploadComplete: false,
        });
        expect(closed.json()).toMatchObject({ statusCode: 409, code: 'EPOCH_CLOSED' });
      } finally {
        sut.clock.set(NOW);
      }
    });

    it('refuses stale, future and mis-signed requests with the code that says which check failed', async () => {
      const now = seconds(NOW);
      expect((await getCurrent(miner, now - 301)).json()).toMatchObject({
        statusCode: 401,
        code: 'TIMESTAMP_OUT_OF_WINDOW',
      });
      expect((await getCurrent(miner, now + 61)).json()).toMatchObject({
        statusCode: 401,
        code: 'TIMESTAMP_OUT_OF_WINDOW',
      });
      expect((await getCurrent(miner, now - 300)).statusCode).toBe(200);

      const wrongKey = await sut.inject({
        method: 'GET',
        url: '/api/v1/zipcode-assignments/current',
        query: {
          hotkey: miner.hotkey,
          signature: otherMiner.sign(`zipcode:assignment:current:${now}`),
          timestamp: String(now),
        },
      });
      expect(wrongKey.json()).toMatchObject({ statusCode: 401, code: 'SIGNATURE_INVALID' });
      expect(wrongKey.json<{ message: string }>().message).toContain(`zipcode:assignment:current:${now}`);

      const withPrefix = await sut.inject({
        method: 'GET',
        url: '/api/v1/zipcode-assignments/current',
        query: {
          hotkey: otherMiner.hotkey,
          signature: '0x' + otherMiner.sign(`zipcode:assignment:current:${now}`),
          timestamp: String(now),
        },
      });
      expect(withPrefix.statusCode).toBe(200);
    });

    it('answers malformed input with VALIDATION_FAILED naming the field, never a 500', async () => {
      const cases: {
        query?: Record<string, string>;
        url?: string;
        payload?: unknown;
        method?: 'GET' | 'POST';
        field: string;
      }[] = [
        {
          query: { hotkey: 'not-an-address', signature: 'ab'.repeat(64), timestamp: String(seconds(NOW)) },
          field: 'hotkey',
        },
        {
          query: { hotkey: miner.hotkey, signature: 'zz'.repeat(64), timestamp: String(seconds(NOW)) },
          field: 'signature',
        },
        {
          query: { hotkey: miner.hotkey, signature: 'ab'.repeat(64), timestamp: 'soon', extra: '1' },
          field: 'timestamp',
        },
      ];
      for (const c of cases) {
        const res = await sut.inject({ method: 'GET', url: '/api/v1/zipcode-assignments/current', query: c.query! });
        expect(res.statusCode, JSON.stringify(c.query)).toBe(400);
        expect(res.json()).toMatchObject({ success: false, code: 'VALIDATION_FAILED' });
        expect(res.json<{ message: string }>().message).toContain(c.field);
      }
      const badJson = await sut.inject({
        method: 'POST',
        url: '/api/v1/zipcode-assignments/status',
        headers: { 'content-type': 'application/json' },
        payload: '{"hotkey":',
      });
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json()).toMatchObject({ code: 'VALIDATION_FAILED' });

      const arrayBody = await sut.inject({
        method: 'POST',
        url: '/api/v1/zipcode-assignments/status',
        payload: [1, 2],
      });
      expect(arrayBody.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });

      const huge = await sut.inject({
        method: 'POST',
        url: '/api/v1/zipcode-assignments/status',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expect(huge.statusCode).toBe(413);
      expect(huge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

      const ts = seconds(NOW);
      const offGrid = await sut.inject({
        method: 'GET',
        url: '/api/v1/zipcode-assignments/epoch/2025-10-01T17-00-00',
        query: {
          hotkey: validator.hotkey,
          signature: validator.sign(`zipcode:validation:2025-10-01T17-00-00:${ts}`),
          timestamp: String(ts),
        },
      });
      expect(offGrid.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      const unknown = await sut.inject({
        method: 'GET',
        url: '/api/v1/zipcode-assignments/epoch/2020-01-01T00-00-00',
        query: {
          hotkey: validator.hotkey,
          signature: validator.sign(`zipcode:validation:2020-01-01T00-00-00:${ts}`),
          timestamp: String(ts),
        },
      });
      expect(unknown.json()).toMatchObject({ statusCode: 404, code: 'EPOCH_NOT_FOUND' });
    });

    it('rate-limits per hotkey with the headers and a Retry-After on 429', async () => {
      const limited = await makeIdentity();
      sut.metagraph.replace([...sut.metagraph.all(), neuronOf(limited, 9)]);
      const responses = [];
      for (let i = 0; i < 11; i++) responses.push(await getCurrent(limited));
      const statuses = responses.map((r) => r.statusCode);
      const last = responses[10]!;
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(last.statusCode).toBe(429);
      expect(last.json()).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect(last.headers['x-ratelimit-remaining']).toBe('0');
    });

    it('publishes statistics with the current epoch, timing and participation', async () => {
      const res = await sut.inject({ method: 'GET', url: '/api/v1/zipcode-assignments/stats' });
      expect(res.statusCode).toBe(200);
      const body = statsResponseSchema.parse(res.json());
      expect(body.epochStatus.currentEpoch?.id).toBe(EPOCH);
      expect(body.epochStatus.timing.timeUntilEpochEnd).toBe(3 * 3600);
      expect(body.epochStatus.nextEpoch.id).toBe('2025-10-01T20-00-00');
      expect(body.catalogue.zipcodes).toBeGreaterThan(20_000);
      expect(body.recentEpochs[0]?.participation.minersReporting).toBeGreaterThanOrEqual(1);
    });

    it('names a new epoch as soon as it starts, though the epoch figures are cached for a minute', async () => {
      const stats = async () =>
        statsResponseSchema.parse(
          (await sut.inject({ method: 'GET', url: '/api/v1/zipcode-assignments/stats' })).json(),
        );
      expect((await stats()).epochStatus.currentEpoch?.id).toBe(EPOCH); // fills the cache
      sut.clock.set(new Date('2025-10-01T20:00:01Z'));
      try {
        const body = await stats();
        expect(body.epochStatus.currentEpoch?.id).toBe('2025-10-01T20-00-00');
        expect(body.epochStatus.currentEpoch?.status).toBe('ACTIVE');
        expect(body.recentEpochs.map((e) => e.id)).toContain(EPOCH);
      } finally {
        sut.clock.set(NOW);
      }
    });

    it('lists the commitment formats', async () => {
      const res = await sut.inject({ method: 'GET', url: '/commitment-formats' });
      expect(res.statusCode).toBe(200);
      expect(JSON.stringify(res.json())).toContain('zipcode:status:{epochId}:{timestamp}');
    });
  },
);

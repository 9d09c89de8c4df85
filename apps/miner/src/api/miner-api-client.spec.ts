import { verifyCommitmentSignature } from '@resi/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../../../packages/client/src/testing/http-fixture-server.test-utils.js';
import { assignmentFixture, makeTestSigner } from '../testing/protocol-fixtures.test-utils.js';
import { ApiRequestError, CircuitOpenError } from '@resi/client';
import { MinerApiClient, type MinerApiClientOptions } from './miner-api-client.js';

const FAST_RETRIES = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const STATUS_ACK = {
  success: true,
  message: 'ok',
  epochId: '2025-10-01T16-00-00',
  status: 'IN_PROGRESS',
  timestamp: '2025-10-01T16:10:00.000Z',
};
const statusUpdate = {
  epochId: '2025-10-01T16-00-00',
  nonce: '376ce532f42cf2a5',
  status: 'IN_PROGRESS' as const,
  listingsScraped: 0,
  s3UploadComplete: false,
};

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(url: string, options: Partial<MinerApiClientOptions> = {}) {
  const signer = await makeTestSigner();
  return new MinerApiClient({ baseUrl: url, signer, backoff: FAST_RETRIES, ...options });
}

describe('MinerApiClient', () => {
  it('signs GET /current as the Python miner does: hotkey, signature and timestamp in the query', async () => {
    server = await startFixtureServer((_request, response) => sendJson(response, 200, assignmentFixture()));
    const client = await clientFor(server.url);
    const assignment = await client.currentAssignments();
    expect(assignment.zipcodes.map((zipcode) => zipcode.zipcode)).toEqual(['19103', '19104']);
    const query = server.requests[0]!.url.searchParams;
    expect(query.get('hotkey')).toBe(client.hotkey);
    const timestamp = Number(query.get('timestamp'));
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(
      verifyCommitmentSignature(`zipcode:assignment:current:${timestamp}`, query.get('signature')!, client.hotkey),
    ).toBe(true);
  });

  it('re-signs every retry of a status update, so no signature is ever sent twice', async () => {
    let calls = 0;
    server = await startFixtureServer((_request, response) => {
      calls += 1;
      if (calls < 3)
        sendJson(response, 503, {
          success: false,
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'SERVICE_UNAVAILABLE',
          message: 'db down',
        });
      else sendJson(response, 200, STATUS_ACK);
    });
    const client = await clientFor(server.url);
    await expect(client.updateStatus(statusUpdate)).resolves.toMatchObject({ status: 'IN_PROGRESS' });
    const bodies = server.requests.map((request) => JSON.parse(request.body.toString()) as Record<string, unknown>);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies.map((body) => body.signature)).size).toBe(3);
    for (const body of bodies) {
      expect(body).toMatchObject({ ...statusUpdate, hotkey: client.hotkey });
      const commitment = `zipcode:status:${statusUpdate.epochId}:${String(body.timestamp)}`;
      expect(verifyCommitmentSignature(commitment, body.signature as string, client.hotkey)).toBe(true);
    }
  });

  it('waits out a 429 Retry-After before trying again', async () => {
    let calls = 0;
    server = await startFixtureServer((_request, response) => {
      calls += 1;
      if (calls === 1) {
        sendJson(
          response,
          429,
          { success: false, statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: 'slow down' },
          { 'retry-after': '1' },
        );
      } else sendJson(response, 200, STATUS_ACK);
    });
    const client = await clientFor(server.url);
    const started = Date.now();
    await client.updateStatus(statusUpdate);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(server.requests).toHaveLength(2);
  });

  it('gives a long Retry-After back to the caller instead of sleeping for hours', async () => {
    server = await startFixtureServer((_request, response) =>
      sendJson(
        response,
        429,
        { success: false, statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: '20 per day' },
        { 'retry-after': '7200' },
      ),
    );
    const client = await clientFor(server.url);
    const error = (await client
      .requestMinerUpload('2025-10-01T16-00-00', [{ name: 'listings.parquet', bytes: 10, sha256: 'a'.repeat(64) }])
      .catch((caught: unknown) => caught)) as ApiRequestError;
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAtMs! - Date.now()).toBeGreaterThan(7_000_000);
    expect(server.requests).toHaveLength(1);
  });

  it('holds the next call on a route until X-RateLimit-Reset once X-RateLimit-Remaining is 0', async () => {
    server = await startFixtureServer((_request, response) =>
      sendJson(response, 200, STATUS_ACK, {
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
      }),
    );
    const client = await clientFor(server.url);
    await client.updateStatus(statusUpdate);
    const started = Date.now();
    await client.updateStatus(statusUpdate);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('does not retry a refusal that would fail again, and reports its protocol code', async () => {
    server = await startFixtureServer((_request, response) =>
      sendJson(response, 409, {
        success: false,
        statusCode: 409,
        error: 'Conflict',
        code: 'NONCE_MISMATCH',
        message: 'nonce does not match the epoch',
      }),
    );
    const client = await clientFor(server.url);
    await expect(client.updateStatus(statusUpdate)).rejects.toMatchObject({ code: 'NONCE_MISMATCH', status: 409 });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses an answer that breaks the protocol schema', async () => {
    server = await startFixtureServer((_request, response) =>
      sendJson(response, 200, { success: true, epochId: 'soon' }),
    );
    const client = await clientFor(server.url);
    await expect(client.currentAssignments()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('times out a silent server and retries', async () => {
    server = await startFixtureServer(() => undefined);
    const client = await clientFor(server.url, { timeoutMs: 100, backoff: { ...FAST_RETRIES, maxAttempts: 2 } });
    await expect(client.stats()).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      message: expect.stringContaining('100 ms'),
    });
    expect(server.requests).toHaveLength(2);
  });

  it('opens the circuit after repeated failures and stops calling until the cool-down ends', async () => {
    server = await startFixtureServer((_request, response) => sendJson(response, 500, { oops: true }));
    const client = await clientFor(server.url, {
      backoff: { ...FAST_RETRIES, maxAttempts: 1 },
      breaker: { failureThreshold: 3, cooldownMs: 60_000 },
    });
    for (let i = 0; i < 3; i += 1) await expect(client.stats()).rejects.toBeInstanceOf(ApiRequestError);
    await expect(client.stats()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.requests).toHaveLength(3);
  });

  it('corrects its timestamps by the server clock from the Date header', async () => {
    const skewMs = 3_600_000;
    server = await startFixtureServer((_request, response) =>
      sendJson(response, 200, assignmentFixture(), { date: new Date(Date.now() + skewMs).toUTCString() }),
    );
    const client = await clientFor(server.url);
    await client.currentAssignments();
    await client.currentAssignments();
    const second = Number(server.requests[1]!.url.searchParams.get('timestamp'));
    expect(Math.abs(second - (Date.now() + skewMs) / 1000)).toBeLessThan(3);
  });
});

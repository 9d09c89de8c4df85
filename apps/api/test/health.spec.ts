import { healthcheckResponseSchema, PROTOCOL_VERSION } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOpenApiDocument } from '../src/create-api.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi } from './test-api.js';

describe('health, metrics and unknown routes', () => {
  let sut: TestApi;

  beforeAll(async () => {
    const miner = await makeIdentity();
    sut = await createTestApi({ now: new Date('2025-10-01T17:00:00Z'), neurons: [neuronOf(miner, 1)] });
  });
  afterAll(() => sut.close());

  it('reports ok with every component named', async () => {
    const res = await sut.inject({ method: 'GET', url: '/healthcheck' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(healthcheckResponseSchema.parse(body)).toMatchObject({
      status: 'ok',
      service: 'resi-api',
      protocolVersion: PROTOCOL_VERSION,
      apiVersions: ['v1'],
      database: { status: 'ok', backend: 'pglite' },
      redis: { status: 'ok', backend: 'memory' },
      metagraph: { status: 'ok', neurons: 1 },
    });
  });

  it('answers an unknown route with the protocol error body', async () => {
    const res = await sut.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      success: false,
      statusCode: 404,
      error: 'Not Found',
      code: 'NOT_FOUND',
      message: expect.stringContaining('No such route') as string,
    });
  });

  it('serves Prometheus metrics that count requests by route', async () => {
    await sut.inject({ method: 'GET', url: '/healthcheck' });
    const res = await sut.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/resi_http_requests_total\{route="\/healthcheck",method="GET",status="200"\} \d+/);
  });
});

describe('API documentation', () => {
  let sut: TestApi;
  beforeAll(async () => {
    sut = await createTestApi({ now: new Date('2025-10-01T17:00:00Z'), neurons: [] });
  });
  afterAll(() => sut.close());

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await sut.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
    const json = await sut.inject({ method: 'GET', url: '/docs-json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual(apiOpenApiDocument());
  });
});

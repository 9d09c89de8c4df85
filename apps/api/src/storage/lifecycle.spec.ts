import { createServer, type Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3StorageRepository } from '../repositories/storage.repository.js';
import { RETENTION_SCHEDULE, retentionLifecycleRules } from './lifecycle.js';
import { applyRetentionRules } from './open-storage.js';

describe('retention lifecycle rules (seed §13)', () => {
  it('move miner data and validator results to infrequent access at 30 days, archive at 90, delete at 365', () => {
    const rules = retentionLifecycleRules({ transitions: true });
    expect(rules.map((rule) => rule.Filter?.Prefix)).toEqual(['data/', 'validators/']);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        Status: 'Enabled',
        Transitions: [
          { Days: 30, StorageClass: 'STANDARD_IA' },
          { Days: 90, StorageClass: 'GLACIER' },
        ],
        Expiration: { Days: 365 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      });
    }
  });

  it('respect the limits AWS S3 puts on a lifecycle configuration', () => {
    const rules = retentionLifecycleRules({ transitions: true });
    expect(new Set(rules.map((rule) => rule.ID)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.ID!.length).toBeLessThanOrEqual(255);
      const days = rule.Transitions!.map((t) => t.Days!);
      // STANDARD_IA needs at least 30 days in STANDARD; each step later than the one before; expiry last.
      expect(days[0]).toBeGreaterThanOrEqual(30);
      expect([...days].sort((a, b) => a - b)).toEqual(days);
      expect(rule.Expiration!.Days!).toBeGreaterThan(days.at(-1)!);
    }
  });

  it('without transitions keep only expiry and the multipart clean-up, for stores without AWS storage classes', () => {
    for (const rule of retentionLifecycleRules({ transitions: false })) {
      expect(rule).not.toHaveProperty('Transitions');
      expect(rule.Expiration).toEqual({ Days: RETENTION_SCHEDULE.deleteAfterDays });
    }
  });
});

describe('applying the rules to a bucket', () => {
  let server: Server;
  let endpoint: string;
  let refuseTransitions = false;
  const bodies: string[] = [];

  // A stand-in S3 that records lifecycle PUTs and, like MinIO or R2, may refuse storage classes.
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(`${request.method} ${request.url}\n${body}`);
        if (refuseTransitions && body.includes('<Transition>')) {
          response.writeHead(400, { 'content-type': 'application/xml' });
          response.end(
            '<Error><Code>InvalidStorageClass</Code><Message>The storage class is not valid</Message></Error>',
          );
          return;
        }
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const storage = () =>
    new S3StorageRepository({
      backend: 's3',
      endpoint,
      bucket: 'resi-data',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  const quiet = new Logger('test');
  quiet.localInstance.log = () => undefined;
  quiet.localInstance.warn = () => undefined;

  it('sends the tiered rules as S3 lifecycle XML', async () => {
    bodies.length = 0;
    refuseTransitions = false;
    expect(await applyRetentionRules(storage(), quiet)).toBe('tiered');
    expect(bodies).toHaveLength(1);
    const [request] = bodies;
    expect(request).toMatch(/^PUT \/resi-data\/?\?lifecycle/);
    expect(request).toContain('<Filter><Prefix>data/</Prefix></Filter>');
    expect(request).toContain('<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>');
    expect(request).toContain('<Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition>');
    expect(request).toContain('<Expiration><Days>365</Days></Expiration>');
  });

  it('falls back to expiry only when the store refuses storage classes', async () => {
    bodies.length = 0;
    refuseTransitions = true;
    expect(await applyRetentionRules(storage(), quiet)).toBe('expiry-only');
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).not.toContain('<Transition>');
    expect(bodies[1]).toContain('<Expiration><Days>365</Days></Expiration>');
  });
});

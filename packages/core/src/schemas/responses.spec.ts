import { describe, expect, it } from 'vitest';
import { COMMITMENT_FORMATS } from '../auth/commitments.js';
import { TIMESTAMP_MAX_AGE_SECONDS, TIMESTAMP_MAX_FUTURE_SECONDS } from '../auth/timestamp-window.js';
import { ERROR_CODES, HTTP_REASONS, ResiError } from '../errors.js';
import { currentAssignmentsResponseSchema, epochAssignmentsResponseSchema, epochRevealed } from './assignments.js';
import { commitmentFormatsResponseSchema } from './commitment-formats.js';
import { errorBodySchema } from './error-body.js';
import { healthcheckResponseSchema } from './health.js';
import { statsResponseSchema } from './stats.js';
import { statusUpdateResponseSchema } from './status.js';
import {
  folderAccessResponseSchema,
  minerSpecificAccessResponseSchema,
  minerUploadResponseSchema,
  validatorAccessResponseSchema,
  validatorUploadResponseSchema,
} from './storage.js';
import { epochSubmissionsResponseSchema } from './submissions.js';
import { consensusResponseSchema, validationResultsReportResponseSchema } from './validation-results.js';
import {
  EPOCH_ID,
  SHA256,
  consensusResponse,
  copyOf,
  currentAssignmentsResponse,
  epochAssignmentsResponse,
  epochSubmissionsResponse,
  folderAccessResponse,
  healthcheckResponse,
  issuesOf,
  minerSpecificAccessResponse,
  minerUploadResponse,
  statsResponse,
  validatorAccessResponse,
  validatorUploadResponse,
} from './wire-examples.test-utils.js';

describe('error body', () => {
  it('accepts the body the exception filter builds from a ResiError', () => {
    const error = new ResiError('SIGNATURE_INVALID', 'signature does not verify');
    const body = {
      success: false,
      statusCode: error.statusCode,
      error: HTTP_REASONS[error.statusCode],
      code: error.code,
      message: error.message,
    };
    expect(errorBodySchema.parse(body)).toEqual(body);
  });

  it('knows every stable code and rejects others', () => {
    for (const code of Object.keys(ERROR_CODES)) {
      expect(
        errorBodySchema.safeParse({ success: false, statusCode: 400, error: 'x', code, message: 'm' }).success,
      ).toBe(true);
    }
    expect(
      issuesOf(errorBodySchema, { success: false, statusCode: 400, error: 'x', code: 'OOPS', message: 'm' })[0],
    ).toMatch(/^code: Invalid option/);
  });
});

describe('assignment responses', () => {
  it("accept the seed's GET /current example", () => {
    expect(currentAssignmentsResponseSchema.parse(currentAssignmentsResponse)).toEqual(currentAssignmentsResponse);
  });

  it.each([
    ['marketTier', 'LUXURY', /^zipcodes\.0\.marketTier: Invalid option/],
    ['geographicRegion', 'Southwest', /^zipcodes\.0\.geographicRegion: Invalid option/],
    ['state', 'Pennsylvania', /^zipcodes\.0\.state: must be a two-letter USPS state code/],
    ['expectedListings', -5, /^zipcodes\.0\.expectedListings: Too small/],
  ])('reject a zipcode with a bad %s', (field, value, message) => {
    const body = copyOf(currentAssignmentsResponse);
    (body.zipcodes[0] as Record<string, unknown>)[field] = value;
    expect(issuesOf(currentAssignmentsResponseSchema, body)).toEqual([expect.stringMatching(message)]);
  });

  it('require every seed field', () => {
    const { submissionDeadline: _s, ...body } = currentAssignmentsResponse;
    expect(issuesOf(currentAssignmentsResponseSchema, body)).toEqual(['submissionDeadline: is required']);
    const noSeed = copyOf(currentAssignmentsResponse) as {
      metadata: Partial<typeof currentAssignmentsResponse.metadata>;
    };
    delete noSeed.metadata.selectionSeed;
    expect(issuesOf(currentAssignmentsResponseSchema, noSeed)[0]).toMatch(/^metadata\.selectionSeed: /);
  });

  it('require instants in ISO UTC with milliseconds', () => {
    expect(
      issuesOf(currentAssignmentsResponseSchema, {
        ...currentAssignmentsResponse,
        epochStart: '2025-10-01T16:00:00Z',
      })[0],
    ).toMatch(/^epochStart: must be an ISO 8601 UTC instant with milliseconds/);
  });

  it('the epoch view reveals honeypots once COMPLETED', () => {
    expect(epochAssignmentsResponseSchema.parse(epochAssignmentsResponse)).toEqual(epochAssignmentsResponse);
    expect(epochAssignmentsResponseSchema.safeParse({ ...epochAssignmentsResponse, status: 'ARCHIVED' }).success).toBe(
      true,
    );
  });

  it('counts an epoch revealed only with its audit seed and every honeypot flag', () => {
    const seed = 'a'.repeat(64);
    expect(epochRevealed({ ...epochAssignmentsResponse, auditSeed: seed })).toBe(true);
    expect(epochRevealed({ ...epochAssignmentsResponse, auditSeed: undefined })).toBe(false);
    const [first, ...rest] = epochAssignmentsResponse.zipcodes;
    expect(epochRevealed({ auditSeed: seed, zipcodes: [{ ...first!, isHoneypot: undefined }, ...rest] })).toBe(false);
  });

  it.each(['PENDING', 'ACTIVE'])('the epoch view refuses isHoneypot and auditSeed while %s', (status) => {
    const revealed = `must be absent while the epoch is ${status}: it is revealed once the grace period has ended`;
    expect(
      issuesOf(epochAssignmentsResponseSchema, { ...epochAssignmentsResponse, status, auditSeed: 'a'.repeat(64) }),
    ).toEqual([`auditSeed: ${revealed}`, `zipcodes.0.isHoneypot: ${revealed}`, `zipcodes.1.isHoneypot: ${revealed}`]);
    const hidden = {
      ...epochAssignmentsResponse,
      status,
      zipcodes: currentAssignmentsResponse.zipcodes,
    };
    expect(epochAssignmentsResponseSchema.safeParse(hidden).success).toBe(true);
  });

  it('the epoch view requires a known status', () => {
    expect(issuesOf(epochAssignmentsResponseSchema, { ...epochAssignmentsResponse, status: 'DONE' })[0]).toMatch(
      /^status: Invalid option/,
    );
  });
});

describe('status update reply', () => {
  it('has the PROTOCOL shape', () => {
    const reply = {
      success: true,
      message: 'Status updated',
      epochId: EPOCH_ID,
      status: 'COMPLETED',
      timestamp: '2025-10-01T17:45:01.002Z',
    };
    expect(statusUpdateResponseSchema.parse(reply)).toEqual(reply);
    expect(issuesOf(statusUpdateResponseSchema, { ...reply, success: false })[0]).toMatch(/^success: /);
  });
});

describe('storage responses', () => {
  it('folder access serves both client generations', () => {
    expect(folderAccessResponseSchema.parse(folderAccessResponse)).toEqual(folderAccessResponse);
    for (const field of ['url', 'uploadUrl', 'fields', 'folder', 'list_url', 'expiry', 'metadata']) {
      const body: Record<string, unknown> = copyOf(folderAccessResponse);
      delete body[field];
      expect(issuesOf(folderAccessResponseSchema, body)[0]).toMatch(new RegExp(`^${field}: `));
    }
  });

  it('folder access restricts folder to the miner prefix', () => {
    expect(issuesOf(folderAccessResponseSchema, { ...folderAccessResponse, folder: 'data/' })[0]).toBe(
      'folder: must be data/hotkey={hotkey}/',
    );
  });

  it('validator upload, miner upload, validator access and miner-specific access', () => {
    expect(validatorUploadResponseSchema.parse(validatorUploadResponse)).toEqual(validatorUploadResponse);
    expect(minerUploadResponseSchema.parse(minerUploadResponse)).toEqual(minerUploadResponse);
    expect(validatorAccessResponseSchema.parse(validatorAccessResponse)).toEqual(validatorAccessResponse);
    expect(minerSpecificAccessResponseSchema.parse(minerSpecificAccessResponse)).toEqual(minerSpecificAccessResponse);
  });

  it('a per-file grant is a PUT with headers or a POST with fields, and carries the declared digest', () => {
    const { headers, ...put } = minerUploadResponse.uploads[0]!;
    const post = { ...put, method: 'POST', fields: { key: put.key, Policy: 'e30=' } };
    expect(minerUploadResponseSchema.parse({ ...minerUploadResponse, uploads: [post] }).uploads[0]).toEqual(post);
    expect(headers).toBeDefined();

    const body = copyOf(minerUploadResponse);
    (body.uploads[0] as Record<string, unknown>).method = 'POST';
    expect(issuesOf(minerUploadResponseSchema, body)).toEqual([expect.stringMatching(/^uploads\.0\.fields: /)]);
    (body.uploads[0] as Record<string, unknown>).method = 'GET';
    expect(issuesOf(minerUploadResponseSchema, body)).toEqual([expect.stringMatching(/^uploads\.0\.method: /)]);
    const wrongDigest = copyOf(minerUploadResponse);
    wrongDigest.uploads[0]!.sha256 = 'nope';
    expect(issuesOf(minerUploadResponseSchema, wrongDigest)).toEqual([
      expect.stringMatching(/^uploads\.0\.sha256: must be a SHA-256 digest/),
    ]);
  });

  it('the validator access reply keeps the names the Python validator reads', () => {
    const body = copyOf(validatorAccessResponse) as Record<string, unknown>;
    delete body.expiry_seconds;
    expect(issuesOf(validatorAccessResponseSchema, body)[0]).toMatch(/^expiry_seconds: /);
    expect(
      issuesOf(validatorAccessResponseSchema, { ...validatorAccessResponse, urls: { global: {}, miners: {} } }),
    ).toEqual([
      expect.stringMatching(/^urls\.global\.list_all_data: /),
      expect.stringMatching(/^urls\.miners\.list_all_miners: /),
    ]);
  });

  it('presigned URLs must be http(s)', () => {
    expect(
      issuesOf(minerSpecificAccessResponseSchema, { ...minerSpecificAccessResponse, miner_url: 'ftp://x/y' }),
    ).toEqual(['miner_url: must be an http(s) URL']);
  });
});

describe('validator responses', () => {
  it('submissions list every miner with manifest and stored objects', () => {
    expect(epochSubmissionsResponseSchema.parse(epochSubmissionsResponse)).toEqual(epochSubmissionsResponse);
  });

  it('a miner that uploaded without ever reporting a status has a null status and update time', () => {
    const body = copyOf(epochSubmissionsResponse);
    Object.assign(body.submissions[1]!, { status: null, lastUpdateAt: null });
    expect(epochSubmissionsResponseSchema.parse(body)).toEqual(body);
  });

  it.each([
    ['uid', -1, /^submissions\.0\.uid: Too small/],
    ['status', 'DONE', /^submissions\.0\.status: Invalid option/],
    ['manifest', [{ name: '../x', bytes: 1, sha256: SHA256 }], /^submissions\.0\.manifest\.0\.name: /],
    [
      'objects',
      [{ key: 'k', size: 1, etag: 'e', lastModified: 'now', url: 'https://x/' }],
      /^submissions\.0\.objects\.0\.lastModified: /,
    ],
  ])('submissions reject a bad %s', (field, value, message) => {
    const body = copyOf(epochSubmissionsResponse);
    (body.submissions[0] as Record<string, unknown>)[field] = value;
    expect(issuesOf(epochSubmissionsResponseSchema, body)).toEqual([expect.stringMatching(message)]);
  });

  it('results report reply and consensus', () => {
    const reply = {
      success: true,
      message: 'Recorded',
      epochId: EPOCH_ID,
      resultsSha256: SHA256,
      receivedAt: '2025-10-01T20:31:00.000Z',
      matchingReports: 1,
    };
    expect(validationResultsReportResponseSchema.parse(reply)).toEqual(reply);
    expect(consensusResponseSchema.parse(consensusResponse)).toEqual(consensusResponse);
    expect(issuesOf(consensusResponseSchema, { ...consensusResponse, agreement: 1.5 })[0]).toMatch(
      /^agreement: Too big/,
    );
    expect(
      consensusResponseSchema.safeParse({
        ...consensusResponse,
        consensusSha256: null,
        groups: [],
        validatorsReported: 0,
        agreement: 0,
      }).success,
    ).toBe(true);
  });
});

describe('health, stats and commitment formats', () => {
  it('healthcheck keeps extra component detail and requires status ok|degraded', () => {
    expect(healthcheckResponseSchema.parse(healthcheckResponse)).toEqual(healthcheckResponse);
    expect(issuesOf(healthcheckResponseSchema, { ...healthcheckResponse, status: 'error' })[0]).toMatch(/^status: /);
    expect(
      issuesOf(healthcheckResponseSchema, { ...healthcheckResponse, redis: { status: 'broken', backend: 'redis' } })[0],
    ).toMatch(/^redis\.status: /);
  });

  it('stats carry what the Python clients poll', () => {
    const parsed = statsResponseSchema.parse(statsResponse);
    expect(parsed.epochStatus.currentEpoch?.id).toBe(EPOCH_ID);
    expect(parsed.epochStatus.timing.timeUntilEpochEnd).toBe(10800);
    expect(
      statsResponseSchema.safeParse({
        ...statsResponse,
        epochStatus: { ...statsResponse.epochStatus, currentEpoch: null },
      }).success,
    ).toBe(true);
    const body = copyOf(statsResponse);
    (body.catalogue.byMarketTier as Record<string, unknown>).PREMIUM = -1;
    expect(issuesOf(statsResponseSchema, body)).toEqual([
      expect.stringMatching(/^catalogue\.byMarketTier\.PREMIUM: Too small/),
    ]);
  });

  it('the commitment formats reply serves COMMITMENT_FORMATS as is', () => {
    const body = {
      success: true,
      formats: COMMITMENT_FORMATS,
      timestampWindow: { maxAgeSeconds: TIMESTAMP_MAX_AGE_SECONDS, maxFutureSeconds: TIMESTAMP_MAX_FUTURE_SECONDS },
    };
    expect(commitmentFormatsResponseSchema.parse(JSON.parse(JSON.stringify(body)))).toEqual(body);
  });
});

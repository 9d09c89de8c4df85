import { describe, expect, it } from 'vitest';
import { epochPathParamsSchema, signedBodySchema, signedQuerySchema } from './signed-request.js';
import { statusUpdateRequestSchema } from './status.js';
import {
  folderAccessRequestSchema,
  minerSpecificAccessRequestSchema,
  minerUploadRequestSchema,
  validatorAccessRequestSchema,
  validatorUploadRequestSchema,
} from './storage.js';
import { validationResultsReportRequestSchema } from './validation-results.js';
import {
  EPOCH_ID,
  MINER_HOTKEY,
  PYTHON_SIGNATURE,
  SHA256,
  TIMESTAMP,
  copyOf,
  issuesOf,
  minerUploadRequest,
  pythonFolderAccessRequest,
  pythonMinerSpecificAccessRequest,
  pythonStatusUpdate,
  pythonValidatorAccessRequest,
  pythonValidatorUploadRequest,
  validationResultsReport,
} from './wire-examples.test-utils.js';

describe('signed GET query', () => {
  it('accepts the query string the Python client produces and decodes the timestamp', () => {
    const query = { hotkey: MINER_HOTKEY, signature: PYTHON_SIGNATURE, timestamp: String(TIMESTAMP) };
    expect(signedQuerySchema.parse(query)).toEqual({ ...query, timestamp: TIMESTAMP });
  });

  it('ignores unknown parameters and names each bad one', () => {
    expect(
      issuesOf(signedQuerySchema, { hotkey: 'x', signature: PYTHON_SIGNATURE, timestamp: 'soon', extra: '1' }),
    ).toEqual([
      'hotkey: must be an SS58 address (46-48 base58 characters, Bittensor keys start with 5)',
      'timestamp: must be Unix seconds as digits',
    ]);
    const query = { hotkey: MINER_HOTKEY, signature: PYTHON_SIGNATURE, timestamp: String(TIMESTAMP) };
    expect(signedQuerySchema.parse({ ...query, extra: '1' })).toEqual({ ...query, timestamp: TIMESTAMP });
  });

  it('validates the epoch path parameter', () => {
    expect(epochPathParamsSchema.safeParse({ epochId: EPOCH_ID }).success).toBe(true);
    expect(issuesOf(epochPathParamsSchema, { epochId: '2025-10-01' })[0]).toMatch(/^epochId: must be an epoch ID/);
  });

  it('a bare signed body takes exactly the three fields', () => {
    expect(
      signedBodySchema.safeParse({ hotkey: MINER_HOTKEY, signature: PYTHON_SIGNATURE, timestamp: TIMESTAMP }).success,
    ).toBe(true);
    expect(issuesOf(signedBodySchema, { hotkey: MINER_HOTKEY, signature: PYTHON_SIGNATURE })).toEqual([
      'timestamp: is required',
    ]);
  });
});

describe('statusUpdateRequestSchema', () => {
  it('accepts the deployed Python miner final update', () => {
    expect(statusUpdateRequestSchema.parse(pythonStatusUpdate)).toEqual(pythonStatusUpdate);
  });

  it('accepts the first update of an epoch (no zipcodes, no upload yet)', () => {
    const { hotkey, signature, timestamp, epochId, nonce } = pythonStatusUpdate;
    const first = {
      hotkey,
      signature,
      timestamp,
      epochId,
      nonce,
      status: 'IN_PROGRESS',
      s3UploadComplete: false,
      listingsScraped: 0,
    };
    expect(statusUpdateRequestSchema.safeParse(first).success).toBe(true);
  });

  it.each(['IN_PROGRESS', 'COMPLETED', 'FAILED', 'TIMEOUT'])('accepts status %s', (status) => {
    expect(statusUpdateRequestSchema.safeParse({ ...pythonStatusUpdate, status }).success).toBe(true);
  });

  it.each([
    ['status', 'DONE', /^status: Invalid option/],
    ['nonce', 'nope', /^nonce: must be the epoch nonce/],
    ['epochId', '2025-10-01T16:00:00', /^epochId: must be an epoch ID/],
    ['listingsScraped', -1, /^listingsScraped: must be 0 or more/],
    ['s3UploadComplete', 'yes', /^s3UploadComplete: Invalid input: expected boolean/],
    ['s3UploadTimestamp', '2025-10-01 17:45', /^s3UploadTimestamp: must be an ISO 8601 date-time with a zone/],
    ['timestamp', TIMESTAMP * 1000, /^timestamp: must be Unix seconds, at most/],
    ['hotkey', '5H2WNbNfkRmHWJGdEUzZyVd7jZuP3BkwNDYgZQF8a1BcKwGx', /^hotkey: must be an SS58 address with prefix 42/],
  ])('rejects a bad %s', (field, value, message) => {
    const issues = issuesOf(statusUpdateRequestSchema, { ...pythonStatusUpdate, [field]: value });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(message);
  });

  it.each([
    ['zipcode', '1910', /^zipcodesCompleted\.0\.zipcode: must be a five-digit ZIP code/],
    ['listingsScraped', 1.5, /^zipcodesCompleted\.0\.listingsScraped: must be a whole number/],
    ['completedAt', 'yesterday', /^zipcodesCompleted\.0\.completedAt: must be an ISO 8601 date-time/],
  ])('rejects a bad zipcodesCompleted item %s', (field, value, message) => {
    const body = copyOf(pythonStatusUpdate);
    (body.zipcodesCompleted[0] as Record<string, unknown>)[field] = value;
    expect(issuesOf(statusUpdateRequestSchema, body)).toEqual([expect.stringMatching(message)]);
  });

  it('ignores unknown fields at both levels (deployed clients may send more than this server reads)', () => {
    const body = copyOf(pythonStatusUpdate) as Record<string, unknown> & typeof pythonStatusUpdate;
    body.extra = 1;
    (body.zipcodesCompleted[0] as Record<string, unknown>).bonus = true;
    expect(statusUpdateRequestSchema.parse(body)).toEqual(pythonStatusUpdate);
  });

  it('takes null for every optional field as absent', () => {
    const body = {
      ...pythonStatusUpdate,
      listingsScraped: null,
      zipcodesCompleted: null,
      s3UploadTimestamp: null,
    };
    const parsed = statusUpdateRequestSchema.parse(body);
    expect(parsed).not.toHaveProperty('listingsScraped', null);
    expect(parsed.listingsScraped).toBeUndefined();
    expect(parsed.zipcodesCompleted).toBeUndefined();
    expect(parsed.s3UploadTimestamp).toBeUndefined();
  });

  it.each([
    ['listingsScraped', 2_147_483_648, /^listingsScraped: must be at most 2147483647/],
    ['listingsScraped', 5e9, /^listingsScraped: must be at most 2147483647/],
    ['s3UploadTimestamp', '0000-01-01T00:00:00Z', /^s3UploadTimestamp: must be an instant between/],
    ['s3UploadTimestamp', '+275760-09-13T00:00:00Z', /^s3UploadTimestamp: must be an ISO 8601/],
    ['s3UploadTimestamp', '2038-01-19T03:14:08Z', /^s3UploadTimestamp: must be an instant between/],
  ])('refuses %s = %s, which the database could not store', (field, value, message) => {
    expect(issuesOf(statusUpdateRequestSchema, { ...pythonStatusUpdate, [field]: value })).toEqual([
      expect.stringMatching(message),
    ]);
  });

  it.each([
    ['listingsScraped', 5e9, /^zipcodesCompleted\.0\.listingsScraped: must be at most 2147483647/],
    ['completedAt', '0000-01-01T00:00:00Z', /^zipcodesCompleted\.0\.completedAt: must be an instant between/],
  ])('refuses a zipcode %s the database could not store', (field, value, message) => {
    const body = copyOf(pythonStatusUpdate);
    (body.zipcodesCompleted[0] as Record<string, unknown>)[field] = value;
    expect(issuesOf(statusUpdateRequestSchema, body)).toEqual([expect.stringMatching(message)]);
  });

  it('accepts the largest stored count', () => {
    expect(statusUpdateRequestSchema.safeParse({ ...pythonStatusUpdate, listingsScraped: 2_147_483_647 }).success).toBe(
      true,
    );
  });

  it('bounds the zipcode list', () => {
    const item = pythonStatusUpdate.zipcodesCompleted[0];
    const body = { ...pythonStatusUpdate, zipcodesCompleted: Array.from({ length: 1001 }, () => item) };
    expect(issuesOf(statusUpdateRequestSchema, body)[0]).toMatch(/^zipcodesCompleted: Too big/);
  });
});

describe('folderAccessRequestSchema', () => {
  it('accepts the deployed Python miner request, expiry included', () => {
    expect(folderAccessRequestSchema.parse(pythonFolderAccessRequest)).toEqual(pythonFolderAccessRequest);
  });

  it('treats expiry as optional', () => {
    const { expiry: _expiry, ...withoutExpiry } = pythonFolderAccessRequest;
    expect(folderAccessRequestSchema.safeParse(withoutExpiry).success).toBe(true);
  });

  it.each([
    ['coldkey', 'not-a-key', /^coldkey: must be an SS58 address/],
    ['expiry', 'tomorrow', /^expiry: /],
    ['signature', 'abc', /^signature: must be a 64-byte signature/],
  ])('rejects a bad %s', (field, value, message) => {
    expect(issuesOf(folderAccessRequestSchema, { ...pythonFolderAccessRequest, [field]: value })).toEqual([
      expect.stringMatching(message),
    ]);
  });

  it('requires the coldkey', () => {
    const { coldkey: _coldkey, ...withoutColdkey } = pythonFolderAccessRequest;
    expect(issuesOf(folderAccessRequestSchema, withoutColdkey)[0]).toMatch(/^coldkey: /);
  });
});

describe('minerUploadRequestSchema', () => {
  it('accepts a manifest of listings parts and metadata', () => {
    expect(minerUploadRequestSchema.parse(minerUploadRequest)).toEqual(minerUploadRequest);
  });

  it.each([
    ['../listings.parquet', /must be a plain file name/],
    ['data/listings.parquet', /must be a plain file name/],
    ['.hidden', /must be a plain file name/],
    ['listings..parquet', /must not contain "\.\."/],
    ['', /must be a plain file name/],
    ['x'.repeat(129), /must be a plain file name/],
  ])('rejects the file name %j', (name, message) => {
    const body = copyOf(minerUploadRequest);
    body.files[1]!.name = name;
    expect(issuesOf(minerUploadRequestSchema, body)).toEqual([expect.stringMatching(/^files\.1\.name: /)]);
    expect(issuesOf(minerUploadRequestSchema, body)[0]).toMatch(message);
  });

  it.each([
    ['bytes', 0, /^files\.0\.bytes: must be at least 1 byte/],
    ['bytes', 1.5, /^files\.0\.bytes: must be the file size in bytes/],
    ['sha256', SHA256.toUpperCase(), /^files\.0\.sha256: must be a SHA-256 digest/],
  ])('rejects %s = %s', (field, value, message) => {
    const body = copyOf(minerUploadRequest);
    (body.files[0] as Record<string, unknown>)[field] = value;
    expect(issuesOf(minerUploadRequestSchema, body)).toEqual([expect.stringMatching(message)]);
  });

  it('rejects duplicate names at the duplicate', () => {
    const body = copyOf(minerUploadRequest);
    body.files[2]!.name = 'listings.parquet';
    expect(issuesOf(minerUploadRequestSchema, body)).toEqual(['files.2.name: duplicate file name "listings.parquet"']);
  });

  it('needs 1 to 64 files', () => {
    expect(issuesOf(minerUploadRequestSchema, { ...minerUploadRequest, files: [] })).toEqual([
      'files: must declare at least one file',
    ]);
    const many = Array.from({ length: 65 }, (_, index) => ({
      name: `listings-${String(index).padStart(4, '0')}.parquet`,
      bytes: 2048,
      sha256: SHA256,
    }));
    expect(issuesOf(minerUploadRequestSchema, { ...minerUploadRequest, files: many })).toEqual([
      'files: must declare at most 64 files',
    ]);
  });

  it('ignores unknown keys in a file entry', () => {
    const body = copyOf(minerUploadRequest);
    (body.files[0] as Record<string, unknown>).contentType = 'application/octet-stream';
    expect(minerUploadRequestSchema.parse(body)).toEqual(minerUploadRequest);
  });
});

describe('validator requests', () => {
  it('accept what the deployed Python validator sends', () => {
    expect(validatorUploadRequestSchema.parse(pythonValidatorUploadRequest)).toEqual(pythonValidatorUploadRequest);
    expect(validatorAccessRequestSchema.parse(pythonValidatorAccessRequest)).toEqual(pythonValidatorAccessRequest);
    expect(minerSpecificAccessRequestSchema.parse(pythonMinerSpecificAccessRequest)).toEqual(
      pythonMinerSpecificAccessRequest,
    );
  });

  it('validator upload: the advisory fields are optional but checked', () => {
    const { purpose: _p, estimatedDataSizeMb: _e, retentionDays: _r, ...minimal } = pythonValidatorUploadRequest;
    expect(validatorUploadRequestSchema.safeParse(minimal).success).toBe(true);
    expect(issuesOf(validatorUploadRequestSchema, { ...pythonValidatorUploadRequest, retentionDays: 0 })[0]).toMatch(
      /^retentionDays: Too small/,
    );
    expect(
      issuesOf(validatorUploadRequestSchema, { ...pythonValidatorUploadRequest, estimatedDataSizeMb: -1 })[0],
    ).toMatch(/^estimatedDataSizeMb: Too small/);
    expect(issuesOf(validatorUploadRequestSchema, { ...pythonValidatorUploadRequest, epochId: undefined })[0]).toMatch(
      /^epochId: /,
    );
  });

  it('miner-specific access requires miner_hotkey, a valid one', () => {
    const { miner_hotkey: _m, ...withoutMiner } = pythonMinerSpecificAccessRequest;
    expect(issuesOf(minerSpecificAccessRequestSchema, withoutMiner)[0]).toMatch(/^miner_hotkey: /);
    expect(
      issuesOf(minerSpecificAccessRequestSchema, { ...pythonMinerSpecificAccessRequest, miner_hotkey: 'abc' })[0],
    ).toMatch(/^miner_hotkey: must be an SS58 address/);
  });

  it('validator access ignores fields it does not read', () => {
    expect(validatorAccessRequestSchema.parse({ ...pythonValidatorAccessRequest, miner_hotkey: MINER_HOTKEY })).toEqual(
      pythonValidatorAccessRequest,
    );
  });

  it('validation results report', () => {
    expect(validationResultsReportRequestSchema.parse(validationResultsReport)).toEqual(validationResultsReport);
    expect(
      issuesOf(validationResultsReportRequestSchema, { ...validationResultsReport, resultsSha256: 'abc' })[0],
    ).toMatch(/^resultsSha256: must be a SHA-256 digest/);
    expect(
      issuesOf(validationResultsReportRequestSchema, { ...validationResultsReport, minersScored: 2 ** 31 })[0],
    ).toMatch(/^minersScored: must be at most 2147483647/);
    expect(
      validationResultsReportRequestSchema.parse({ ...validationResultsReport, minersScored: null }).minersScored,
    ).toBeUndefined();
  });
});

/**
 * Valid wire bodies for the schema tests, taken from the seed's examples, PROTOCOL.md and what the
 * deployed Python clients (resi-labs-ai/resi) send. Each test breaks one field of a copy.
 */
import { type z } from 'zod';

export const MINER_HOTKEY = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
export const VALIDATOR_HOTKEY = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
export const COLDKEY = '5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX';
/** As Python's `signature.hex()` writes it: lowercase, no `0x`. */
export const PYTHON_SIGNATURE = 'a1b2c3d4e5f6'.repeat(10) + 'a1b2c3d4';
export const EPOCH_ID = '2025-10-01T16-00-00';
export const NONCE = '376ce532f42cf2a5';
export const TIMESTAMP = 1696089600;
export const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
export const PRESIGNED_URL = 'https://bucket.s3.us-east-2.amazonaws.com/';

/** A deep copy, so a test can break one field without touching the shared example. */
export function copyOf<T>(value: T): T {
  return structuredClone(value);
}

/** The issues of a failed parse as `path: message` lines (or [] when the value is valid). */
export function issuesOf(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/** `update_miner_status(...)` of `common/resi_api_client.py`, final update of an epoch. */
export const pythonStatusUpdate = {
  hotkey: MINER_HOTKEY,
  signature: PYTHON_SIGNATURE,
  timestamp: TIMESTAMP,
  epochId: EPOCH_ID,
  nonce: NONCE,
  status: 'COMPLETED',
  s3UploadComplete: true,
  listingsScraped: 1250,
  zipcodesCompleted: [{ zipcode: '19103', listingsScraped: 245, completedAt: '2025-10-01T17:30:00.123456Z' }],
  s3UploadTimestamp: '2025-10-01T17:45:00.654321+00:00',
};

/** `S3Auth.get_credentials` of `upload_utils/s3_utils.py`. */
export const pythonFolderAccessRequest = {
  coldkey: COLDKEY,
  hotkey: MINER_HOTKEY,
  timestamp: TIMESTAMP,
  signature: PYTHON_SIGNATURE,
  expiry: TIMESTAMP + 86400,
};

/** `get_validator_s3_credentials` of `common/resi_api_client.py` (and the seed's example). */
export const pythonValidatorUploadRequest = {
  hotkey: VALIDATOR_HOTKEY,
  signature: PYTHON_SIGNATURE,
  timestamp: TIMESTAMP,
  epochId: EPOCH_ID,
  purpose: 'epoch_validation_results',
  estimatedDataSizeMb: 25,
  retentionDays: 90,
};

/** `ValidatorS3Access.get_validator_access` of `vali_utils/validator_s3_access.py`. */
export const pythonValidatorAccessRequest = {
  coldkey: COLDKEY,
  hotkey: VALIDATOR_HOTKEY,
  timestamp: TIMESTAMP,
  signature: PYTHON_SIGNATURE,
  expiry: TIMESTAMP + 86400,
};

/** `get_miner_s3_validation_data` of `vali_utils/s3_utils.py`. */
export const pythonMinerSpecificAccessRequest = {
  coldkey: COLDKEY,
  hotkey: VALIDATOR_HOTKEY,
  timestamp: TIMESTAMP,
  signature: PYTHON_SIGNATURE,
  miner_hotkey: MINER_HOTKEY,
  expiry: TIMESTAMP + 86400,
};

export const minerUploadRequest = {
  hotkey: MINER_HOTKEY,
  signature: `0x${PYTHON_SIGNATURE}`,
  timestamp: TIMESTAMP,
  epochId: EPOCH_ID,
  files: [
    { name: 'listings.parquet', bytes: 523_344, sha256: SHA256 },
    { name: 'listings-0001.parquet', bytes: 1024, sha256: SHA256 },
    { name: 'metadata.json', bytes: 612, sha256: SHA256 },
  ],
};

export const validationResultsReport = {
  hotkey: VALIDATOR_HOTKEY,
  signature: PYTHON_SIGNATURE,
  timestamp: TIMESTAMP,
  epochId: EPOCH_ID,
  resultsSha256: SHA256,
  minersScored: 150,
};

const assignedZipcode = {
  zipcode: '19103',
  expectedListings: 250,
  state: 'PA',
  city: 'Philadelphia',
  county: 'Philadelphia County',
  marketTier: 'PREMIUM',
  geographicRegion: 'Northeast',
};

/** The seed's `GET /current` example. */
export const currentAssignmentsResponse = {
  success: true,
  epochId: EPOCH_ID,
  epochStart: '2025-10-01T16:00:00.000Z',
  epochEnd: '2025-10-01T20:00:00.000Z',
  nonce: NONCE,
  targetListings: 10000,
  tolerancePercent: 10,
  submissionDeadline: '2025-10-01T20:00:00.000Z',
  zipcodes: [assignedZipcode],
  metadata: { totalExpectedListings: 9420, zipcodeCount: 25, algorithmVersion: 'v1.0', selectionSeed: 12345 },
};

export const epochAssignmentsResponse = {
  ...currentAssignmentsResponse,
  status: 'COMPLETED',
  zipcodes: [
    { ...assignedZipcode, isHoneypot: false },
    { ...assignedZipcode, zipcode: '09001', state: 'AE', isHoneypot: true },
  ],
};

const presignedPost = {
  success: true,
  message: 'Upload access granted',
  url: PRESIGNED_URL,
  uploadUrl: PRESIGNED_URL,
  fields: {
    acl: 'private',
    policy: 'eyJleHBpcmF0aW9uIjoi...',
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-signature': 'abc123',
  },
  expiry: '2025-10-02T16:00:00.000Z',
};

export const folderAccessResponse = {
  ...presignedPost,
  folder: `data/hotkey=${MINER_HOTKEY}/`,
  list_url: `${PRESIGNED_URL}?list-type=2&prefix=data%2Fhotkey%3D${MINER_HOTKEY}%2F&X-Amz-Signature=abc`,
  metadata: {
    folderPath: `data/hotkey=${MINER_HOTKEY}/`,
    expiresAt: '2025-10-02T16:00:00.000Z',
    maxFileSize: 5 * 1024 ** 3,
  },
};

export const validatorUploadResponse = {
  ...presignedPost,
  folder: `validators/hotkey=${VALIDATOR_HOTKEY}/epoch=${EPOCH_ID}/`,
  epochId: EPOCH_ID,
  key: `validators/hotkey=${VALIDATOR_HOTKEY}/epoch=${EPOCH_ID}/validation_results.json`,
  metadata: {
    folderPath: `validators/hotkey=${VALIDATOR_HOTKEY}/epoch=${EPOCH_ID}/`,
    expiresAt: '2025-10-02T16:00:00.000Z',
    maxFileSize: 100 * 1024 * 1024,
  },
};

export const minerUploadResponse = {
  success: true,
  message: 'Upload each file with a PUT to its url',
  epochId: EPOCH_ID,
  folder: `data/hotkey=${MINER_HOTKEY}/epoch=${EPOCH_ID}/`,
  expiresAt: '2025-10-01T17:00:00.000Z',
  uploads: [
    {
      name: 'listings.parquet',
      key: `data/hotkey=${MINER_HOTKEY}/epoch=${EPOCH_ID}/listings.parquet`,
      method: 'PUT',
      url: `${PRESIGNED_URL}data/hotkey%3D${MINER_HOTKEY}/epoch%3D${EPOCH_ID}/listings.parquet?X-Amz-Signature=abc`,
      headers: { 'content-length': '523344', 'x-amz-checksum-sha256': 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
      bytes: 523_344,
      sha256: SHA256,
    },
  ],
};

const storedObject = {
  key: `data/hotkey=${MINER_HOTKEY}/epoch=${EPOCH_ID}/listings.parquet`,
  size: 523_344,
  etag: '"9b2cf535f27731c974343645a3985328"',
  lastModified: '2025-10-01T19:40:12.000Z',
  url: `${PRESIGNED_URL}data/hotkey%3D${MINER_HOTKEY}/epoch%3D${EPOCH_ID}/listings.parquet?X-Amz-Signature=abc`,
};

export const validatorAccessResponse = {
  success: true,
  bucket: 'resi-data',
  region: 'us-east-2',
  validator_hotkey: VALIDATOR_HOTKEY,
  expiry: '2025-10-02T16:00:00.000Z',
  expiry_seconds: 86400,
  urls: {
    global: { list_all_data: `${PRESIGNED_URL}?list-type=2&prefix=data%2Fhotkey%3D` },
    miners: { list_all_miners: `${PRESIGNED_URL}?list-type=2&prefix=data%2Fhotkey%3D&delimiter=%2F` },
  },
};

export const minerSpecificAccessResponse = {
  success: true,
  bucket: 'resi-data',
  region: 'us-east-2',
  miner_hotkey: MINER_HOTKEY,
  miner_url: `${PRESIGNED_URL}?list-type=2&prefix=data%2Fhotkey%3D${MINER_HOTKEY}%2F`,
  prefix: `data/hotkey=${MINER_HOTKEY}/`,
  expiry: '2025-10-02T16:00:00.000Z',
  objects: [storedObject],
};

export const epochSubmissionsResponse = {
  success: true,
  epochId: EPOCH_ID,
  status: 'COMPLETED',
  submissionDeadline: '2025-10-01T20:00:00.000Z',
  graceEnd: '2025-10-01T20:15:00.000Z',
  submissions: [
    {
      hotkey: MINER_HOTKEY,
      uid: 12,
      status: 'COMPLETED',
      listingsClaimed: 1250,
      zipcodesCompleted: [{ zipcode: '19103', listingsScraped: 245, completedAt: '2025-10-01T17:30:00.123Z' }],
      s3UploadComplete: true,
      s3UploadTimestamp: '2025-10-01T17:45:00.654Z',
      lastUpdateAt: '2025-10-01T17:45:01.002Z',
      manifest: [{ name: 'listings.parquet', bytes: 523_344, sha256: SHA256 }],
      objects: [storedObject],
    },
    {
      hotkey: COLDKEY,
      uid: null,
      status: 'IN_PROGRESS',
      listingsClaimed: 0,
      zipcodesCompleted: [],
      s3UploadComplete: false,
      s3UploadTimestamp: null,
      lastUpdateAt: '2025-10-01T16:05:00.000Z',
      manifest: null,
      objects: [],
    },
  ],
};

export const consensusResponse = {
  success: true,
  epochId: EPOCH_ID,
  validatorsReported: 2,
  consensusSha256: SHA256,
  agreement: 1,
  groups: [
    {
      resultsSha256: SHA256,
      validators: [
        { hotkey: VALIDATOR_HOTKEY, reportedAt: '2025-10-01T20:31:00.000Z', minersScored: 150 },
        { hotkey: COLDKEY, reportedAt: '2025-10-01T20:33:00.000Z', minersScored: null },
      ],
    },
  ],
};

export const healthcheckResponse = {
  success: true,
  status: 'ok',
  timestamp: '2025-10-01T16:00:00.000Z',
  uptime: 3600.5,
  version: '0.1.0',
  service: 'resi-api',
  database: { status: 'ok', backend: 'postgres', latencyMs: 2 },
  redis: { status: 'ok', backend: 'memory' },
  storage: { status: 'ok', backend: 's3', latencyMs: 35 },
  metagraph: { status: 'ok', backend: 'file', neurons: 256 },
};

const participation = {
  minersReporting: 120,
  inProgress: 20,
  completed: 95,
  failed: 3,
  timedOut: 2,
  uploadsComplete: 94,
  listingsClaimed: 1_100_000,
};

const epochSummary = {
  id: EPOCH_ID,
  status: 'ACTIVE',
  startTime: '2025-10-01T16:00:00.000Z',
  endTime: '2025-10-01T20:00:00.000Z',
  submissionDeadline: '2025-10-01T20:00:00.000Z',
  graceEnd: '2025-10-01T20:15:00.000Z',
  zipcodeCount: 25,
  totalExpectedListings: 9420,
  participation,
};

export const statsResponse = {
  success: true,
  generatedAt: '2025-10-01T17:00:00.000Z',
  epochStatus: {
    currentEpoch: epochSummary,
    nextEpoch: {
      id: '2025-10-01T20-00-00',
      pendingAt: '2025-10-01T19:45:00.000Z',
      startTime: '2025-10-01T20:00:00.000Z',
      endTime: '2025-10-02T00:00:00.000Z',
    },
    timing: {
      serverTime: '2025-10-01T17:00:00.000Z',
      timeUntilEpochEnd: 10800,
      timeUntilNextEpoch: 10800,
      epochDurationMinutes: 240,
      pendingLeadMinutes: 15,
      gracePeriodMinutes: 15,
      validationWindowMinutes: 30,
    },
  },
  catalogue: {
    zipcodes: 33_791,
    states: 52,
    byMarketTier: { PREMIUM: 3000, STANDARD: 15000, EMERGING: 15791 },
    byRegion: { Northeast: 6000, Midwest: 10000, South: 11000, West: 6791 },
  },
  recentEpochs: [epochSummary, { ...epochSummary, id: '2025-10-01T12-00-00', status: 'ARCHIVED' }],
};

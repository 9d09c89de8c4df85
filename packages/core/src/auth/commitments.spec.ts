import { describe, expect, it } from 'vitest';
import { ResiError } from '../errors.js';
import {
  COMMITMENT_FORMATS,
  COMMITMENT_TEMPLATES,
  acceptedStatusCommitments,
  assignmentCurrentCommitment,
  folderAccessCommitment,
  minerSpecificAccessCommitment,
  minerStatusCommitment,
  minerUploadCommitment,
  renderCommitment,
  statusCommitment,
  validationCommitment,
  validationResultsCommitment,
  validatorAccessCommitment,
  validatorUploadCommitment,
} from './commitments.js';

const hotkey = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const coldkey = '5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX';
const epochId = '2025-10-01T16-00-00';
const ts = 1696089600;
const sha = 'ab'.repeat(32);

describe('commitment strings', () => {
  // Each expected string is spelled out by hand from PROTOCOL.md §2 and the deployed Python
  // clients (f-strings in resi-labs-ai/resi), not derived from the templates under test.
  it.each([
    ['assignmentCurrent', assignmentCurrentCommitment(ts), 'zipcode:assignment:current:1696089600'],
    ['status (Python miners)', statusCommitment(epochId, ts), 'zipcode:status:2025-10-01T16-00-00:1696089600'],
    [
      'minerStatus (seed)',
      minerStatusCommitment(hotkey, epochId, ts),
      `miner:status:${hotkey}:2025-10-01T16-00-00:1696089600`,
    ],
    ['validation', validationCommitment(epochId, ts), 'zipcode:validation:2025-10-01T16-00-00:1696089600'],
    ['folderAccess', folderAccessCommitment(coldkey, hotkey, ts), `s3:data:access:${coldkey}:${hotkey}:1696089600`],
    ['minerUpload', minerUploadCommitment(hotkey, epochId, ts), `s3:miner:upload:${hotkey}:${epochId}:1696089600`],
    ['validatorUpload', validatorUploadCommitment(ts), 's3:validator:upload:1696089600'],
    ['validatorAccess', validatorAccessCommitment(ts), 's3:validator:access:1696089600'],
    ['minerSpecificAccess', minerSpecificAccessCommitment(hotkey, ts), `s3:validator:miner:${hotkey}:1696089600`],
    [
      'validationResults',
      validationResultsCommitment(epochId, sha, ts),
      `validation:results:2025-10-01T16-00-00:${sha}:1696089600`,
    ],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('a status update accepts both client generations', () => {
    expect(acceptedStatusCommitments(hotkey, epochId, ts)).toEqual([
      'zipcode:status:2025-10-01T16-00-00:1696089600',
      `miner:status:${hotkey}:2025-10-01T16-00-00:1696089600`,
    ]);
  });
});

describe('renderCommitment', () => {
  it('refuses a value containing ":" with a 400', () => {
    let error: unknown;
    try {
      statusCommitment('2025-10-01T16:00:00', ts);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ResiError);
    expect((error as ResiError).code).toBe('VALIDATION_FAILED');
    expect((error as ResiError).message).toMatch(/epochId must not contain ":"/);
  });

  it.each([1696089600.5, Number.NaN, 2 ** 60])('refuses the timestamp %s', (bad) => {
    expect(() => validatorAccessCommitment(bad)).toThrow(/whole Unix seconds/);
  });

  it('refuses a missing value', () => {
    expect(() => renderCommitment('status', { epochId } as never)).toThrow(/needs a value for \{timestamp\}/);
  });
});

describe('COMMITMENT_FORMATS', () => {
  it('takes every template from COMMITMENT_TEMPLATES and uses each one', () => {
    for (const format of COMMITMENT_FORMATS) {
      expect(format.template).toBe(COMMITMENT_TEMPLATES[format.commitment]);
    }
    expect(new Set(COMMITMENT_FORMATS.map((f) => f.commitment))).toEqual(new Set(Object.keys(COMMITMENT_TEMPLATES)));
  });

  it('lists every signed route of PROTOCOL.md §2 plus the per-file miner upload', () => {
    expect(COMMITMENT_FORMATS.map((f) => `${f.method} ${f.route} ${f.template}`)).toEqual([
      'GET /api/v1/zipcode-assignments/current zipcode:assignment:current:{timestamp}',
      'POST /api/v1/zipcode-assignments/status zipcode:status:{epochId}:{timestamp}',
      'POST /api/v1/zipcode-assignments/status miner:status:{hotkey}:{epochId}:{timestamp}',
      'GET /api/v1/zipcode-assignments/epoch/{epochId} zipcode:validation:{epochId}:{timestamp}',
      'GET /api/v1/epochs/{epochId}/submissions zipcode:validation:{epochId}:{timestamp}',
      'POST /get-folder-access s3:data:access:{coldkey}:{hotkey}:{timestamp}',
      'POST /api/v1/s3-access/miner-upload s3:miner:upload:{hotkey}:{epochId}:{timestamp}',
      'POST /api/v1/s3-access/validator-upload s3:validator:upload:{timestamp}',
      'POST /get-validator-access s3:validator:access:{timestamp}',
      'POST /get-miner-specific-access s3:validator:miner:{minerHotkey}:{timestamp}',
      'POST /api/v1/validation-results validation:results:{epochId}:{resultsSha256}:{timestamp}',
    ]);
  });

  it('is frozen, so no caller can change a format at run time', () => {
    expect(Object.isFrozen(COMMITMENT_FORMATS)).toBe(true);
    expect(COMMITMENT_FORMATS.every((format) => Object.isFrozen(format))).toBe(true);
  });

  it('serialises to plain JSON for GET /commitment-formats', () => {
    const first = JSON.parse(JSON.stringify(COMMITMENT_FORMATS))[0];
    expect(first).toEqual({
      commitment: 'assignmentCurrent',
      method: 'GET',
      route: '/api/v1/zipcode-assignments/current',
      template: 'zipcode:assignment:current:{timestamp}',
      description: expect.any(String),
    });
  });
});

import { ResiError } from '../errors.js';

/**
 * The commitment strings clients sign, one template per rule (PROTOCOL.md §2). A client signs the
 * UTF-8 bytes of the rendered string with its hotkey; the server renders the same string from the
 * request's fields and verifies the signature against it. The functions below and the
 * `COMMITMENT_FORMATS` table both read these templates, so a format lives in exactly one place.
 */
export const COMMITMENT_TEMPLATES = {
  assignmentCurrent: 'zipcode:assignment:current:{timestamp}',
  status: 'zipcode:status:{epochId}:{timestamp}',
  minerStatus: 'miner:status:{hotkey}:{epochId}:{timestamp}',
  validation: 'zipcode:validation:{epochId}:{timestamp}',
  folderAccess: 's3:data:access:{coldkey}:{hotkey}:{timestamp}',
  minerUpload: 's3:miner:upload:{hotkey}:{epochId}:{timestamp}',
  validatorUpload: 's3:validator:upload:{timestamp}',
  validatorAccess: 's3:validator:access:{timestamp}',
  minerSpecificAccess: 's3:validator:miner:{minerHotkey}:{timestamp}',
  validationResults: 'validation:results:{epochId}:{resultsSha256}:{timestamp}',
} as const;

export type CommitmentName = keyof typeof COMMITMENT_TEMPLATES;

type PlaceholdersOf<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholdersOf<Rest>
  : never;

/** The values a commitment's template needs, e.g. `{ epochId, timestamp }` for `status`. */
export type CommitmentValues<Name extends CommitmentName> = Record<
  PlaceholdersOf<(typeof COMMITMENT_TEMPLATES)[Name]>,
  string | number
>;

/** One row of the public commitment table: which string to sign for which route. */
export interface CommitmentFormat {
  readonly commitment: CommitmentName;
  readonly method: 'GET' | 'POST';
  /** The route, with path parameters in braces as in OpenAPI. */
  readonly route: string;
  /** The string to sign, with `{placeholders}`; `{timestamp}` is Unix seconds. */
  readonly template: string;
  readonly description: string;
}

const row = (
  commitment: CommitmentName,
  method: CommitmentFormat['method'],
  route: string,
  description: string,
): CommitmentFormat =>
  Object.freeze({ commitment, method, route, template: COMMITMENT_TEMPLATES[commitment], description });

/**
 * Every signed route and the commitment(s) it accepts, in the order of PROTOCOL.md §2 (a route
 * appears twice when it accepts two formats). Served as is by `GET /commitment-formats`.
 */
export const COMMITMENT_FORMATS: readonly CommitmentFormat[] = Object.freeze([
  row(
    'assignmentCurrent',
    'GET',
    '/api/v1/zipcode-assignments/current',
    "The current epoch's zipcode assignments; signed by any registered hotkey.",
  ),
  row(
    'status',
    'POST',
    '/api/v1/zipcode-assignments/status',
    'Miner status update, the format the deployed Python miners sign.',
  ),
  row(
    'minerStatus',
    'POST',
    '/api/v1/zipcode-assignments/status',
    'Miner status update, the format of the original design; accepted as well. {hotkey} is the signing hotkey.',
  ),
  row(
    'validation',
    'GET',
    '/api/v1/zipcode-assignments/epoch/{epochId}',
    "An epoch's assignments (honeypots revealed once COMPLETED); validators only.",
  ),
  row(
    'validation',
    'GET',
    '/api/v1/epochs/{epochId}/submissions',
    "An epoch's miner submissions with per-object download URLs; validators only.",
  ),
  row(
    'folderAccess',
    'POST',
    '/get-folder-access',
    "Presigned POST for the miner's own folder; {coldkey} must own {hotkey} on chain.",
  ),
  row(
    'minerUpload',
    'POST',
    '/api/v1/s3-access/miner-upload',
    "A presigned POST or PUT per declared file of one epoch, in the miner's own epoch folder.",
  ),
  row(
    'validatorUpload',
    'POST',
    '/api/v1/s3-access/validator-upload',
    "Presigned POST for the validator's results folder; validators only.",
  ),
  row('validatorAccess', 'POST', '/get-validator-access', 'Read access to the miner data; validators only.'),
  row(
    'minerSpecificAccess',
    'POST',
    '/get-miner-specific-access',
    "Read access to one miner's folder; validators only. {minerHotkey} is the request's miner_hotkey.",
  ),
  row(
    'validationResults',
    'POST',
    '/api/v1/validation-results',
    "Report the sha256 of a validator's results file for consensus; validators only.",
  ),
]);

/**
 * Renders commitment `name` from `values`.
 *
 * Throws `ResiError('VALIDATION_FAILED')` when a value contains `:` (the string would be
 * ambiguous: two different field tuples would sign the same bytes) or `timestamp` is not whole
 * seconds, so unvalidated input still yields a 400; a `RangeError` when a value is missing (a
 * programming error the types already prevent).
 */
export function renderCommitment<Name extends CommitmentName>(name: Name, values: CommitmentValues<Name>): string {
  const given = values as Record<string, string | number | undefined>;
  return COMMITMENT_TEMPLATES[name].replace(/\{(\w+)\}/g, (_match, field: string) => {
    const value = given[field];
    if (value === undefined) throw new RangeError(`commitment ${name} needs a value for {${field}}`);
    if (field === 'timestamp' && !(typeof value === 'number' && Number.isSafeInteger(value))) {
      throw new ResiError('VALIDATION_FAILED', `timestamp must be whole Unix seconds; got ${String(value)}`);
    }
    const text = String(value);
    if (text.includes(':')) {
      throw new ResiError('VALIDATION_FAILED', `${field} must not contain ":" (it is part of a signed commitment)`);
    }
    return text;
  });
}

/** `zipcode:assignment:current:{timestamp}` — GET /api/v1/zipcode-assignments/current. */
export function assignmentCurrentCommitment(timestamp: number): string {
  return renderCommitment('assignmentCurrent', { timestamp });
}

/** `zipcode:status:{epochId}:{timestamp}` — status update as the deployed Python miners sign it. */
export function statusCommitment(epochId: string, timestamp: number): string {
  return renderCommitment('status', { epochId, timestamp });
}

/** `miner:status:{hotkey}:{epochId}:{timestamp}` — status update in the original design's form. */
export function minerStatusCommitment(hotkey: string, epochId: string, timestamp: number): string {
  return renderCommitment('minerStatus', { hotkey, epochId, timestamp });
}

/**
 * Every commitment a status update from `hotkey` may be signed over; the server accepts a
 * signature over any of them (PROTOCOL.md §2: both client generations keep working).
 */
export function acceptedStatusCommitments(hotkey: string, epochId: string, timestamp: number): readonly string[] {
  return [statusCommitment(epochId, timestamp), minerStatusCommitment(hotkey, epochId, timestamp)];
}

/** `zipcode:validation:{epochId}:{timestamp}` — validator reads of an epoch and its submissions. */
export function validationCommitment(epochId: string, timestamp: number): string {
  return renderCommitment('validation', { epochId, timestamp });
}

/** `s3:data:access:{coldkey}:{hotkey}:{timestamp}` — POST /get-folder-access. */
export function folderAccessCommitment(coldkey: string, hotkey: string, timestamp: number): string {
  return renderCommitment('folderAccess', { coldkey, hotkey, timestamp });
}

/** `s3:miner:upload:{hotkey}:{epochId}:{timestamp}` — the per-file miner upload route. */
export function minerUploadCommitment(hotkey: string, epochId: string, timestamp: number): string {
  return renderCommitment('minerUpload', { hotkey, epochId, timestamp });
}

/** `s3:validator:upload:{timestamp}` — POST /api/v1/s3-access/validator-upload. */
export function validatorUploadCommitment(timestamp: number): string {
  return renderCommitment('validatorUpload', { timestamp });
}

/** `s3:validator:access:{timestamp}` — POST /get-validator-access. */
export function validatorAccessCommitment(timestamp: number): string {
  return renderCommitment('validatorAccess', { timestamp });
}

/** `s3:validator:miner:{minerHotkey}:{timestamp}` — POST /get-miner-specific-access. */
export function minerSpecificAccessCommitment(minerHotkey: string, timestamp: number): string {
  return renderCommitment('minerSpecificAccess', { minerHotkey, timestamp });
}

/** `validation:results:{epochId}:{resultsSha256}:{timestamp}` — POST /api/v1/validation-results. */
export function validationResultsCommitment(epochId: string, resultsSha256: string, timestamp: number): string {
  return renderCommitment('validationResults', { epochId, resultsSha256, timestamp });
}

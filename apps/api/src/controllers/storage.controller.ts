import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  type EpochSubmissionsResponse,
  epochSubmissionsResponseSchema,
  folderAccessCommitment,
  type FolderAccessRequest,
  folderAccessRequestSchema,
  type FolderAccessResponse,
  folderAccessResponseSchema,
  minerSpecificAccessCommitment,
  type MinerSpecificAccessRequest,
  minerSpecificAccessRequestSchema,
  type MinerSpecificAccessResponse,
  minerSpecificAccessResponseSchema,
  minerUploadCommitment,
  type MinerUploadRequest,
  minerUploadRequestSchema,
  type MinerUploadResponse,
  minerUploadResponseSchema,
  validationCommitment,
  validatorAccessCommitment,
  type ValidatorAccessRequest,
  validatorAccessRequestSchema,
  type ValidatorAccessResponse,
  validatorAccessResponseSchema,
  validatorUploadCommitment,
  type ValidatorUploadRequest,
  validatorUploadRequestSchema,
  type ValidatorUploadResponse,
  validatorUploadResponseSchema,
} from '@resi/core';
import { AuthenticatedCaller, type Caller, SignedInput } from '../auth/caller.js';
import { Signed } from '../auth/route-specs.js';
import { Documented } from '../openapi/documented.js';
import { MINER_LISTING_EPOCHS, StorageAccessService } from '../services/storage-access.service.js';
import { SubmissionsService } from '../services/submissions.service.js';
import { type EpochQuery, epochQuerySchema } from './assignment.controller.js';

/** Routes of PROTOCOL.md §6: scoped, presigned storage grants and what validators read back. */
@Controller()
export class StorageController {
  constructor(
    private readonly access: StorageAccessService,
    private readonly submissions: SubmissionsService,
  ) {}

  @Post('get-folder-access')
  @HttpCode(200)
  @Documented({
    summary:
      "A presigned POST for the miner's own folder data/hotkey={hotkey}/ (the deployed Python miner's upload path)",
    description:
      'The policy allows any key under the folder, 1 KiB to S3_MAX_UPLOAD_BYTES per object, for at most 24 h ' +
      '(`expiry`, Unix seconds, shortens it). Post every field of `fields`, then `key` = `folder` + path, then the ' +
      'file as `file`, as multipart/form-data to `url`; S3 answers 204. `coldkey` must own `hotkey` on chain.',
    tag: 'Storage',
    response: folderAccessResponseSchema,
    errors: ['COLDKEY_MISMATCH', 'SIGNATURE_REPLAYED', 'SERVICE_UNAVAILABLE'],
  })
  @Signed({
    source: 'body',
    schema: folderAccessRequestSchema,
    commitments: (b) => [folderAccessCommitment(b.coldkey, b.hotkey, b.timestamp)],
    role: 'miner',
    singleUse: true,
    rateLimit: 'minerS3',
    needsStorage: true,
    coldkey: (b) => b.coldkey,
  })
  folderAccess(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: FolderAccessRequest,
  ): Promise<FolderAccessResponse> {
    return this.access.folderAccess(caller, input);
  }

  @Post('api/v1/s3-access/miner-upload')
  @HttpCode(200)
  @Documented({
    summary: 'A presigned POST or PUT per declared file in data/hotkey={hotkey}/epoch={epochId}/',
    description:
      'Only while the epoch is ACTIVE or in its grace period. Each grant is for exactly the declared name and size ' +
      '(a PUT also carries the SHA-256, checked by the store). The declared files are stored as the manifest ' +
      'validators see next to what was actually uploaded; declaring a file again replaces its entry.',
    tag: 'Storage',
    response: minerUploadResponseSchema,
    errors: [
      'SIGNATURE_REPLAYED',
      'EPOCH_NOT_FOUND',
      'EPOCH_NOT_OPEN',
      'EPOCH_CLOSED',
      'PAYLOAD_TOO_LARGE',
      'SERVICE_UNAVAILABLE',
    ],
  })
  @Signed({
    source: 'body',
    schema: minerUploadRequestSchema,
    commitments: (b) => [minerUploadCommitment(b.hotkey, b.epochId, b.timestamp)],
    role: 'miner',
    singleUse: true,
    rateLimit: 'minerS3',
    needsStorage: true,
  })
  minerUpload(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: MinerUploadRequest,
  ): Promise<MinerUploadResponse> {
    return this.access.minerUpload(caller, input);
  }

  @Post('api/v1/s3-access/validator-upload')
  @HttpCode(200)
  @Documented({
    summary: "A presigned POST for the validator's folder validators/hotkey={hotkey}/epoch={epochId}/ (100 MB cap)",
    tag: 'Storage',
    response: validatorUploadResponseSchema,
    errors: ['NOT_A_VALIDATOR', 'SIGNATURE_REPLAYED', 'EPOCH_NOT_FOUND', 'SERVICE_UNAVAILABLE'],
  })
  @Signed({
    source: 'body',
    schema: validatorUploadRequestSchema,
    commitments: (b) => [validatorUploadCommitment(b.timestamp)],
    role: 'validator',
    singleUse: true,
    rateLimit: 'validatorUpload',
    needsStorage: true,
  })
  validatorUpload(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: ValidatorUploadRequest,
  ): Promise<ValidatorUploadResponse> {
    return this.access.validatorUpload(caller, input);
  }

  @Post('get-validator-access')
  @HttpCode(200)
  @Documented({
    summary: 'Presigned listing URLs of all miner data (the deployed Python validator reads these)',
    description:
      'A listing URL cannot authorise downloads: use GET /api/v1/epochs/{epochId}/submissions or ' +
      '/get-miner-specific-access for per-object download URLs.',
    tag: 'Storage',
    response: validatorAccessResponseSchema,
    errors: ['NOT_A_VALIDATOR', 'SERVICE_UNAVAILABLE'],
  })
  @Signed({
    source: 'body',
    schema: validatorAccessRequestSchema,
    commitments: (b) => [validatorAccessCommitment(b.timestamp)],
    role: 'validator',
    singleUse: false,
    rateLimit: 'validatorReads',
  })
  validatorAccess(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: ValidatorAccessRequest,
  ): Promise<ValidatorAccessResponse> {
    return this.access.validatorAccess(caller, input);
  }

  @Post('get-miner-specific-access')
  @HttpCode(200)
  @Documented({
    summary: "A presigned listing of one miner's folder, with a download URL (3 h) per object",
    description:
      `The objects are the miner's latest ${MINER_LISTING_EPOCHS} epochs past their grace end, each capped from its target exactly as ` +
      'GET /api/v1/epochs/{epochId}/submissions caps it; nothing of a running epoch and nothing outside an epoch folder.',
    tag: 'Storage',
    response: minerSpecificAccessResponseSchema,
    errors: ['NOT_A_VALIDATOR', 'SERVICE_UNAVAILABLE'],
  })
  @Signed({
    source: 'body',
    schema: minerSpecificAccessRequestSchema,
    commitments: (b) => [minerSpecificAccessCommitment(b.miner_hotkey, b.timestamp)],
    role: 'validator',
    singleUse: false,
    rateLimit: 'validatorReads',
  })
  minerSpecificAccess(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: MinerSpecificAccessRequest,
  ): Promise<MinerSpecificAccessResponse> {
    return this.access.minerSpecificAccess(caller, input);
  }

  @Get('api/v1/epochs/:epochId/submissions')
  @Documented({
    summary: "Every miner's submission for an epoch: its claims, its manifest and the objects stored at the grace end",
    description:
      'Per miner: uid, last status, zipcodes completed, listings claimed, declared manifest, and each object under ' +
      'data/hotkey={hotkey}/epoch={epochId}/ with size, ETag and LastModified as the store reported them when the ' +
      "API recorded the epoch's folders after its grace end (snapshotAt; later changes are not listed), plus a fresh " +
      'presigned GET URL valid for 3 h. Miners that uploaded without reporting a status are included (status null).',
    tag: 'Validators',
    response: epochSubmissionsResponseSchema,
    errors: ['NOT_A_VALIDATOR', 'EPOCH_NOT_FOUND', 'SERVICE_UNAVAILABLE'],
  })
  @Signed({
    source: 'query',
    schema: epochQuerySchema,
    commitments: (q) => [validationCommitment(q.epochId, q.timestamp)],
    role: 'validator',
    singleUse: false,
    rateLimit: 'validatorReads',
  })
  epochSubmissions(@SignedInput() input: EpochQuery): Promise<EpochSubmissionsResponse> {
    return this.submissions.forEpoch(input.epochId);
  }
}

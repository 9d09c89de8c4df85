import { type z } from 'zod';
import { currentAssignmentsResponseSchema, epochAssignmentsResponseSchema } from './assignments.js';
import { commitmentFormatsResponseSchema } from './commitment-formats.js';
import { errorBodySchema } from './error-body.js';
import { healthcheckResponseSchema } from './health.js';
import { epochPathParamsSchema, signedBodySchema, signedQuerySchema } from './signed-request.js';
import { statsResponseSchema } from './stats.js';
import { statusUpdateRequestSchema, statusUpdateResponseSchema } from './status.js';
import {
  folderAccessRequestSchema,
  folderAccessResponseSchema,
  minerSpecificAccessRequestSchema,
  minerSpecificAccessResponseSchema,
  minerUploadRequestSchema,
  minerUploadResponseSchema,
  validatorAccessRequestSchema,
  validatorAccessResponseSchema,
  validatorUploadRequestSchema,
  validatorUploadResponseSchema,
} from './storage.js';
import { epochSubmissionsResponseSchema } from './submissions.js';
import {
  consensusResponseSchema,
  validationResultsReportRequestSchema,
  validationResultsReportResponseSchema,
} from './validation-results.js';

/**
 * Every top-level wire schema by its component name (the `.meta({ id })` it carries), for the
 * OpenAPI document. Request schemas convert with `z.toJSONSchema(schema, { io: 'input' })`
 * (a query timestamp is "integer or digits" on input), responses with the default output side.
 */
export const RESI_WIRE_SCHEMAS = {
  ErrorBody: errorBodySchema,
  SignedBody: signedBodySchema,
  SignedQuery: signedQuerySchema,
  EpochPathParams: epochPathParamsSchema,
  CurrentAssignmentsResponse: currentAssignmentsResponseSchema,
  EpochAssignmentsResponse: epochAssignmentsResponseSchema,
  StatusUpdateRequest: statusUpdateRequestSchema,
  StatusUpdateResponse: statusUpdateResponseSchema,
  FolderAccessRequest: folderAccessRequestSchema,
  FolderAccessResponse: folderAccessResponseSchema,
  MinerUploadRequest: minerUploadRequestSchema,
  MinerUploadResponse: minerUploadResponseSchema,
  ValidatorUploadRequest: validatorUploadRequestSchema,
  ValidatorUploadResponse: validatorUploadResponseSchema,
  ValidatorAccessRequest: validatorAccessRequestSchema,
  ValidatorAccessResponse: validatorAccessResponseSchema,
  MinerSpecificAccessRequest: minerSpecificAccessRequestSchema,
  MinerSpecificAccessResponse: minerSpecificAccessResponseSchema,
  EpochSubmissionsResponse: epochSubmissionsResponseSchema,
  ValidationResultsReportRequest: validationResultsReportRequestSchema,
  ValidationResultsReportResponse: validationResultsReportResponseSchema,
  ConsensusResponse: consensusResponseSchema,
  HealthcheckResponse: healthcheckResponseSchema,
  StatsResponse: statsResponseSchema,
  CommitmentFormatsResponse: commitmentFormatsResponseSchema,
} as const satisfies Record<string, z.ZodType>;

export type ResiWireSchemaName = keyof typeof RESI_WIRE_SCHEMAS;

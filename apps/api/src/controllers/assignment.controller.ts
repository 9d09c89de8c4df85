import { Controller, Header, Get, HttpCode, Post } from '@nestjs/common';
import {
  acceptedStatusCommitments,
  assignmentCurrentCommitment,
  COMMITMENT_FORMATS,
  type CommitmentFormatsResponse,
  commitmentFormatsResponseSchema,
  currentAssignmentsResponseSchema,
  epochAssignmentsResponseSchema,
  statsResponseSchema,
  statusUpdateResponseSchema,
  type EpochAssignmentsResponse,
  epochIdSchema,
  signedQuerySchema,
  type StatsResponse,
  TIMESTAMP_MAX_AGE_SECONDS,
  TIMESTAMP_MAX_FUTURE_SECONDS,
  type StatusUpdateRequest,
  statusUpdateRequestSchema,
  type StatusUpdateResponse,
  validationCommitment,
} from '@resi/core';
import { z } from 'zod';
import { AuthenticatedCaller, type Caller, SignedInput } from '../auth/caller.js';
import { RateLimitedByIp, Signed } from '../auth/route-specs.js';
import { Documented } from '../openapi/documented.js';
import { AssignmentService } from '../services/assignment.service.js';
import { StatsService } from '../services/stats.service.js';
import { StatusService } from '../services/status.service.js';

/** A validator read of one epoch: the signed query plus the epoch ID from the path. */
export const epochQuerySchema = signedQuerySchema.extend({ epochId: epochIdSchema }).meta({ id: 'SignedEpochQuery' });
export type EpochQuery = z.output<typeof epochQuerySchema>;

/** Routes of PROTOCOL.md §4–5 under /api/v1/zipcode-assignments. */
@Controller()
export class AssignmentController {
  constructor(
    private readonly assignments: AssignmentService,
    private readonly status: StatusService,
    private readonly statsService: StatsService,
  ) {}

  @Get('api/v1/zipcode-assignments/current')
  @Documented({
    summary: "The current epoch's zipcode assignment (the same for every miner)",
    tag: 'Miners',
    response: currentAssignmentsResponseSchema,
    errors: ['EPOCH_NOT_FOUND'],
  })
  @Signed({
    source: 'query',
    schema: signedQuerySchema,
    commitments: (q) => [assignmentCurrentCommitment(q.timestamp)],
    role: 'miner',
    singleUse: false,
    rateLimit: 'assignments',
  })
  @Header('Content-Type', 'application/json; charset=utf-8')
  current(): Promise<string> {
    // Documented as CurrentAssignmentsResponse; sent pre-serialised (see AssignmentService.currentJson).
    return this.assignments.currentJson();
  }

  @Get('api/v1/zipcode-assignments/epoch/:epochId')
  @Documented({
    summary:
      "An epoch's assignment for validators; honeypots flagged and the audit seed given once the grace period has ended and every miner's folder is recorded",
    tag: 'Validators',
    response: epochAssignmentsResponseSchema,
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
  epoch(@SignedInput() input: EpochQuery): Promise<EpochAssignmentsResponse> {
    return this.assignments.forValidator(input.epochId);
  }

  @Post('api/v1/zipcode-assignments/status')
  @Documented({
    summary: 'Report mining progress; idempotent, never loses an earlier zipcode',
    tag: 'Miners',
    response: statusUpdateResponseSchema,
    errors: [
      'SIGNATURE_REPLAYED',
      'EPOCH_NOT_FOUND',
      'EPOCH_NOT_OPEN',
      'EPOCH_CLOSED',
      'NONCE_MISMATCH',
      'PAYLOAD_TOO_LARGE',
    ],
  })
  @HttpCode(200)
  @Signed({
    source: 'body',
    schema: statusUpdateRequestSchema,
    commitments: (b) => [...acceptedStatusCommitments(b.hotkey, b.epochId, b.timestamp)],
    role: 'miner',
    singleUse: true,
    rateLimit: 'status',
  })
  updateStatus(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: StatusUpdateRequest,
  ): Promise<StatusUpdateResponse> {
    return this.status.update(caller, input);
  }

  @Get('api/v1/zipcode-assignments/stats')
  @Documented({
    summary: 'Current and next epoch, timing, catalogue and participation (cached for a minute)',
    tag: 'Public',
    response: statsResponseSchema,
    errors: ['RATE_LIMITED'],
  })
  @RateLimitedByIp('stats')
  stats(): Promise<StatsResponse> {
    return this.statsService.stats();
  }

  @Get('commitment-formats')
  @Documented({
    summary: 'The commitment string each signed route accepts, and the timestamp window',
    tag: 'Public',
    response: commitmentFormatsResponseSchema,
  })
  commitmentFormats(): CommitmentFormatsResponse {
    return {
      success: true,
      formats: [...COMMITMENT_FORMATS],
      timestampWindow: { maxAgeSeconds: TIMESTAMP_MAX_AGE_SECONDS, maxFutureSeconds: TIMESTAMP_MAX_FUTURE_SECONDS },
    };
  }
}

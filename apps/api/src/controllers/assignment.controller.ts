import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  acceptedStatusCommitments,
  assignmentCurrentCommitment,
  COMMITMENT_FORMATS,
  type CommitmentFormatsResponse,
  type CurrentAssignmentsResponse,
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
import { AssignmentService } from '../services/assignment.service.js';
import { StatsService } from '../services/stats.service.js';
import { StatusService } from '../services/status.service.js';

const epochQuerySchema = signedQuerySchema.extend({ epochId: epochIdSchema });
type EpochQuery = z.output<typeof epochQuerySchema>;

/** Routes of PROTOCOL.md §4–5 under /api/v1/zipcode-assignments. */
@Controller()
export class AssignmentController {
  constructor(
    private readonly assignments: AssignmentService,
    private readonly status: StatusService,
    private readonly statsService: StatsService,
  ) {}

  @Get('api/v1/zipcode-assignments/current')
  @Signed({
    source: 'query',
    schema: signedQuerySchema,
    commitments: (q) => [assignmentCurrentCommitment(q.timestamp)],
    role: 'miner',
    singleUse: false,
    rateLimit: 'assignments',
  })
  current(): Promise<CurrentAssignmentsResponse> {
    return this.assignments.current();
  }

  @Get('api/v1/zipcode-assignments/epoch/:epochId')
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
  @RateLimitedByIp('stats')
  stats(): Promise<StatsResponse> {
    return this.statsService.stats();
  }

  @Get('commitment-formats')
  commitmentFormats(): CommitmentFormatsResponse {
    return {
      success: true,
      formats: [...COMMITMENT_FORMATS],
      timestampWindow: { maxAgeSeconds: TIMESTAMP_MAX_AGE_SECONDS, maxFutureSeconds: TIMESTAMP_MAX_FUTURE_SECONDS },
    };
  }
}

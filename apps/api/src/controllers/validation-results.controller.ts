import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  type ConsensusResponse,
  consensusResponseSchema,
  type ValidationResultsReportRequest,
  validationResultsCommitment,
  validationResultsReportRequestSchema,
  type ValidationResultsReportResponse,
  validationResultsReportResponseSchema,
} from '@resi/core';
import { AuthenticatedCaller, type Caller, SignedInput } from '../auth/caller.js';
import { RateLimitedByIp, Signed } from '../auth/route-specs.js';
import { Documented } from '../openapi/documented.js';
import { ValidationResultsService } from '../services/validation-results.service.js';
import { epochIdParam } from './params.js';

/** Validators' results reports and the consensus over them (PROTOCOL.md §8). */
@Controller()
export class ValidationResultsController {
  constructor(private readonly results: ValidationResultsService) {}

  @Post('api/v1/validation-results')
  @HttpCode(200)
  @Documented({
    summary:
      "Report the results_sha256 of the validation_results.json a validator published for an epoch; feeds consensus and the zipcodes' expected counts",
    tag: 'Validators',
    response: validationResultsReportResponseSchema,
    errors: [
      'NOT_A_VALIDATOR',
      'SIGNATURE_REPLAYED',
      'EPOCH_NOT_FOUND',
      'EPOCH_NOT_OPEN',
      'NOT_FOUND',
      'SERVICE_UNAVAILABLE',
    ],
  })
  @Signed({
    source: 'body',
    schema: validationResultsReportRequestSchema,
    commitments: (b) => [validationResultsCommitment(b.epochId, b.resultsSha256, b.timestamp)],
    role: 'validator',
    singleUse: true,
    rateLimit: 'validatorUpload',
  })
  reportResults(
    @AuthenticatedCaller() caller: Caller,
    @SignedInput() input: ValidationResultsReportRequest,
  ): Promise<ValidationResultsReportResponse> {
    return this.results.report(caller, input);
  }

  @Get('api/v1/epochs/:epochId/consensus')
  @Documented({
    summary: 'How many validators reported which results digest for an epoch, largest group first',
    tag: 'Public',
    response: consensusResponseSchema,
    errors: ['EPOCH_NOT_FOUND', 'RATE_LIMITED'],
  })
  @RateLimitedByIp('stats')
  epochConsensus(@Param('epochId') epochId: string): Promise<ConsensusResponse> {
    return this.results.consensus(epochIdParam(epochId));
  }
}

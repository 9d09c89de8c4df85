import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import {
  type DashboardEpochResponse,
  dashboardEpochResponseSchema,
  type DashboardMinersResponse,
  dashboardMinersResponseSchema,
  type DashboardOverviewResponse,
  dashboardOverviewResponseSchema,
  type DashboardResultsResponse,
  dashboardResultsResponseSchema,
} from '@resi/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedByIp } from '../auth/route-specs.js';
import { sendCompressedJson } from '../middleware/compressed-json.js';
import { Documented } from '../openapi/documented.js';
import { DashboardService } from '../services/dashboard.service.js';
import { epochIdParam } from './params.js';

/** Public, unsigned reads behind the dashboard at `/`; rate-limited per IP like the stats. */
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('api/v1/dashboard/overview')
  @Documented({
    summary:
      "Everything the dashboard polls: current epoch, its miners, the newest finished epoch's results, recent epochs",
    tag: 'Public',
    response: dashboardOverviewResponseSchema,
    errors: ['RATE_LIMITED'],
  })
  @RateLimitedByIp('stats')
  async overview(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body: DashboardOverviewResponse = await this.dashboard.overview();
    // Polled every few seconds by every open dashboard: worth compressing.
    await sendCompressedJson(request, reply, body);
  }

  @Get('api/v1/dashboard/epochs/current')
  @Documented({
    summary: 'The current epoch: phase, times and zipcodes with coordinates (no honeypot flags while it runs)',
    tag: 'Public',
    response: dashboardEpochResponseSchema,
    errors: ['RATE_LIMITED'],
  })
  @RateLimitedByIp('stats')
  current(): Promise<DashboardEpochResponse> {
    return this.dashboard.currentEpoch();
  }

  @Get('api/v1/dashboard/epochs/:epochId')
  @Documented({
    summary: "An epoch's phase, times and zipcodes with coordinates; honeypots flagged once it is COMPLETED",
    tag: 'Public',
    response: dashboardEpochResponseSchema,
    errors: ['EPOCH_NOT_FOUND', 'RATE_LIMITED'],
  })
  @RateLimitedByIp('stats')
  epoch(@Param('epochId') epochId: string): Promise<DashboardEpochResponse> {
    return this.dashboard.epoch(epochIdParam(epochId));
  }

  @Get('api/v1/dashboard/epochs/:epochId/miners')
  @Documented({
    summary: "Miners' progress in an epoch (`current`: the running one) from their status updates (their own claims)",
    tag: 'Public',
    response: dashboardMinersResponseSchema,
    errors: ['EPOCH_NOT_FOUND', 'RATE_LIMITED'],
  })
  @RateLimitedByIp('stats')
  async miners(@Param('epochId') epochId: string): Promise<DashboardMinersResponse> {
    return this.dashboard.miners(await this.epochIdOf(epochId));
  }

  @Get('api/v1/dashboard/epochs/:epochId/results')
  @Documented({
    summary:
      'Validator consensus over the published results files, per-miner scores and per-zipcode leaderboards ' +
      '(`current`: the running epoch, empty until it is scored)',
    tag: 'Public',
    response: dashboardResultsResponseSchema,
    errors: ['EPOCH_NOT_FOUND', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
  })
  @RateLimitedByIp('stats')
  async results(@Param('epochId') epochId: string): Promise<DashboardResultsResponse> {
    return this.dashboard.results(await this.epochIdOf(epochId));
  }

  /** `current` (as in `/epochs/current`) or an epoch ID. */
  private async epochIdOf(param: string): Promise<string> {
    return param === 'current' ? this.dashboard.currentEpochId() : epochIdParam(param);
  }
}

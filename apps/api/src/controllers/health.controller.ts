import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { HealthcheckResponse } from '@resi/core';
import { HealthService } from '../services/health.service.js';
import { MetricsService } from '../services/metrics.service.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('healthcheck')
  healthcheck(): Promise<HealthcheckResponse> {
    return this.health.report();
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async prometheus(@Res() reply: FastifyReply): Promise<void> {
    await reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

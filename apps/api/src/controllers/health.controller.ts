import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type HealthcheckResponse, healthcheckResponseSchema } from '@resi/core';
import { Documented } from '../openapi/documented.js';
import { HealthService } from '../services/health.service.js';
import { MetricsService } from '../services/metrics.service.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('healthcheck')
  @Documented({
    summary: 'Health of the API and its dependencies; `status` is "ok" or "degraded" (always HTTP 200)',
    tag: 'Operations',
    response: healthcheckResponseSchema,
  })
  healthcheck(): Promise<HealthcheckResponse> {
    return this.health.report();
  }

  @Get('metrics')
  @Documented({ summary: 'Prometheus metrics', tag: 'Operations', produces: 'text/plain; version=0.0.4' })
  @Header('Cache-Control', 'no-store')
  async prometheus(@Res() reply: FastifyReply): Promise<void> {
    await reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of this process, served at GET /metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'resi_http_requests_total',
    help: 'HTTP requests by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'resi_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'resi_auth_failures_total',
    help: 'Rejected signed requests by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly epochInfo = new Gauge({
    name: 'resi_epoch_info',
    help: 'The current epoch (value 1) with its ID and phase as labels',
    labelNames: ['epoch_id', 'phase'] as const,
    registers: [this.registry],
  });

  readonly statusUpdates = new Counter({
    name: 'resi_status_updates_total',
    help: 'Accepted miner status updates by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'resi_' });
  }
}

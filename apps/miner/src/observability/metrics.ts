import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The miner's Prometheus metrics, in a registry of their own. */
export class MinerMetrics {
  readonly registry = new Registry();
  readonly listingsCollected = new Counter({
    name: 'resi_miner_listings_collected_total',
    help: 'Valid listings kept after validation and de-duplication',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly listingsRejected = new Counter({
    name: 'resi_miner_listings_rejected_total',
    help: 'Candidate listings rejected, by core reject reason (duplicates as "duplicate")',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });
  readonly sourceRequests = new Counter({
    name: 'resi_miner_source_requests_total',
    help: 'HTTP requests to listing sources, by status (0: no answer)',
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });
  readonly sourceErrors = new Counter({
    name: 'resi_miner_source_errors_total',
    help: 'Zipcodes a source failed on, by kind (http_403, http_429, malformed, network, ...)',
    labelNames: ['source', 'kind'] as const,
    registers: [this.registry],
  });
  readonly zipcodesCompleted = new Gauge({
    name: 'resi_miner_zipcodes_completed',
    help: 'Zipcodes finished in the current epoch',
    registers: [this.registry],
  });
  readonly uploadBytes = new Counter({
    name: 'resi_miner_upload_bytes_total',
    help: 'Bytes stored in S3',
    registers: [this.registry],
  });
  readonly epochsFinished = new Counter({
    name: 'resi_miner_epochs_finished_total',
    help: 'Epochs ended, by the final status reported',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly apiLatency = new Histogram({
    name: 'resi_miner_api_request_duration_seconds',
    help: 'Latency of API requests, by route and HTTP status (0: no answer)',
    labelNames: ['route', 'status'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'resi_miner_' });
  }

  /** Serves `GET /metrics` on `host:port`; resolves once listening. */
  async serve(host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = createServer((request, response) => {
      if (request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end('not found\n');
        return;
      }
      this.registry
        .metrics()
        .then((text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    const address = server.address() as AddressInfo;
    return {
      url: `http://${host}:${address.port}/metrics`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
}

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type EpochAssignmentsResponse,
  type EpochSubmissionsResponse,
  type EpochSummary,
  type StatsResponse,
  validationCommitment,
  validationResultsCommitment,
  validatorUploadCommitment,
  verifyCommitmentSignature,
} from '@resi/core';

/**
 * A stand-in for the API and the bucket, enough for a validator: health, stats, the epoch and its
 * submissions (object URLs served from a local directory laid out like the bucket), the validator
 * upload grant and its POST, and the results report. Signatures are verified with the core
 * verifier, so a client that signs wrongly fails here as it would against the real API.
 */
export class FakeApi {
  private server: Server | undefined;
  url = '';
  /** Files validators posted, in order. */
  readonly uploads: { key: string; content: Buffer }[] = [];
  readonly reports: { hotkey: string; epochId: string; resultsSha256: string; minersScored: number }[] = [];
  /** Status codes to answer, once each, before serving a route normally (e.g. a 500 for an upload). */
  readonly failNext = new Map<string, number[]>();
  /** Validators the API refuses (NOT_A_VALIDATOR). */
  readonly refusedValidators = new Set<string>();
  readonly requests: string[] = [];
  /** Routes answered this long after they arrive, by prefix (`'GET /objects/'`): a slow bucket. */
  readonly delays = new Map<string, number>();

  constructor(
    private readonly bucketRoot: string,
    public epochs: Map<string, { epoch: EpochAssignmentsResponse; submissions: EpochSubmissionsResponse }>,
    public stats: () => StatsResponse,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) =>
        this.json(response, 500, { success: false, message: error.message }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json', date: new Date().toUTCString() });
    response.end(JSON.stringify(body));
  }

  private refuse(response: ServerResponse, status: number, code: string, message: string): void {
    const error = {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      500: 'Internal Server Error',
    };
    this.json(response, status, {
      success: false,
      statusCode: status,
      error: error[status as 400] ?? 'Error',
      code,
      message,
    });
  }

  private async body(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private checkSignature(hotkey: unknown, signature: unknown, commitment: string): string | undefined {
    if (typeof hotkey !== 'string' || typeof signature !== 'string') return 'hotkey and signature are required';
    if (!verifyCommitmentSignature(commitment, signature, hotkey))
      return `signature does not verify over ${commitment}`;
    if (this.refusedValidators.has(hotkey)) return 'NOT_A_VALIDATOR';
    return undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const route = `${request.method} ${url.pathname}`;
    this.requests.push(route);
    for (const [prefix, ms] of this.delays)
      if (route.startsWith(prefix)) await new Promise((resolve) => setTimeout(resolve, ms));
    const failures = this.failNext.get(route);
    if (failures?.length) {
      this.refuse(response, failures.shift()!, 'SERVICE_UNAVAILABLE', 'injected failure');
      return;
    }
    if (route === 'GET /healthcheck') {
      const component = { status: 'ok', backend: 'fake' };
      this.json(response, 200, {
        success: true,
        status: 'ok',
        timestamp: new Date().toISOString(),
        uptime: 1,
        version: '0.1.0',
        service: 'fake-api',
        database: component,
        redis: component,
        storage: component,
        metagraph: component,
      });
      return;
    }
    if (route === 'GET /api/v1/zipcode-assignments/stats') {
      this.json(response, 200, this.stats());
      return;
    }
    const epochMatch = /^GET \/api\/v1\/(?:zipcode-assignments\/epoch\/([^/]+)|epochs\/([^/]+)\/submissions)$/.exec(
      route,
    );
    if (epochMatch) {
      const epochId = decodeURIComponent(epochMatch[1] ?? epochMatch[2]!);
      const timestamp = Number(url.searchParams.get('timestamp'));
      const problem = this.checkSignature(
        url.searchParams.get('hotkey'),
        url.searchParams.get('signature'),
        validationCommitment(epochId, timestamp),
      );
      if (problem === 'NOT_A_VALIDATOR') return this.refuse(response, 403, 'NOT_A_VALIDATOR', 'no validator permit');
      if (problem) return this.refuse(response, 401, 'SIGNATURE_INVALID', problem);
      const entry = this.epochs.get(epochId);
      if (!entry) return this.refuse(response, 404, 'EPOCH_NOT_FOUND', `no epoch ${epochId}`);
      if (epochMatch[1] !== undefined) return this.json(response, 200, entry.epoch);
      const submissions = entry.submissions.submissions.map((submission) => ({
        ...submission,
        objects: submission.objects.map((object) => ({ ...object, url: `${this.url}/objects/${object.key}` })),
      }));
      return this.json(response, 200, { ...entry.submissions, submissions });
    }
    if (request.method === 'GET' && url.pathname.startsWith('/objects/')) {
      try {
        const bytes = await readFile(join(this.bucketRoot, decodeURIComponent(url.pathname.slice('/objects/'.length))));
        // As S3 answers a GET: the object's ETag (its MD5, quoted) and length.
        const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
        response.writeHead(200, { 'content-length': bytes.length, etag });
        response.end(bytes);
      } catch {
        response.writeHead(404).end();
      }
      return;
    }
    if (route === 'POST /api/v1/s3-access/validator-upload') {
      const body = JSON.parse((await this.body(request)).toString()) as Record<string, unknown>;
      const problem = this.checkSignature(
        body.hotkey,
        body.signature,
        validatorUploadCommitment(Number(body.timestamp)),
      );
      if (problem) return this.refuse(response, 401, 'SIGNATURE_INVALID', problem);
      const key = `validators/hotkey=${String(body.hotkey)}/epoch=${String(body.epochId)}/validation_results.json`;
      const expiry = new Date(Date.now() + 3_600_000).toISOString();
      return this.json(response, 200, {
        success: true,
        message: 'ok',
        folder: key.slice(0, key.lastIndexOf('/') + 1),
        url: `${this.url}/upload`,
        uploadUrl: `${this.url}/upload`,
        fields: { key, policy: 'fake' },
        expiry,
        metadata: {
          folderPath: key.slice(0, key.lastIndexOf('/') + 1),
          expiresAt: expiry,
          maxFileSize: 100 * 1024 * 1024,
        },
        epochId: body.epochId,
        key,
      });
    }
    if (route === 'POST /upload') {
      const form = await new Request(`${this.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? '' },
        body: await this.body(request),
      }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob)) return this.refuse(response, 400, 'VALIDATION_FAILED', 'no file part');
      const key = form.get('key');
      if (typeof key !== 'string') return this.refuse(response, 400, 'VALIDATION_FAILED', 'no key field');
      this.uploads.push({ key, content: Buffer.from(await file.arrayBuffer()) });
      response.writeHead(204).end();
      return;
    }
    if (route === 'POST /api/v1/validation-results') {
      const body = JSON.parse((await this.body(request)).toString()) as Record<string, unknown>;
      const commitment = validationResultsCommitment(
        String(body.epochId),
        String(body.resultsSha256),
        Number(body.timestamp),
      );
      const problem = this.checkSignature(body.hotkey, body.signature, commitment);
      if (problem) return this.refuse(response, 401, 'SIGNATURE_INVALID', problem);
      const report = {
        hotkey: String(body.hotkey),
        epochId: String(body.epochId),
        resultsSha256: String(body.resultsSha256),
        minersScored: Number(body.minersScored),
      };
      this.reports.push(report);
      return this.json(response, 200, {
        success: true,
        message: 'recorded',
        epochId: report.epochId,
        resultsSha256: report.resultsSha256,
        receivedAt: new Date().toISOString(),
        matchingReports: this.reports.filter(
          (entry) => entry.epochId === report.epochId && entry.resultsSha256 === report.resultsSha256,
        ).length,
      });
    }
    this.refuse(response, 404, 'NOT_FOUND', `no route ${route}`);
  }
}

/** An epoch summary as `/stats` lists it. */
export function epochSummary(
  id: string,
  status: EpochSummary['status'],
  start: Date,
  durationMinutes = 240,
): EpochSummary {
  const end = new Date(start.getTime() + durationMinutes * 60_000);
  return {
    id,
    status,
    startTime: start.toISOString(),
    endTime: end.toISOString(),
    submissionDeadline: end.toISOString(),
    graceEnd: new Date(end.getTime() + 15 * 60_000).toISOString(),
    zipcodeCount: 4,
    totalExpectedListings: 250,
    participation: {
      minersReporting: 0,
      inProgress: 0,
      completed: 0,
      failed: 0,
      timedOut: 0,
      uploadsComplete: 0,
      listingsClaimed: 0,
    },
  };
}

/** `/stats` with the given recent epochs (newest first) and production timing. */
export function statsWith(recent: EpochSummary[], current: EpochSummary | null = null): StatsResponse {
  const now = new Date().toISOString();
  return {
    success: true,
    generatedAt: now,
    epochStatus: {
      currentEpoch: current,
      nextEpoch: { id: '2099-01-01T00-00-00', pendingAt: now, startTime: now, endTime: now },
      timing: {
        serverTime: now,
        timeUntilEpochEnd: 0,
        timeUntilNextEpoch: 0,
        epochDurationMinutes: 240,
        pendingLeadMinutes: 15,
        gracePeriodMinutes: 15,
        validationWindowMinutes: 30,
      },
    },
    catalogue: {
      zipcodes: 4,
      states: 1,
      byMarketTier: { PREMIUM: 0, STANDARD: 4, EMERGING: 0 },
      byRegion: { Northeast: 0, Midwest: 4, South: 0, West: 0 },
    },
    recentEpochs: recent,
  };
}

import type { ServerResponse } from 'node:http';
import {
  type CurrentAssignmentsResponse,
  type StatsResponse,
  acceptedStatusCommitments,
  assignmentCurrentCommitment,
  minerObjectKey,
  minerUploadCommitment,
  sha256Hex,
  verifyCommitmentSignature,
} from '@resi/core';
import {
  type FixtureServer,
  type RecordedRequest,
  sendJson,
  startFixtureServer,
} from '../../../../packages/client/src/testing/http-fixture-server.test-utils.js';

/**
 * A stand-in for the API and S3, for testing the miner's side of the protocol where a real API
 * would hide what the miner did: it verifies every signature with core, refuses a replayed one,
 * checks nonces, and records every status update and every object write (so a test can count
 * duplicates). Presigned grants point back at itself.
 */
export interface ProtocolDouble {
  readonly url: string;
  readonly statuses: Record<string, unknown>[];
  /** Every object write attempt by key, in order, including unanswered ones. */
  readonly writes: { key: string; sha256: string; bytes: number; answered: boolean }[];
  /** The stored objects, by key. */
  readonly objects: Map<string, Buffer>;
  readonly requests: RecordedRequest[];
  /** While set, object writes are received but not answered (to kill a miner mid-upload). */
  holdWrites: boolean;
  /** Object writes are answered this long after they arrive (a slow storage, to stop a miner mid-upload). */
  writeDelayMs: number;
  /** Called when an object write arrives, before it is answered. */
  onWrite?: (key: string) => void;
  close(): Promise<void>;
}

const ERROR = (response: ServerResponse, status: number, code: string, message: string) =>
  sendJson(response, status, { success: false, statusCode: status, error: 'Error', code, message });

/** The `/stats` answer for an active epoch matching `assignment`. */
export function statsFixture(assignment: CurrentAssignmentsResponse): StatsResponse {
  const startMs = Date.parse(assignment.epochStart);
  const endMs = Date.parse(assignment.epochEnd);
  const now = Date.now();
  const summary = {
    id: assignment.epochId,
    status: 'ACTIVE' as const,
    startTime: assignment.epochStart,
    endTime: assignment.epochEnd,
    submissionDeadline: assignment.submissionDeadline,
    graceEnd: new Date(endMs + 15 * 60_000).toISOString(),
    zipcodeCount: assignment.zipcodes.length,
    totalExpectedListings: assignment.metadata.totalExpectedListings,
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
  return {
    success: true,
    generatedAt: new Date(now).toISOString(),
    epochStatus: {
      currentEpoch: summary,
      nextEpoch: {
        id: assignment.epochId,
        pendingAt: new Date(endMs - 15 * 60_000).toISOString(),
        startTime: assignment.epochEnd,
        endTime: new Date(endMs + (endMs - startMs)).toISOString(),
      },
      timing: {
        serverTime: new Date(now).toISOString(),
        timeUntilEpochEnd: Math.max(0, Math.round((endMs - now) / 1000)),
        timeUntilNextEpoch: Math.max(0, Math.round((endMs - now) / 1000)),
        epochDurationMinutes: Math.round((endMs - startMs) / 60_000),
        pendingLeadMinutes: 15,
        gracePeriodMinutes: 15,
        validationWindowMinutes: 30,
      },
    },
    catalogue: {
      zipcodes: 3,
      states: 1,
      byMarketTier: { PREMIUM: 3, STANDARD: 0, EMERGING: 0 },
      byRegion: { Northeast: 3, Midwest: 0, South: 0, West: 0 },
    },
    recentEpochs: [summary],
  };
}

export async function startProtocolDouble(options: {
  assignment: CurrentAssignmentsResponse;
  /** Registered hotkeys; anything else is HOTKEY_NOT_REGISTERED. */
  hotkeys: readonly string[];
  /** The first health checks answered 503, as an API still starting. */
  failedHealthChecks?: number;
}): Promise<ProtocolDouble> {
  let failedHealthChecks = options.failedHealthChecks ?? 0;
  const { assignment } = options;
  const usedSignatures = new Set<string>();
  const double: Omit<ProtocolDouble, 'url' | 'requests' | 'close'> = {
    statuses: [],
    writes: [],
    objects: new Map(),
    holdWrites: false,
    writeDelayMs: 0,
  };
  const verified = (response: ServerResponse, hotkey: unknown, signature: unknown, commitments: readonly string[]) => {
    if (typeof hotkey !== 'string' || !options.hotkeys.includes(hotkey)) {
      ERROR(response, 403, 'HOTKEY_NOT_REGISTERED', 'not registered');
      return false;
    }
    if (
      typeof signature !== 'string' ||
      !commitments.some((commitment) => verifyCommitmentSignature(commitment, signature, hotkey))
    ) {
      ERROR(response, 401, 'SIGNATURE_INVALID', `bad signature over ${commitments.join(' or ')}`);
      return false;
    }
    if (usedSignatures.has(signature)) {
      ERROR(response, 409, 'SIGNATURE_REPLAYED', 'signature used before');
      return false;
    }
    usedSignatures.add(signature);
    return true;
  };
  let base = '';
  const server: FixtureServer = await startFixtureServer(async (request, response) => {
    const path = request.url.pathname;
    if (path === '/healthcheck') {
      if (failedHealthChecks > 0) {
        failedHealthChecks -= 1;
        return ERROR(response, 503, 'SERVICE_UNAVAILABLE', 'starting');
      }
      const component = { status: 'ok', backend: 'double' };
      return sendJson(response, 200, {
        success: true,
        status: 'ok',
        timestamp: new Date().toISOString(),
        uptime: 1,
        version: '0.0.0-double',
        service: 'protocol-double',
        database: component,
        redis: component,
        storage: component,
        metagraph: component,
      });
    }
    if (path === '/api/v1/zipcode-assignments/stats') return sendJson(response, 200, statsFixture(assignment));
    if (path === '/api/v1/zipcode-assignments/current') {
      const query = request.url.searchParams;
      const timestamp = Number(query.get('timestamp'));
      if (!verified(response, query.get('hotkey'), query.get('signature'), [assignmentCurrentCommitment(timestamp)]))
        return;
      return sendJson(response, 200, assignment);
    }
    const body =
      request.body.length > 0 && request.headers['content-type']?.includes('json')
        ? (JSON.parse(request.body.toString()) as Record<string, unknown>)
        : {};
    if (path === '/api/v1/zipcode-assignments/status' && request.method === 'POST') {
      const { hotkey, signature, timestamp, epochId } = body as {
        hotkey: string;
        signature: string;
        timestamp: number;
        epochId: string;
      };
      if (!verified(response, hotkey, signature, acceptedStatusCommitments(hotkey, epochId, timestamp))) return;
      if (body.nonce !== assignment.nonce) return ERROR(response, 409, 'NONCE_MISMATCH', 'wrong nonce');
      double.statuses.push(body);
      return sendJson(response, 200, {
        success: true,
        message: 'recorded',
        epochId,
        status: body.status,
        timestamp: new Date().toISOString(),
      });
    }
    if (path === '/api/v1/s3-access/miner-upload' && request.method === 'POST') {
      const { hotkey, signature, timestamp, epochId, files } = body as {
        hotkey: string;
        signature: string;
        timestamp: number;
        epochId: string;
        files: { name: string; bytes: number; sha256: string }[];
      };
      if (!verified(response, hotkey, signature, [minerUploadCommitment(hotkey, epochId, timestamp)])) return;
      return sendJson(response, 200, {
        success: true,
        message: 'granted',
        epochId,
        folder: minerObjectKey(hotkey, epochId, 'x').slice(0, -1),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        uploads: files.map((file) => {
          const key = minerObjectKey(hotkey, epochId, file.name);
          return {
            name: file.name,
            key,
            method: 'PUT',
            url: `${base}/bucket/${key}?sha256=${file.sha256}`,
            headers: { 'content-length': String(file.bytes), 'x-amz-checksum-sha256': file.sha256 },
            bytes: file.bytes,
            sha256: file.sha256,
          };
        }),
      });
    }
    if (path.startsWith('/bucket/') && request.method === 'PUT') {
      const key = decodeURIComponent(path.slice('/bucket/'.length));
      const write = { key, sha256: sha256Hex(request.body), bytes: request.body.length, answered: false };
      double.writes.push(write);
      double.onWrite?.(key);
      if (double.holdWrites) return;
      if (double.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, double.writeDelayMs));
      if (write.sha256 !== request.url.searchParams.get('sha256')) {
        response.writeHead(400).end('checksum mismatch');
        return;
      }
      double.objects.set(key, request.body);
      write.answered = true;
      response.writeHead(200).end();
      return;
    }
    ERROR(response, 404, 'NOT_FOUND', `no route ${request.method} ${path}`);
  });
  base = server.url;
  return Object.assign(double, {
    url: server.url,
    requests: server.requests,
    close: () => server.close(),
  });
}

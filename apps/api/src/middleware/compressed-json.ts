import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Bodies smaller than this go out as they are: gzip would save less than its own overhead. */
const MIN_GZIP_BYTES = 1024;

/**
 * Sends `value` as JSON, gzipped when the client accepts it. For the large responses a page polls
 * every few seconds (the dashboard overview is tens of kilobytes, mostly repeated field names).
 */
export async function sendCompressedJson(request: FastifyRequest, reply: FastifyReply, value: unknown): Promise<void> {
  const body = Buffer.from(JSON.stringify(value));
  void reply.type('application/json; charset=utf-8').header('Vary', 'Accept-Encoding');
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (!acceptsGzip || body.length < MIN_GZIP_BYTES) {
    await reply.send(body);
    return;
  }
  await reply.header('Content-Encoding', 'gzip').send(gzipSync(body));
}

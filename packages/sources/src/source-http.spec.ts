import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FixtureServer,
  sendJson,
  startFixtureServer,
} from '../../client/src/testing/http-fixture-server.test-utils.js';
import { testSourceHttp } from './source-test-http.test-utils.js';

let server: FixtureServer | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A forward proxy that tunnels CONNECT, counting the tunnels it opened. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const proxy = createServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request, clientSocket, head) => {
    tunnels.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    upstream.on('error', () => clientSocket.destroy());
    clientSocket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, tunnels };
}

const signal = () => new AbortController().signal;

describe('SourceHttpClient', () => {
  it('spaces request starts to the configured rate', async () => {
    server = await startFixtureServer((_request, response) => sendJson(response, 200, { ok: true }));
    const http = testSourceHttp('test', { requestsPerMinute: 600 });
    const started = Date.now();
    await Promise.all([0, 1, 2, 3].map(() => http.fetchJson(server!.url, { signal: signal() })));
    // 600/min is one start per 100 ms: the fourth starts 300 ms after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await http.close();
  });

  it('keeps at most maxConcurrent requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server = await startFixtureServer(async (_request, response) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight -= 1;
      sendJson(response, 200, {});
    });
    const http = testSourceHttp('test', { maxConcurrent: 2 });
    await Promise.all(Array.from({ length: 6 }, () => http.fetchJson(server!.url, { signal: signal() })));
    expect(peak).toBe(2);
    await http.close();
  });

  it('sends every request through an explicit proxy', async () => {
    server = await startFixtureServer((_request, response) => sendJson(response, 200, { via: 'proxy' }));
    const proxy = await startConnectProxy();
    const http = testSourceHttp('test', { proxyUrl: proxy.url });
    await expect(http.fetchJson(`${server.url}/a`, { signal: signal() })).resolves.toEqual({ via: 'proxy' });
    expect(proxy.tunnels).toEqual([new URL(server.url).host]);
    await http.close();
  });

  it('uses HTTP_PROXY / HTTPS_PROXY from the environment, honouring NO_PROXY', async () => {
    server = await startFixtureServer((_request, response) => sendJson(response, 200, {}));
    const proxy = await startConnectProxy();
    const proxied = testSourceHttp('test', { env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } });
    await proxied.fetchJson(server.url, { signal: signal() });
    expect(proxy.tunnels).toHaveLength(1);
    const bypassed = testSourceHttp('test', { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    await bypassed.fetchJson(server.url, { signal: signal() });
    expect(proxy.tunnels).toHaveLength(1);
    await proxied.close();
    await bypassed.close();
  });

  it('retries network failures and then names the host it could not reach', async () => {
    server = await startFixtureServer(() => undefined);
    const url = server.url;
    await server.close();
    server = undefined;
    const http = testSourceHttp('test');
    await expect(http.fetchText(url, { signal: signal() })).rejects.toMatchObject({
      kind: 'network',
      message: expect.stringContaining(new URL(url).host),
    });
    await http.close();
  });

  it('does not retry other client errors', async () => {
    server = await startFixtureServer((_request, response) => sendJson(response, 404, {}));
    const http = testSourceHttp('test');
    await expect(http.fetchText(server.url, { signal: signal() })).rejects.toMatchObject({ kind: 'http_404' });
    expect(server.requests).toHaveLength(1);
    await http.close();
  });
});

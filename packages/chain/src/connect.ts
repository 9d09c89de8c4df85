import { ApiPromise, WsProvider } from '@polkadot/api';
import type { ApiOptions } from '@polkadot/api/types';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import { SUBTENSOR_SIGNED_EXTENSIONS } from './metadata-check.js';

/** How to reach subtensor: a websocket URL, or a ready provider (another transport, or tests). */
export type SubtensorConnection = string | ProviderInterface;

/** Options beyond the connection; `apiOptions` reaches `ApiPromise.create` (e.g. extra runtime definitions). */
export interface ConnectSubtensorOptions {
  /** Give up when the node has not answered the start-up calls within this time. */
  timeoutMs?: number;
  apiOptions?: Omit<ApiOptions, 'provider'>;
}

function describe(connection: SubtensorConnection): string {
  return typeof connection === 'string' ? connection : 'the given provider';
}

/**
 * Connects to subtensor and waits until `@polkadot/api` has the runtime's metadata. A websocket
 * keeps reconnecting on its own afterwards; reads made while it is down fail and are retried by
 * the caller. Rejects, and closes the socket, when the node is not ready within `timeoutMs`.
 */
export async function connectSubtensor(
  connection: SubtensorConnection,
  options: ConnectSubtensorOptions = {},
): Promise<ApiPromise> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const provider = typeof connection === 'string' ? new WsProvider(connection, 2_500, {}, timeoutMs) : connection;
  const api = new ApiPromise({
    noInitWarn: true,
    ...options.apiOptions,
    signedExtensions: { ...SUBTENSOR_SIGNED_EXTENSIONS, ...options.apiOptions?.signedExtensions },
    provider,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`subtensor at ${describe(connection)} did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([api.isReadyOrError, timeout]);
    return api;
  } catch (error) {
    await api.disconnect().catch(() => undefined);
    throw new Error(`cannot connect to subtensor at ${describe(connection)}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

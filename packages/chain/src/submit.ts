import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError } from '@polkadot/types/interfaces';

/** The outcome of one extrinsic. */
export interface ExtrinsicReceipt {
  txHash: string;
  /** The block that included it; absent when the transport cannot watch (HTTP): then only submitted. */
  blockHash?: string;
}

/** `SubtensorModule.RevealTooEarly`-style name of a module error, or the generic error text. */
export function describeDispatchError(api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    return `${meta.section}.${meta.name}`;
  }
  return error.toString();
}

/** A dispatch error from the chain, with the module error's name (e.g. `subtensorModule.SettingWeightsTooFast`). */
export class ExtrinsicFailedError extends Error {
  constructor(
    readonly errorName: string,
    what: string,
  ) {
    super(`${what} failed on chain: ${errorName}`);
    this.name = 'ExtrinsicFailedError';
  }
}

/**
 * Signs `extrinsic` with the hotkey pair and submits it. Over a websocket it waits until a block
 * includes it and throws {@link ExtrinsicFailedError} when that block reports a dispatch error;
 * without subscriptions it returns after the node accepted it into the pool.
 */
export async function signAndSubmit(
  api: ApiPromise,
  extrinsic: SubmittableExtrinsic<'promise'>,
  pair: KeyringPair,
  what: string,
  timeoutMs = 120_000,
): Promise<ExtrinsicReceipt> {
  if (!api.hasSubscriptions) {
    const txHash = await extrinsic.signAndSend(pair, { nonce: -1 });
    return { txHash: txHash.toHex() };
  }
  return new Promise<ExtrinsicReceipt>((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${what}: not included within ${timeoutMs / 1000} s`)), timeoutMs);
    const finish = (error: Error | null, receipt?: ExtrinsicReceipt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe?.();
      if (error) reject(error);
      else resolve(receipt!);
    };
    extrinsic
      .signAndSend(pair, { nonce: -1 }, (result) => {
        if (result.dispatchError) {
          finish(new ExtrinsicFailedError(describeDispatchError(api, result.dispatchError), what));
        } else if (result.status.isInBlock || result.status.isFinalized) {
          const blockHash = (result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized).toHex();
          finish(null, { txHash: result.txHash.toHex(), blockHash });
        } else if (result.isError) {
          finish(new Error(`${what}: the transaction was ${result.status.type.toLowerCase()} by the node`));
        }
      })
      .then((stop) => {
        // The status callback may already have settled the promise before the subscription id arrived.
        if (done) stop();
        else unsubscribe = stop;
      })
      .catch((error: unknown) => finish(error as Error));
  });
}

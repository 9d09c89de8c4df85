/**
 * The independent implementation the timelock tests check against: ideal-lab5's own arkworks build
 * of `tle` for npm (`@ideallabs/timelock_wasm_wrapper` 1.0.0, a devDependency), the same crate and
 * byte format subtensor decrypts with.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as wasm from '@ideallabs/timelock_wasm_wrapper';

let ready = false;

function init(): void {
  if (ready) return;
  const entry = createRequire(import.meta.url).resolve('@ideallabs/timelock_wasm_wrapper');
  wasm.initSync({ module: readFileSync(join(dirname(entry), 'timelock_wasm_wrapper_bg.wasm')) });
  ready = true;
}

/** `tle`: encrypts towards `identity` (sha256 of the round) under `publicKey`, with `esk` as the AES key. */
export function referenceEncrypt(
  identity: Uint8Array,
  message: Uint8Array,
  esk: Uint8Array,
  publicKey: Uint8Array,
): Uint8Array {
  init();
  return Uint8Array.from(
    wasm.tle(
      Array.from(identity),
      Array.from(message),
      Array.from(esk),
      Array.from(publicKey),
      'bls12_381',
    ) as number[],
  );
}

/** `tld`: opens a ciphertext with a round signature; throws what the crate reports. */
export function referenceDecrypt(ciphertext: Uint8Array, signature: Uint8Array): Uint8Array {
  init();
  return Uint8Array.from(wasm.tld(Array.from(ciphertext), Array.from(signature), 'bls12_381') as number[]);
}

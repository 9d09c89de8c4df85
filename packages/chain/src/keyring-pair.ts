import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { BITTENSOR_SS58_PREFIX, type Sr25519Keypair } from '@resi/core';

/**
 * The polkadot-js signing pair of a hotkey loaded with `@resi/core`'s wallet loader
 * (`loadHotkey`). Both use the same 64-byte sr25519 secret layout (`@polkadot/wasm-crypto`'s), so
 * the bytes pass through unchanged; extrinsics are then signed with the validator's own hotkey.
 */
export function keyringPairOf(keypair: Sr25519Keypair): KeyringPair {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: BITTENSOR_SS58_PREFIX });
  return keyring.addFromPair({ publicKey: keypair.publicKey, secretKey: keypair.secretKey });
}

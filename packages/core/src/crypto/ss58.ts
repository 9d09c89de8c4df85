import { checkAddress, decodeAddress, encodeAddress } from '@polkadot/util-crypto';

/** Bittensor uses the generic Substrate SS58 prefix. */
export const BITTENSOR_SS58_PREFIX = 42;

/** True when `value` is a checksummed SS58 address with prefix 42 (hotkeys and coldkeys). */
export function isSs58Address(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 46 || value.length > 48) return false;
  try {
    const [ok] = checkAddress(value, BITTENSOR_SS58_PREFIX);
    return ok;
  } catch {
    return false;
  }
}

/** The 32-byte public key behind an SS58 address. Throws on anything `isSs58Address` rejects. */
export function publicKeyOf(address: string): Uint8Array {
  if (!isSs58Address(address)) throw new Error(`not an SS58 prefix-42 address: ${String(address)}`);
  return decodeAddress(address);
}

/** The prefix-42 SS58 address of a 32-byte public key. */
export function ss58Of(publicKey: Uint8Array): string {
  return encodeAddress(publicKey, BITTENSOR_SS58_PREFIX);
}

import { hexToU8a, u8aToHex } from '@polkadot/util';
import { isReady, sr25519Sign, sr25519Verify, waitReady } from '@polkadot/wasm-crypto';
import { isSs58Address, publicKeyOf, ss58Of } from './ss58.js';

/**
 * Signing and verification of commitment strings (PROTOCOL.md §2), byte-compatible with Python
 * bittensor's `wallet.hotkey.sign(commitment.encode()).hex()`: sr25519 over the raw UTF-8 bytes,
 * signing context `substrate`, 64-byte signature.
 *
 * Both directions run on `@polkadot/wasm-crypto` (schnorrkel compiled to WASM). The pure-JS
 * sr25519 behind `@polkadot/util-crypto` is several times slower, and verification sits on every
 * signed request of the API.
 */

/** Length in bytes of an sr25519 signature. */
export const SR25519_SIGNATURE_BYTES = 64;

/**
 * An sr25519 key pair as `@polkadot/wasm-crypto` and `@scure/sr25519` use it: `secretKey` is 64
 * bytes, the secret scalar in its Ed25519-style form (scalar × 8, schnorrkel's
 * `to_ed25519_bytes`) followed by the 32-byte nonce. This is *not* the layout of btcli's
 * `privateKey` field; `wallet/` converts between the two.
 */
export interface Sr25519Keypair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * Something that signs commitment strings for one hotkey. Miner, validator and tests sign through
 * this so the key material stays in one place.
 */
export interface Signer {
  /** SS58 (prefix 42) address of the signing hotkey. */
  readonly address: string;
  /** Signs the UTF-8 bytes of `message`; returns the signature as lowercase hex without `0x`, as Python does. */
  sign(message: string): string;
}

const utf8 = new TextEncoder();
const BYTES_WRAP_PREFIX = utf8.encode('<Bytes>');
const BYTES_WRAP_SUFFIX = utf8.encode('</Bytes>');
const SIGNATURE_HEX = new RegExp(`^(?:0x)?[0-9a-fA-F]{${SR25519_SIGNATURE_BYTES * 2}}$`);

let readiness: Promise<void> | undefined;

/**
 * Initialises the WASM sr25519 implementation. Await it once at start-up, before any call to
 * {@link verifyCommitmentSignature} or {@link signCommitment}; later calls return the same promise.
 * Rejects when the WASM module cannot be instantiated, because running on without it would turn
 * every signature check into an error.
 */
export function cryptoReady(): Promise<void> {
  readiness ??= waitReady().then((ready) => {
    if (!ready) {
      readiness = undefined;
      throw new Error('@polkadot/wasm-crypto failed to initialise; sr25519 signing and verification are unavailable');
    }
  });
  return readiness;
}

/** True once {@link cryptoReady} has resolved. */
export function isCryptoReady(): boolean {
  return isReady();
}

/**
 * Throws unless {@link cryptoReady} has completed. A forgotten `await cryptoReady()` is a
 * programming error; reporting it as "signature invalid" would reject every honest client while
 * looking like their fault.
 */
export function assertCryptoReady(): void {
  if (!isReady()) {
    throw new Error('sr25519 crypto is not initialised: await cryptoReady() at start-up before signing or verifying');
  }
}

/**
 * Decodes a signature given as hex, with or without `0x` (Python sends none, polkadot.js sends
 * one). Returns the 64 bytes, or `null` for anything that is not exactly 128 hex digits; never throws.
 */
export function parseSignatureHex(value: unknown): Uint8Array | null {
  if (typeof value !== 'string' || !SIGNATURE_HEX.test(value)) return null;
  return hexToU8a(value.startsWith('0x') ? value : `0x${value}`);
}

/** `<Bytes>message</Bytes>`: what browser-extension signers actually sign when asked to sign `message`. */
function wrapInBytesTags(message: Uint8Array): Uint8Array {
  const wrapped = new Uint8Array(BYTES_WRAP_PREFIX.length + message.length + BYTES_WRAP_SUFFIX.length);
  wrapped.set(BYTES_WRAP_PREFIX, 0);
  wrapped.set(message, BYTES_WRAP_PREFIX.length);
  wrapped.set(BYTES_WRAP_SUFFIX, BYTES_WRAP_PREFIX.length + message.length);
  return wrapped;
}

/**
 * SS58 decoding (base58 plus a blake2b checksum) costs a quarter of a verification, and the
 * addresses that sign are few: the subnet's registered hotkeys. Remembering the most recent ones
 * removes that cost; the bound keeps a flood of fresh addresses from growing memory.
 */
const PUBLIC_KEY_CACHE_SIZE = 4096;
const publicKeyByAddress = new Map<string, Uint8Array>();

function publicKeyOfCachedAddress(address: string): Uint8Array | null {
  const cached = publicKeyByAddress.get(address);
  if (cached !== undefined) return cached;
  if (!isSs58Address(address)) return null;
  const publicKey = publicKeyOf(address);
  if (publicKeyByAddress.size >= PUBLIC_KEY_CACHE_SIZE) {
    const oldest = publicKeyByAddress.keys().next();
    if (oldest.done !== true) publicKeyByAddress.delete(oldest.value);
  }
  publicKeyByAddress.set(address, publicKey);
  return publicKey;
}

/**
 * The hot-path check of every signed request: true when `signatureHex` is `address`'s sr25519
 * signature of the UTF-8 bytes of `message`, either raw (Python, polkadot.js keyring) or wrapped
 * in `<Bytes>…</Bytes>` (browser-extension signers).
 *
 * Malformed input (bad hex, wrong length, not an SS58 prefix-42 address, a public key that is not
 * a curve point) yields `false`, never an exception. Throws only when {@link cryptoReady} has not
 * completed.
 */
export function verifyCommitmentSignature(message: string, signatureHex: string, address: string): boolean {
  assertCryptoReady();
  const signature = parseSignatureHex(signatureHex);
  if (signature === null || typeof message !== 'string') return false;
  const publicKey = publicKeyOfCachedAddress(address);
  if (publicKey === null) return false;
  const messageBytes = utf8.encode(message);
  return (
    sr25519Verify(signature, messageBytes, publicKey) ||
    sr25519Verify(signature, wrapInBytesTags(messageBytes), publicKey)
  );
}

/**
 * Signs the UTF-8 bytes of `message` with `keypair` (signing context `substrate`) and returns the
 * signature as lowercase hex without `0x`, exactly what Python's `wallet.hotkey.sign(m.encode()).hex()`
 * returns. sr25519 signatures are randomised: two calls give different, equally valid signatures.
 */
export function signCommitment(message: string, keypair: Sr25519Keypair): string {
  assertCryptoReady();
  return u8aToHex(sr25519Sign(keypair.publicKey, keypair.secretKey, utf8.encode(message)), -1, false);
}

/** A {@link Signer} for `keypair`, addressed by its SS58 prefix-42 address. */
export function signerFromKeypair(keypair: Sr25519Keypair): Signer {
  const address = ss58Of(keypair.publicKey);
  return {
    address,
    sign: (message: string) => signCommitment(message, keypair),
  };
}

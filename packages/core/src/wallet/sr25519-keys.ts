import { mnemonicGenerate, mnemonicToMiniSecret, mnemonicValidate } from '@polkadot/util-crypto';
import { sr25519Agree, sr25519KeypairFromSeed } from '@polkadot/wasm-crypto';
import { assertCryptoReady, type Sr25519Keypair } from '../crypto/signatures.js';

/**
 * sr25519 key derivation for the three secrets a btcli keyfile may hold: the BIP39 phrase, the
 * 32-byte "mini secret" seed, and schnorrkel's 64-byte secret key. Each yields an
 * {@link Sr25519Keypair} in the form `@polkadot/wasm-crypto` signs with.
 */

/** Length of a substrate mini secret (btcli's `secretSeed`). */
export const SR25519_MINI_SECRET_BYTES = 32;
/** Length of schnorrkel's canonical secret key (btcli's `privateKey`): scalar, then nonce. */
export const SCHNORRKEL_SECRET_BYTES = 64;

/** Order of the Ristretto255 group; schnorrkel refuses secret scalars that are not below it. */
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
/** The Ristretto255 generator, compressed. */
const RISTRETTO_BASEPOINT = Uint8Array.from([
  0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f, 0x58, 0xe3, 0x0b,
  0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76,
]);
const SCALAR_BYTES = 32;
const COFACTOR_BITS = 3;

/** A fresh BIP39 phrase (12 words by default, as `btcli wallet new-hotkey` uses). */
export function generateMnemonic(words: 12 | 15 | 18 | 21 | 24 = 12): string {
  return mnemonicGenerate(words);
}

/** True when `phrase` is a valid English BIP39 mnemonic (checksum included). */
export function isValidMnemonic(phrase: string): boolean {
  return mnemonicValidate(phrase);
}

/**
 * The key pair of a substrate mini secret: schnorrkel's `MiniSecretKey::expand_to_keypair` in
 * Ed25519 mode, which is what bittensor's `Keypair.create_from_seed` does.
 */
export function sr25519KeypairFromMiniSecret(miniSecret: Uint8Array): Sr25519Keypair {
  if (miniSecret.length !== SR25519_MINI_SECRET_BYTES) {
    throw new Error(`an sr25519 seed is ${SR25519_MINI_SECRET_BYTES} bytes, got ${miniSecret.length}`);
  }
  assertCryptoReady();
  const pair = sr25519KeypairFromSeed(miniSecret);
  return { secretKey: pair.slice(0, 64), publicKey: pair.slice(64, 96) };
}

/**
 * The key pair of a BIP39 phrase the substrate way (entropy → PBKDF2-SHA512 with salt
 * `mnemonic`, first 32 bytes as mini secret; no password), as bittensor's
 * `Keypair.create_from_mnemonic`. Not the BIP32/BIP44 derivation of Bitcoin wallets.
 */
export function sr25519KeypairFromMnemonic(phrase: string): Sr25519Keypair {
  if (!isValidMnemonic(phrase)) throw new Error('not a valid BIP39 mnemonic (unknown word or bad checksum)');
  assertCryptoReady();
  return sr25519KeypairFromMiniSecret(mnemonicToMiniSecret(phrase));
}

function scalarToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let index = bytes.length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[index] ?? 0);
  return value;
}

function bigIntToScalar(value: bigint): Uint8Array {
  const bytes = new Uint8Array(SCALAR_BYTES);
  for (let index = 0; index < SCALAR_BYTES; index++) bytes[index] = Number((value >> BigInt(8 * index)) & 0xffn);
  return bytes;
}

/**
 * The key pair of schnorrkel's canonical 64-byte secret key (btcli's `privateKey`, from
 * `SecretKey::to_bytes`): a 32-byte little-endian scalar below the group order, then the 32-byte
 * signing nonce.
 *
 * `@polkadot/wasm-crypto` takes secrets in the "Ed25519" layout instead (`to_ed25519_bytes`), where
 * the scalar is multiplied by the cofactor 8. Seed expansion clamps an Ed25519 scalar and divides
 * it by 8 to get the canonical one, so the product is exact: a plain 3-bit left shift, no modular
 * reduction. Passing the canonical bytes unconverted would sign with a different key.
 *
 * wasm-crypto has no "public key of secret" call, but its Diffie-Hellman `sr25519Agree(P, s)`
 * returns `s·P` compressed, so agreeing with the group generator yields `s·B`, the public key.
 */
export function sr25519KeypairFromSchnorrkelSecret(secret: Uint8Array): Sr25519Keypair {
  if (secret.length !== SCHNORRKEL_SECRET_BYTES) {
    throw new Error(`an sr25519 private key is ${SCHNORRKEL_SECRET_BYTES} bytes, got ${secret.length}`);
  }
  const scalar = scalarToBigInt(secret.subarray(0, SCALAR_BYTES));
  if (scalar >= GROUP_ORDER) throw new Error('the private key scalar is not canonical (not below the group order)');
  assertCryptoReady();
  const secretKey = new Uint8Array(SCHNORRKEL_SECRET_BYTES);
  secretKey.set(bigIntToScalar(scalar << BigInt(COFACTOR_BITS)), 0);
  secretKey.set(secret.subarray(SCALAR_BYTES), SCALAR_BYTES);
  return { secretKey, publicKey: sr25519Agree(RISTRETTO_BASEPOINT, secretKey) };
}

/**
 * Schnorrkel's canonical 64-byte secret key of `keypair`, the inverse of
 * {@link sr25519KeypairFromSchnorrkelSecret}: what btcli stores as `privateKey`.
 */
export function schnorrkelSecretOf(keypair: Sr25519Keypair): Uint8Array {
  const scaled = scalarToBigInt(keypair.secretKey.subarray(0, SCALAR_BYTES));
  if ((scaled & ((1n << BigInt(COFACTOR_BITS)) - 1n)) !== 0n) {
    throw new Error('the secret scalar is not a multiple of the cofactor: not an Ed25519-layout sr25519 secret');
  }
  const canonical = new Uint8Array(SCHNORRKEL_SECRET_BYTES);
  canonical.set(bigIntToScalar(scaled >> BigInt(COFACTOR_BITS)), 0);
  canonical.set(keypair.secretKey.subarray(SCALAR_BYTES, SCHNORRKEL_SECRET_BYTES), SCALAR_BYTES);
  return canonical;
}

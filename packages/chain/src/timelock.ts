import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { compactFromU8a, compactToU8a, u8aConcat } from '@polkadot/util';

/**
 * Timelock encryption of weights for subtensor's commit-reveal v4 (`commit_timelocked_*weights`):
 * Boneh–Franklin identity-based encryption on BLS12-381 towards a drand quicknet round, in the
 * byte format of ideal-lab5's `tle` crate (arkworks `CanonicalSerialize`), which subtensor decrypts
 * itself once the round's signature is on chain (`Drand.Pulses`).
 *
 * - identity of round n: `Q = hash_to_curve_G1(sha256(u64_be(n)))` with quicknet's DST; drand's
 *   signature of round n is `sk·Q`, the IBE secret for that identity;
 * - header: `U = r·G2`, `V = sigma ⊕ sha256(ser(e(Q, r·PK)))`, `W = esk ⊕ sha256(sigma)` with
 *   `r = int_be(sha256(sigma‖esk)) mod r`; `ser` is arkworks' Fp12 layout, 12 × 48-byte LE;
 * - body: AES-256-GCM of the message under `esk`, 12-byte nonce, no associated data.
 *
 * The pairing is noble's, which (like arkworks', and unlike the textbook one) returns the reduced
 * Tate/ate value cubed; `timelock.spec.ts` checks both that and the bytes against ideal-lab's own
 * build.
 */

/** drand quicknet (`bls-unchained-g1-rfc9380`), as configured in subtensor's `pallets/drand`. */
export const DRAND_QUICKNET = {
  chainHash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  /** Unix seconds of round 1. */
  genesisTime: 1_692_803_367,
  periodSeconds: 3,
  dst: 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_',
} as const;

/** subtensor's `MAX_CRV3_COMMIT_SIZE_BYTES`: the largest ciphertext a timelocked commit may carry. */
export const MAX_TIMELOCKED_COMMIT_BYTES = 5_000;
/** The `commit_reveal_version` these ciphertexts are for. */
export const TIMELOCK_COMMIT_REVEAL_VERSION = 4;

const CIPHER_SUITE = new TextEncoder().encode('AES_GCM_');
const { G1, G2, fields } = bls12_381;
const FR_ORDER = fields.Fr.ORDER;

/** The quicknet round whose signature is published at `unixSeconds` (the latest one by then). */
export function quicknetRoundAt(unixSeconds: number): number {
  if (unixSeconds < DRAND_QUICKNET.genesisTime) return 0;
  return Math.floor((unixSeconds - DRAND_QUICKNET.genesisTime) / DRAND_QUICKNET.periodSeconds) + 1;
}

/** Unix seconds at which quicknet publishes `round`. */
export function quicknetRoundTime(round: number): number {
  return DRAND_QUICKNET.genesisTime + (round - 1) * DRAND_QUICKNET.periodSeconds;
}

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

function xor32(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== 32) throw new Error('timelock ciphertext: V and W must be 32 bytes');
  return a.map((byte, index) => byte ^ b[index]!);
}

function u64le(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

/** arkworks' `Vec<u8>` serialisation: a u64 little-endian length, then the bytes. */
function arkVec(bytes: Uint8Array): Uint8Array {
  return u8aConcat(u64le(bytes.length), bytes);
}

function bigIntBe(bytes: Uint8Array): bigint {
  return bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

function fpLe(value: bigint): Uint8Array {
  const out = new Uint8Array(48);
  let rest = value;
  for (let index = 0; index < 48; index++) {
    out[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

type Gt = ReturnType<typeof bls12_381.pairing>;

/** arkworks' `CanonicalSerialize` of an Fp12 element: c0.c0.c0, c0.c0.c1, …, c1.c2.c1, each 48 bytes LE. */
export function serializeGt(value: Gt): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const fp6 of [value.c0, value.c1])
    for (const fp2 of [fp6.c0, fp6.c1, fp6.c2]) parts.push(fpLe(fp2.c0), fpLe(fp2.c1));
  return u8aConcat(...parts);
}

/** The identity point of a round: what drand signs. */
export function quicknetIdentity(round: number | bigint) {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(round), false);
  return G1.hashToCurve(sha256(message), { DST: DRAND_QUICKNET.dst });
}

/** The random inputs of one encryption; fixed only by tests that need reproducible bytes. */
export interface TlockRandomness {
  /** The AES key, also the IBE message. */
  esk: Uint8Array;
  sigma: Uint8Array;
  nonce: Uint8Array;
}

function randomness(): TlockRandomness {
  return { esk: randomBytes(32), sigma: randomBytes(32), nonce: randomBytes(12) };
}

function scalarOf(sigma: Uint8Array, esk: Uint8Array): bigint {
  const r = bigIntBe(sha256(sigma, esk)) % FR_ORDER;
  // r = 0 happens with probability 2^-255; arkworks would emit the point at infinity, we refuse.
  if (r === 0n) throw new Error('timelock: degenerate randomness, encrypt again');
  return r;
}

/**
 * Encrypts `message` so that it opens with quicknet's signature of `round`. Returns the
 * serialised `TLECiphertext<TinyBLS381>` subtensor expects in a timelocked commit.
 */
export function tlockEncrypt(
  message: Uint8Array,
  round: number,
  options: { publicKey?: string; randomness?: TlockRandomness } = {},
): Uint8Array {
  if (!Number.isSafeInteger(round) || round < 1) throw new RangeError('timelock: the round must be a positive integer');
  const { esk, sigma, nonce } = options.randomness ?? randomness();
  if (esk.length !== 32 || sigma.length !== 32 || nonce.length !== 12)
    throw new RangeError('timelock: esk and sigma are 32 bytes, the nonce 12');
  const publicKey = G2.Point.fromHex(options.publicKey ?? DRAND_QUICKNET.publicKey);
  const r = scalarOf(sigma, esk);
  const u = G2.Point.BASE.multiply(r);
  const gid = bls12_381.pairing(quicknetIdentity(round), publicKey.multiply(r));
  const v = xor32(sigma, sha256(serializeGt(gid)));
  const w = xor32(esk, sha256(sigma));
  const cipher = createCipheriv('aes-256-gcm', esk, nonce);
  const sealed = u8aConcat(cipher.update(message), cipher.final(), cipher.getAuthTag());
  const body = u8aConcat(arkVec(sealed), arkVec(nonce));
  return u8aConcat(u.toBytes(true), arkVec(v), arkVec(w), arkVec(body), arkVec(CIPHER_SUITE));
}

/** The parts of a serialised timelock ciphertext. */
export interface TlockCiphertextParts {
  u: Uint8Array;
  v: Uint8Array;
  w: Uint8Array;
  /** AES-GCM output: ciphertext then 16-byte tag. */
  sealed: Uint8Array;
  nonce: Uint8Array;
  cipherSuite: string;
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  take(length: number, what: string): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new Error(`timelock ciphertext: ${what} is cut short`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  vec(what: string): Uint8Array {
    const length = new DataView(this.take(8, what).slice().buffer).getBigUint64(0, true);
    if (length > BigInt(this.bytes.length)) throw new Error(`timelock ciphertext: ${what} has an impossible length`);
    return this.take(Number(length), what);
  }
  end(what: string): void {
    if (this.offset !== this.bytes.length) throw new Error(`timelock ciphertext: bytes left after ${what}`);
  }
}

/** Splits a serialised ciphertext; throws naming the part that does not parse. */
export function parseTlockCiphertext(bytes: Uint8Array): TlockCiphertextParts {
  const reader = new Reader(bytes);
  const u = reader.take(96, 'U');
  const v = reader.vec('V');
  const w = reader.vec('W');
  const body = new Reader(reader.vec('body'));
  const cipherSuite = new TextDecoder().decode(reader.vec('cipher suite'));
  reader.end('the cipher suite');
  const sealed = body.vec('AES ciphertext');
  const nonce = body.vec('nonce');
  body.end('the nonce');
  return { u, v, w, sealed, nonce, cipherSuite };
}

/** Opens a ciphertext with quicknet's signature of its round (48-byte compressed G1), as subtensor does. */
export function tlockDecrypt(bytes: Uint8Array, signature: Uint8Array): Uint8Array {
  const parts = parseTlockCiphertext(bytes);
  if (parts.cipherSuite !== 'AES_GCM_')
    throw new Error(`timelock ciphertext: unknown cipher suite ${parts.cipherSuite}`);
  if (parts.nonce.length !== 12) throw new Error('timelock ciphertext: the nonce is not 12 bytes');
  const u = G2.Point.fromBytes(parts.u);
  const sigma = xor32(parts.v, sha256(serializeGt(bls12_381.pairing(G1.Point.fromBytes(signature), u))));
  const esk = xor32(parts.w, sha256(sigma));
  if (!G2.Point.BASE.multiply(scalarOf(sigma, esk)).equals(u))
    throw new Error('timelock: the signature does not open this ciphertext (wrong round or key)');
  if (parts.sealed.length < 16) throw new Error('timelock ciphertext: no authentication tag');
  const decipher = createDecipheriv('aes-256-gcm', esk, parts.nonce);
  decipher.setAuthTag(parts.sealed.subarray(parts.sealed.length - 16));
  return new Uint8Array(
    Buffer.concat([decipher.update(parts.sealed.subarray(0, parts.sealed.length - 16)), decipher.final()]),
  );
}

/** Whether `signature` is quicknet's signature of `round`. */
export function verifyQuicknetSignature(round: number, signature: Uint8Array): boolean {
  const publicKey = G2.Point.fromHex(DRAND_QUICKNET.publicKey);
  const left = bls12_381.pairing(G1.Point.fromBytes(signature), G2.Point.BASE);
  const right = bls12_381.pairing(quicknetIdentity(round), publicKey);
  return fields.Fp12.eql(left, right);
}

/** subtensor's `WeightsTlockPayload`: what a timelocked commit encrypts. */
export interface WeightsTlockPayload {
  /** The committing hotkey's 32-byte public key. */
  hotkey: Uint8Array;
  uids: number[];
  values: number[];
  versionKey: bigint;
}

function u16s(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((value, index) => {
    if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new RangeError(`${value} is not a u16`);
    view.setUint16(index * 2, value, true);
  });
  return u8aConcat(compactToU8a(values.length), out);
}

/** SCALE encoding: `Vec<u8>` hotkey, `Vec<u16>` uids, `Vec<u16>` values, `u64` version key. */
export function encodeWeightsTlockPayload(payload: WeightsTlockPayload): Uint8Array {
  if (payload.hotkey.length !== 32) throw new RangeError('the hotkey is a 32-byte public key');
  if (payload.uids.length !== payload.values.length) throw new RangeError('uids and values differ in length');
  const version = new Uint8Array(8);
  new DataView(version.buffer).setBigUint64(0, payload.versionKey, true);
  return u8aConcat(compactToU8a(32), payload.hotkey, u16s(payload.uids), u16s(payload.values), version);
}

/** The inverse of {@link encodeWeightsTlockPayload}; throws on trailing or missing bytes. */
export function decodeWeightsTlockPayload(bytes: Uint8Array): WeightsTlockPayload {
  let offset = 0;
  const compact = () => {
    const [length, value] = compactFromU8a(bytes.subarray(offset));
    offset += length;
    return value.toNumber();
  };
  const take = (length: number) => {
    if (offset + length > bytes.length) throw new Error('weights payload is cut short');
    const out = bytes.subarray(offset, offset + length);
    offset += length;
    return out;
  };
  const hotkey = take(compact()).slice();
  const list = () => {
    const count = compact();
    const raw = take(count * 2);
    return Array.from({ length: count }, (_, index) => raw[index * 2]! | (raw[index * 2 + 1]! << 8));
  };
  const uids = list();
  const values = list();
  const versionKey = new DataView(take(8).slice().buffer).getBigUint64(0, true);
  if (offset !== bytes.length) throw new Error('weights payload has trailing bytes');
  return { hotkey, uids, values, versionKey };
}

/**
 * CR v4 timelock ciphertexts against ideal-lab5's own build of `tle` (the crate subtensor uses),
 * with real drand quicknet signatures: round 1000 from subtensor's pallets/drand tests, round 2000
 * from the timelock repository's FFI example. Both are checked against quicknet's public key first.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import {
  DRAND_QUICKNET,
  MAX_TIMELOCKED_COMMIT_BYTES,
  decodeWeightsTlockPayload,
  encodeWeightsTlockPayload,
  parseTlockCiphertext,
  quicknetRoundAt,
  quicknetRoundTime,
  tlockDecrypt,
  tlockEncrypt,
  verifyQuicknetSignature,
} from './timelock.js';
import { referenceDecrypt, referenceEncrypt } from './timelock-wasm.test-utils.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/^0x/, ''), 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const SIGNATURES: Record<number, string> = {
  1000: 'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
  2000: 'b6cb8f482a0b15d45936a4c4ea08e98a087e71787caee3f4d07a8a9843b1bc5423c6b3c22f446488b3137eaca799c77e',
};
const roundIdentity = (round: number) => {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(round));
  return new Uint8Array(createHash('sha256').update(message).digest());
};
const PAYLOAD = {
  hotkey: hex('d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d'),
  uids: [3, 17, 42, 250],
  values: [65_535, 32_768, 1_200, 7],
  versionKey: 1_002_003n,
};

interface Vector {
  round: number;
  signature: string;
  plaintext: string;
  /** Produced here with fixed randomness: must stay byte-identical. */
  ours: { esk: string; sigma: string; nonce: string; ciphertext: string };
  /** Produced by ideal-lab5's build (random): must keep opening with our code. */
  reference: string;
}
const VECTORS = new URL('../test/fixtures/timelock-vectors.json', import.meta.url);

function fixedRandomness(round: number) {
  const derive = (label: string, length: number) =>
    new Uint8Array(createHash('sha256').update(`resi tlock vector ${round} ${label}`).digest()).subarray(0, length);
  return { esk: derive('esk', 32), sigma: derive('sigma', 32), nonce: derive('nonce', 12) };
}

describe('drand quicknet', () => {
  it('the published signatures of rounds 1000 and 2000 verify under quicknet’s key, and a wrong round does not', () => {
    expect(verifyQuicknetSignature(1000, hex(SIGNATURES[1000]!))).toBe(true);
    expect(verifyQuicknetSignature(2000, hex(SIGNATURES[2000]!))).toBe(true);
    expect(verifyQuicknetSignature(1001, hex(SIGNATURES[1000]!))).toBe(false);
  });

  it('rounds follow genesis 1692803367 and a 3-second period', () => {
    expect(quicknetRoundAt(DRAND_QUICKNET.genesisTime)).toBe(1);
    expect(quicknetRoundAt(DRAND_QUICKNET.genesisTime + 2)).toBe(1);
    expect(quicknetRoundAt(DRAND_QUICKNET.genesisTime + 3)).toBe(2);
    expect(quicknetRoundTime(1000)).toBe(1_692_803_367 + 999 * 3);
    expect(quicknetRoundAt(quicknetRoundTime(123_456))).toBe(123_456);
  });

  it('noble’s pairing is the textbook reduced pairing cubed, as arkworks’ is', () => {
    const { Fp, Fp12, Fr } = bls12_381.fields;
    const p = bls12_381.G1.Point.BASE.multiply(7n);
    const q = bls12_381.G2.Point.BASE.multiply(11n);
    const textbook = Fp12.pow(bls12_381.pairing(p, q, false), (Fp.ORDER ** 12n - 1n) / Fr.ORDER);
    const noble = bls12_381.pairing(p, q);
    expect(Fp12.eql(noble, textbook)).toBe(false);
    expect(Fp12.eql(noble, Fp12.pow(textbook, 3n))).toBe(true);
  });
});

describe('WeightsTlockPayload', () => {
  it('SCALE-encodes hotkey, uids, values and version key, and decodes back', () => {
    const bytes = encodeWeightsTlockPayload(PAYLOAD);
    // Vec<u8>(32) | Vec<u16>(4) | Vec<u16>(4) | u64
    expect(toHex(bytes)).toBe(
      '80' +
        'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d' +
        '10' +
        '030011002a00fa00' +
        '10' +
        'ffff0080b0040700' +
        '134a0f0000000000',
    );
    expect(decodeWeightsTlockPayload(bytes)).toEqual(PAYLOAD);
    expect(() => decodeWeightsTlockPayload(bytes.subarray(0, bytes.length - 1))).toThrow(/cut short/);
  });
});

describe('timelock encryption, interoperable with ideal-lab5’s tle', () => {
  const plaintext = encodeWeightsTlockPayload(PAYLOAD);

  for (const round of [1000, 2000]) {
    const signature = hex(SIGNATURES[round]!);

    it(`round ${round}: the reference build opens our ciphertext, to the same payload`, () => {
      const ciphertext = tlockEncrypt(plaintext, round);
      expect(decodeWeightsTlockPayload(referenceDecrypt(ciphertext, signature))).toEqual(PAYLOAD);
      expect(decodeWeightsTlockPayload(tlockDecrypt(ciphertext, signature))).toEqual(PAYLOAD);
    });

    it(`round ${round}: we open the reference build’s ciphertext`, () => {
      const esk = fixedRandomness(round).esk;
      const ciphertext = referenceEncrypt(roundIdentity(round), plaintext, esk, hex(DRAND_QUICKNET.publicKey));
      expect(decodeWeightsTlockPayload(tlockDecrypt(ciphertext, signature))).toEqual(PAYLOAD);
    });
  }

  it('the wrong round’s signature opens nothing, in either implementation', () => {
    const ciphertext = tlockEncrypt(plaintext, 2000);
    expect(() => tlockDecrypt(ciphertext, hex(SIGNATURES[1000]!))).toThrow(/does not open/);
    expect(() => referenceDecrypt(ciphertext, hex(SIGNATURES[1000]!))).toThrow();
  });

  it('lays the bytes out as arkworks does, and 4 uids make a 303-byte commit', () => {
    const ciphertext = tlockEncrypt(plaintext, 1000);
    expect(ciphertext.length).toBe(303);
    expect(ciphertext.length).toBeLessThanOrEqual(MAX_TIMELOCKED_COMMIT_BYTES);
    const parts = parseTlockCiphertext(ciphertext);
    expect(parts.u.length).toBe(96);
    expect(parts.v.length).toBe(32);
    expect(parts.w.length).toBe(32);
    expect(parts.nonce.length).toBe(12);
    expect(parts.sealed.length).toBe(plaintext.length + 16);
    expect(parts.cipherSuite).toBe('AES_GCM_');
    // U | u64le(32) V | u64le(32) W | u64le(body) … | u64le(8) "AES_GCM_"
    expect(toHex(ciphertext.subarray(96, 104))).toBe('2000000000000000');
    expect(toHex(ciphertext.subarray(ciphertext.length - 16))).toBe(
      `0800000000000000${toHex(new TextEncoder().encode('AES_GCM_'))}`,
    );
    const tampered = ciphertext.slice();
    tampered[tampered.length - 40]! ^= 1;
    expect(() => tlockDecrypt(tampered, hex(SIGNATURES[1000]!))).toThrow();
  });

  it('the committed vectors still hold: ours byte for byte, the reference build’s opening with our code', () => {
    if (process.env.RESI_WRITE_TLOCK_VECTORS === '1') {
      const vectors: Vector[] = [1000, 2000].map((round) => {
        const fixed = fixedRandomness(round);
        return {
          round,
          signature: SIGNATURES[round]!,
          plaintext: toHex(plaintext),
          ours: {
            esk: toHex(fixed.esk),
            sigma: toHex(fixed.sigma),
            nonce: toHex(fixed.nonce),
            ciphertext: toHex(tlockEncrypt(plaintext, round, { randomness: fixed })),
          },
          reference: toHex(referenceEncrypt(roundIdentity(round), plaintext, fixed.esk, hex(DRAND_QUICKNET.publicKey))),
        };
      });
      writeFileSync(VECTORS, `${JSON.stringify(vectors, null, 2)}\n`);
    }
    const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];
    expect(vectors.map((vector) => vector.round)).toEqual([1000, 2000]);
    for (const vector of vectors) {
      const randomness = { esk: hex(vector.ours.esk), sigma: hex(vector.ours.sigma), nonce: hex(vector.ours.nonce) };
      expect(toHex(tlockEncrypt(hex(vector.plaintext), vector.round, { randomness }))).toBe(vector.ours.ciphertext);
      expect(toHex(referenceDecrypt(hex(vector.ours.ciphertext), hex(vector.signature)))).toBe(vector.plaintext);
      expect(toHex(tlockDecrypt(hex(vector.reference), hex(vector.signature)))).toBe(vector.plaintext);
    }
  });
});

import * as scure from '@scure/sr25519';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, signCommitment } from '../crypto/signatures.js';
import { ss58Of } from '../crypto/ss58.js';
import {
  generateMnemonic,
  isValidMnemonic,
  schnorrkelSecretOf,
  sr25519KeypairFromMiniSecret,
  sr25519KeypairFromMnemonic,
  sr25519KeypairFromSchnorrkelSecret,
} from './sr25519-keys.js';

const MNEMONIC = 'old leopard transfer rib spatial phone calm indicate online fire caution review';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytesOfHex = (value: string) => Uint8Array.from(Buffer.from(value.replace(/^0x/, ''), 'hex'));

beforeAll(async () => {
  await cryptoReady();
});

describe('sr25519KeypairFromMnemonic', () => {
  it('derives the address bittensor derives for the reference mnemonic', () => {
    expect(ss58Of(sr25519KeypairFromMnemonic(MNEMONIC).publicKey)).toBe(
      '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX',
    );
  });

  it('refuses a phrase with a bad checksum', () => {
    expect(() => sr25519KeypairFromMnemonic(MNEMONIC.replace('review', 'old'))).toThrow(/mnemonic/);
  });
});

describe('sr25519KeypairFromSchnorrkelSecret', () => {
  it("matches bittensor-wallet's own private-key vector", () => {
    // tests/test_keyfile.py::test_create_keypair_from_private_key in opentensor/btwallet.
    const secret = bytesOfHex(
      '1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e',
    );
    expect(hex(sr25519KeypairFromSchnorrkelSecret(secret).publicKey)).toBe(
      'e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446',
    );
  });

  it('inverts schnorrkelSecretOf for any seed, agreeing with @scure/sr25519 on the public key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const fromSeed = sr25519KeypairFromMiniSecret(seed);
        const canonical = schnorrkelSecretOf(fromSeed);
        const sut = sr25519KeypairFromSchnorrkelSecret(canonical);
        expect(hex(sut.publicKey)).toBe(hex(fromSeed.publicKey));
        expect(hex(sut.secretKey)).toBe(hex(fromSeed.secretKey));
        expect(hex(scure.getPublicKey(sut.secretKey))).toBe(hex(fromSeed.publicKey));
      }),
      { numRuns: 30 },
    );
  });

  it('signs with the key it reports', () => {
    const pair = sr25519KeypairFromSchnorrkelSecret(schnorrkelSecretOf(sr25519KeypairFromMnemonic(MNEMONIC)));
    const signature = bytesOfHex(signCommitment('m', pair));
    expect(scure.verify(new TextEncoder().encode('m'), signature, pair.publicKey)).toBe(true);
  });

  it('refuses a scalar that is not below the group order, and a wrong length', () => {
    expect(() => sr25519KeypairFromSchnorrkelSecret(new Uint8Array(64).fill(0xff))).toThrow(/canonical/);
    expect(() => sr25519KeypairFromSchnorrkelSecret(new Uint8Array(32))).toThrow(/64 bytes/);
  });
});

describe('generateMnemonic', () => {
  it('gives a fresh valid 12-word phrase each time', () => {
    const first = generateMnemonic();
    expect(first.split(' ')).toHaveLength(12);
    expect(isValidMnemonic(first)).toBe(true);
    expect(generateMnemonic()).not.toBe(first);
  });
});

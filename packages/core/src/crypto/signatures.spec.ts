import * as scure from '@scure/sr25519';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { sr25519KeypairFromMnemonic } from '../wallet/sr25519-keys.js';
import {
  cryptoReady,
  isCryptoReady,
  parseSignatureHex,
  signCommitment,
  signerFromKeypair,
  verifyCommitmentSignature,
} from './signatures.js';
import { publicKeyOf, ss58Of } from './ss58.js';

// Public test vectors of @polkadot/util-crypto's signatureVerify.
const MESSAGE = 'hello world';
const RAW_SIGNER = '5DoPvwLT8fEww3oT7ae4ZDkrEPEw1asghHMrL55JvakkX9e2';
const RAW_SIGNATURE =
  '0xca01419b5a17219f7b78335658cab3b126db523a5df7be4bfc2bef76c2eb3b1dcf4ca86eb877d0a6cf6df12db5995c51d13b00e005d053b892bd09c594434288';
const WRAPPED_SIGNER = '5HeAYjXFNWrGmTnH35CuivoExNLFrHoeWf5CaQTWHM5qPxRW';
const WRAPPED_SIGNATURE =
  '0x84b6afb1c8e54bbcb3f4872baf172580e21310e9387a53742627d6652d121447fa406b82805ed3184fb7bd519175cc9f99f283f97954d95cf966ee164df85489';
const MNEMONIC = 'old leopard transfer rib spatial phone calm indicate online fire caution review';

const utf8 = new TextEncoder();
const bytesOfHex = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));

describe('with crypto ready', () => {
  beforeAll(async () => {
    await cryptoReady();
  });

  it('reports readiness and resolves again immediately', async () => {
    expect(isCryptoReady()).toBe(true);
    await expect(cryptoReady()).resolves.toBeUndefined();
  });

  describe('parseSignatureHex', () => {
    it('accepts 128 hex digits with or without 0x, in either case', () => {
      const bare = RAW_SIGNATURE.slice(2);
      expect(parseSignatureHex(RAW_SIGNATURE)).toEqual(bytesOfHex(RAW_SIGNATURE));
      expect(parseSignatureHex(bare)).toEqual(bytesOfHex(RAW_SIGNATURE));
      expect(parseSignatureHex(bare.toUpperCase())).toEqual(bytesOfHex(RAW_SIGNATURE));
      expect(parseSignatureHex(bare)).toHaveLength(64);
    });

    it.each([
      ['127 digits', RAW_SIGNATURE.slice(0, -1)],
      ['130 digits', RAW_SIGNATURE + 'ab'],
      ['a non-hex digit', RAW_SIGNATURE.slice(0, -1) + 'g'],
      ['a double prefix', '0x' + RAW_SIGNATURE],
      ['an uppercase prefix', '0X' + RAW_SIGNATURE.slice(2)],
      ['surrounding whitespace', ` ${RAW_SIGNATURE.slice(2)}`],
      ['empty', ''],
    ])('returns null for %s', (_case, value) => {
      expect(parseSignatureHex(value)).toBeNull();
    });

    it('returns null for anything that is not a string, never throwing', () => {
      fc.assert(
        fc.property(fc.anything(), (value) => {
          expect(parseSignatureHex(value)).toBeNull();
        }),
        { examples: [[null], [undefined], [64], [new Uint8Array(64)]] },
      );
    });
  });

  describe('verifyCommitmentSignature', () => {
    it('accepts the polkadot-js vector signed over the raw message', () => {
      expect(verifyCommitmentSignature(MESSAGE, RAW_SIGNATURE, RAW_SIGNER)).toBe(true);
      expect(verifyCommitmentSignature(MESSAGE, RAW_SIGNATURE.slice(2), RAW_SIGNER)).toBe(true);
    });

    it('accepts the polkadot-js vector signed over <Bytes>message</Bytes>', () => {
      expect(verifyCommitmentSignature(MESSAGE, WRAPPED_SIGNATURE, WRAPPED_SIGNER)).toBe(true);
    });

    it('proves the second vector is valid only wrapped, so the wrapped fallback is what accepts it', () => {
      const signature = bytesOfHex(WRAPPED_SIGNATURE);
      const publicKey = publicKeyOf(WRAPPED_SIGNER);
      expect(scure.verify(utf8.encode(MESSAGE), signature, publicKey)).toBe(false);
      expect(scure.verify(utf8.encode(`<Bytes>${MESSAGE}</Bytes>`), signature, publicKey)).toBe(true);
    });

    it.each([
      ['a tampered message', 'hello world!', RAW_SIGNATURE, RAW_SIGNER],
      ['another key', MESSAGE, RAW_SIGNATURE, WRAPPED_SIGNER],
      ['a truncated signature', MESSAGE, RAW_SIGNATURE.slice(0, 100), RAW_SIGNER],
      ['a non-hex signature', MESSAGE, RAW_SIGNATURE.slice(0, -2) + 'zz', RAW_SIGNER],
      ['one flipped signature bit', MESSAGE, RAW_SIGNATURE.slice(0, -1) + '9', RAW_SIGNER],
      ['a bad address checksum', MESSAGE, RAW_SIGNATURE, RAW_SIGNER.slice(0, -1) + '3'],
      ['a Polkadot prefix-0 address', MESSAGE, RAW_SIGNATURE, '15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5'],
      ['a hex public key instead of an address', MESSAGE, RAW_SIGNATURE, '0x' + 'ab'.repeat(32)],
      ['an empty address', MESSAGE, RAW_SIGNATURE, ''],
    ])('rejects %s', (_case, message, signature, address) => {
      expect(verifyCommitmentSignature(message, signature, address)).toBe(false);
    });

    it('rejects an address whose key is not a curve point, without throwing', () => {
      const notAPoint = ss58Of(new Uint8Array(32).fill(0xff));
      expect(verifyCommitmentSignature(MESSAGE, RAW_SIGNATURE, notAPoint)).toBe(false);
    });

    it('never throws on arbitrary input once ready', () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), fc.string(), (message, signature, address) => {
          expect(typeof verifyCommitmentSignature(message, signature, address)).toBe('boolean');
        }),
      );
    });
  });

  describe('signCommitment', () => {
    const keypair = () => sr25519KeypairFromMnemonic(MNEMONIC);
    const commitment = 'zipcode:assignment:current:1759334400';

    it('returns bare lowercase hex like Python, and verifies', () => {
      const signature = signCommitment(commitment, keypair());
      expect(signature).toMatch(/^[0-9a-f]{128}$/);
      expect(verifyCommitmentSignature(commitment, signature, ss58Of(keypair().publicKey))).toBe(true);
      expect(verifyCommitmentSignature(commitment + '1', signature, ss58Of(keypair().publicKey))).toBe(false);
    });

    it('signs the UTF-8 bytes of non-ASCII commitments', () => {
      const { publicKey } = keypair();
      const signature = signCommitment('zipcode:é☃:1', keypair());
      expect(scure.verify(utf8.encode('zipcode:é☃:1'), bytesOfHex(signature), publicKey)).toBe(true);
    });

    it('produces signatures the independent @scure/sr25519 accepts', () => {
      const { publicKey } = keypair();
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), (message) => {
          const signature = bytesOfHex(signCommitment(message, keypair()));
          expect(scure.verify(utf8.encode(message), signature, publicKey)).toBe(true);
        }),
        { numRuns: 25 },
      );
    });

    it('accepts signatures made by @scure/sr25519', () => {
      const secretKey = scure.secretFromSeed(new Uint8Array(32).fill(7));
      const address = ss58Of(scure.getPublicKey(secretKey));
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), (message) => {
          const signature = Buffer.from(scure.sign(secretKey, utf8.encode(message))).toString('hex');
          expect(verifyCommitmentSignature(message, signature, address)).toBe(true);
          expect(verifyCommitmentSignature(message + 'x', signature, address)).toBe(false);
        }),
        { numRuns: 25 },
      );
    });
  });

  describe('signerFromKeypair', () => {
    it('signs as the address it reports', () => {
      const sut = signerFromKeypair(sr25519KeypairFromMnemonic(MNEMONIC));
      expect(sut.address).toBe('5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX');
      const signature = sut.sign('s3:validator:upload:1759334400');
      expect(verifyCommitmentSignature('s3:validator:upload:1759334400', signature, sut.address)).toBe(true);
    });
  });
});

import type * as WasmCrypto from '@polkadot/wasm-crypto';
import { describe, expect, it, vi } from 'vitest';

// The WASM module starts initialising as soon as @polkadot/util-crypto is imported, so the
// window before readiness cannot be hit reliably with the real module: stand in for it here.
vi.mock('@polkadot/wasm-crypto', async (importOriginal) => ({
  ...(await importOriginal<typeof WasmCrypto>()),
  isReady: () => false,
  waitReady: () => Promise.resolve(false),
}));

const { cryptoReady, isCryptoReady, signCommitment, verifyCommitmentSignature } = await import('./signatures.js');

describe('before the WASM sr25519 module is ready', () => {
  it('verification throws instead of answering false', () => {
    expect(isCryptoReady()).toBe(false);
    expect(() =>
      verifyCommitmentSignature('hello world', '00'.repeat(64), '5DoPvwLT8fEww3oT7ae4ZDkrEPEw1asghHMrL55JvakkX9e2'),
    ).toThrow(/await cryptoReady\(\)/);
  });

  it('signing throws', () => {
    expect(() => signCommitment('m', { publicKey: new Uint8Array(32), secretKey: new Uint8Array(64) })).toThrow(
      /cryptoReady/,
    );
  });

  it('cryptoReady rejects when the module cannot be instantiated', async () => {
    await expect(cryptoReady()).rejects.toThrow(/failed to initialise/);
  });
});

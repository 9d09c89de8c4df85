/**
 * Signature verifications per second: the API's hot-path verifier (`verifyCommitmentSignature`,
 * WASM schnorrkel) against `@polkadot/util-crypto`'s `signatureVerify` (pure JS), same inputs
 * (hex signature, SS58 address, commitment string). Prints both rates and their ratio; runs for a
 * few seconds. `npm run bench:verify`.
 */
import { signatureVerify } from '@polkadot/util-crypto';
import {
  cryptoReady,
  signCommitment,
  sr25519KeypairFromMiniSecret,
  ss58Of,
  verifyCommitmentSignature,
} from '../packages/core/src/index.js';

const SIGNERS = 32;
const WARMUP_MS = 200;
const MEASURE_MS = 1_500;

interface SignedCase {
  readonly message: string;
  readonly signature: string;
  readonly address: string;
}

function signedCases(): SignedCase[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: SIGNERS }, (_, index) => {
    const keypair = sr25519KeypairFromMiniSecret(new Uint8Array(32).fill(index + 1));
    const message = `zipcode:assignment:current:${now + index}`;
    // Python miners send bare hex; half the cases carry polkadot.js's 0x to cover both spellings.
    const bare = signCommitment(message, keypair);
    return { message, signature: index % 2 === 0 ? bare : `0x${bare}`, address: ss58Of(keypair.publicKey) };
  });
}

/** Calls `verify` over the cases for `durationMs` and returns verifications per second. */
function rate(cases: readonly SignedCase[], durationMs: number, verify: (entry: SignedCase) => boolean): number {
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (const entry of cases) {
      if (!verify(entry)) throw new Error(`benchmark input failed to verify: ${entry.message}`);
    }
    count += cases.length;
    elapsed = performance.now() - started;
  }
  return (count * 1000) / elapsed;
}

await cryptoReady();
const cases = signedCases();
const ours = (entry: SignedCase) => verifyCommitmentSignature(entry.message, entry.signature, entry.address);
// signatureVerify reads a string without 0x as UTF-8 text, so a server built on it adds the prefix.
const polkadot = (entry: SignedCase) =>
  signatureVerify(
    entry.message,
    entry.signature.startsWith('0x') ? entry.signature : `0x${entry.signature}`,
    entry.address,
  ).isValid;

rate(cases, WARMUP_MS, ours);
rate(cases, WARMUP_MS, polkadot);
const oursPerSecond = rate(cases, MEASURE_MS, ours);
const polkadotPerSecond = rate(cases, MEASURE_MS, polkadot);

const format = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} verifications/s`;
console.log(`verifyCommitmentSignature (@polkadot/wasm-crypto): ${format(oursPerSecond)}`);
console.log(`signatureVerify (@polkadot/util-crypto):           ${format(polkadotPerSecond)}`);
console.log(`ratio: ${(oursPerSecond / polkadotPerSecond).toFixed(1)}x`);

import { randomBytes } from 'node:crypto';
import {
  type CurrentAssignmentsResponse,
  type Signer,
  cryptoReady,
  signerFromKeypair,
  sr25519KeypairFromMiniSecret,
} from '@resi/core';

/** A fresh hotkey signer for tests. */
export async function makeTestSigner(seedByte?: number): Promise<Signer> {
  await cryptoReady();
  const seed = seedByte === undefined ? randomBytes(32) : new Uint8Array(32).fill(seedByte);
  return signerFromKeypair(sr25519KeypairFromMiniSecret(seed));
}

/** A `/current` answer for `zipcodes`, valid under the core schema. */
export function assignmentFixture(
  options: { epochId?: string; nonce?: string; zipcodes?: readonly string[]; start?: Date; end?: Date } = {},
): CurrentAssignmentsResponse {
  const start = options.start ?? new Date('2025-10-01T16:00:00.000Z');
  const end = options.end ?? new Date(start.getTime() + 4 * 3_600_000);
  const zipcodes = options.zipcodes ?? ['19103', '19104'];
  return {
    success: true,
    epochId: options.epochId ?? '2025-10-01T16-00-00',
    epochStart: start.toISOString(),
    epochEnd: end.toISOString(),
    nonce: options.nonce ?? '376ce532f42cf2a5',
    targetListings: 10_000,
    tolerancePercent: 10,
    submissionDeadline: end.toISOString(),
    zipcodes: zipcodes.map((zipcode) => ({
      zipcode,
      expectedListings: 100,
      state: 'PA',
      city: 'Philadelphia',
      county: 'Philadelphia County',
      marketTier: 'PREMIUM',
      geographicRegion: 'Northeast',
    })),
    metadata: {
      totalExpectedListings: zipcodes.length * 100,
      zipcodeCount: zipcodes.length,
      algorithmVersion: 'v1.0',
      selectionSeed: 12345,
    },
  };
}

import { type AccuracyTally, type Listing, compareWithVerifiedListing } from '@resi/core';
import type { VerificationSource } from './verification-source.js';

/** One sampled listing's verification. */
export interface SampleCheck {
  readonly listing: Listing;
  readonly outcome: 'accurate' | 'not_found' | 'mismatched' | 'unverifiable';
  readonly detail: string;
}

/** Re-fetches one sampled listing through `source` and compares it (`compareWithVerifiedListing`). */
export async function checkSampledListing(source: VerificationSource, listing: Listing): Promise<SampleCheck> {
  let answer;
  try {
    answer = await source.lookup(listing);
  } catch (error) {
    answer = { kind: 'unavailable', reason: (error as Error).message } as const;
  }
  if (answer.kind === 'unavailable') return { listing, outcome: 'unverifiable', detail: answer.reason };
  if (answer.kind === 'not_found')
    return { listing, outcome: 'not_found', detail: `${source.name} has no such listing` };
  const comparison = compareWithVerifiedListing(listing, answer.values);
  return comparison.accurate
    ? { listing, outcome: 'accurate', detail: '' }
    : { listing, outcome: 'mismatched', detail: `differs in ${comparison.mismatches.join(', ')}` };
}

/** Counts a miner's checks by outcome; independent of the order they completed in. */
export function tallySampleChecks(checks: readonly SampleCheck[]): AccuracyTally {
  const count = (outcome: SampleCheck['outcome']) => checks.filter((check) => check.outcome === outcome).length;
  return {
    sampled: checks.length,
    accurate: count('accurate'),
    notFound: count('not_found'),
    mismatched: count('mismatched'),
    unverifiable: count('unverifiable'),
  };
}

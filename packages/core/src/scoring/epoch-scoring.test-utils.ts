import type { AccuracyTally } from './accuracy.js';
import {
  type EpochScoringContext,
  type MinerEvidence,
  type MinerListingsEvidence,
  scoreEpoch,
} from './epoch-scoring.js';
import { buildValidationResultsFile, type ValidationResultsFile } from './results-file.js';

/** Well-known development hotkeys, in the lexical order scoring sorts them. */
export const FERDIE = '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL';
export const DAVE = '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy';
export const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
export const CHARLIE = '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y';
export const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
export const EVE = '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw';

export const at = (time: string) => Date.parse(`2025-10-01T${time}Z`);

/** Two real zipcodes (pools 0.25 and 0.75) and one honeypot. */
export const CONTEXT: EpochScoringContext = {
  epochId: '2025-10-01T16-00-00',
  nonce: 'abcdef0123456789',
  epochStartMs: at('16:00:00'),
  submissionDeadlineMs: at('20:00:00'),
  graceEndMs: at('20:15:00'),
  zipcodes: [
    { zipcode: '10002', expectedListings: 300, isHoneypot: false },
    { zipcode: '99999', expectedListings: 50, isHoneypot: true },
    { zipcode: '10001', expectedListings: 100, isHoneypot: false },
  ],
};

export function tally(sampled: number, accurate: number): AccuracyTally {
  return { sampled, accurate, notFound: sampled - accurate, mismatched: 0, unverifiable: 0 };
}

export function listings(
  overrides: Partial<MinerListingsEvidence> & { credited: Record<string, number> },
): MinerListingsEvidence {
  const { credited, ...rest } = overrides;
  const creditedRows = Object.values(credited).reduce((sum, rows) => sum + rows, 0);
  return {
    rows: creditedRows,
    rowsMissingRequired: 0,
    rowsWithInvalidFormat: 0,
    rowsWithUnreasonableValues: 0,
    duplicateRows: 0,
    validRows: creditedRows,
    rowsByZipcode: new Map(Object.entries(credited)),
    creditedByZipcode: new Map(Object.entries(credited)),
    copiedRows: 0,
    copiedFrom: [],
    reasonCounts: {},
    ...rest,
  };
}

export function miner(hotkey: string, uid: number | null, fields: Partial<MinerEvidence>): MinerEvidence {
  return {
    hotkey,
    uid,
    uploadedAtMs: null,
    listingsClaimed: null,
    rejection: null,
    listings: null,
    accuracy: null,
    ...fields,
  };
}

/**
 * Six crafted miners: Alice honest and complete; Bob honest but partial with 10 invalid rows;
 * Charlie as Alice but uploading in the grace period; Dave a fabricator in the honeypot; Eve a
 * copier of Alice; Ferdie with a corrupt file.
 */
export function craftedMiners(): MinerEvidence[] {
  return [
    miner(ALICE, 1, {
      uploadedAtMs: at('19:00:00'),
      listings: listings({ credited: { '10001': 100, '10002': 300 } }),
      accuracy: tally(40, 40),
    }),
    miner(BOB, 2, {
      uploadedAtMs: at('19:30:00'),
      listingsClaimed: 250,
      listings: listings({
        credited: { '10001': 90, '10002': 100 },
        rows: 200,
        rowsMissingRequired: 10,
        rowsByZipcode: new Map([
          ['10001', 90],
          ['10002', 110],
        ]),
        reasonCounts: { 'missing_field:price': 10 },
      }),
      accuracy: tally(19, 18),
    }),
    miner(CHARLIE, 3, {
      uploadedAtMs: at('20:05:00'),
      listings: listings({ credited: { '10001': 100, '10002': 300 } }),
      accuracy: tally(40, 40),
    }),
    miner(DAVE, 4, {
      uploadedAtMs: at('18:00:00'),
      listings: listings({
        credited: { '10001': 100 },
        rows: 120,
        rowsByZipcode: new Map([
          ['10001', 100],
          ['99999', 20],
        ]),
      }),
      accuracy: tally(12, 12),
    }),
    miner(EVE, 5, {
      uploadedAtMs: at('19:45:00'),
      listings: listings({
        credited: {},
        rows: 400,
        validRows: 400,
        rowsByZipcode: new Map([
          ['10001', 100],
          ['10002', 300],
        ]),
        copiedRows: 400,
        copiedFrom: [ALICE],
      }),
      accuracy: tally(40, 40),
    }),
    miner(FERDIE, 6, {
      uploadedAtMs: at('19:10:00'),
      rejection: { code: 'corrupt_parquet', message: 'listings.parquet is not readable Parquet' },
    }),
  ];
}

/** The results file `validatorHotkey` publishes for {@link craftedMiners} in {@link CONTEXT}. */
export function craftedResultsFile(validatorHotkey: string): ValidationResultsFile {
  const evidence = craftedMiners();
  return buildValidationResultsFile({
    context: CONTEXT,
    evidence,
    sheet: scoreEpoch(CONTEXT, evidence),
    validatorHotkey,
  });
}

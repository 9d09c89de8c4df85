import { type MinerAuditSummary, summariseMinerAudit } from './audit.js';
import { CREDIBILITY_DEFAULTS, EMPTY_CREDIBILITY, applyCredibility, credibilityMinersOf } from './credibility.js';
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

/**
 * Three real zipcodes and one honeypot. 10001 and 10002 audited with 100 and 300 true listings
 * (pools 0.25 and 0.75); 10003 not audited, so it pays nothing.
 */
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
    { zipcode: '10003', expectedListings: 200, isHoneypot: false },
  ],
  audit: {
    seed: 'a'.repeat(64),
    zipcodes: ['10001', '10002'],
    trueCounts: new Map([
      ['10001', 100],
      ['10002', 300],
    ]),
    abstention: null,
  },
};

/** The audit of a miner whose `rows` rows in 10001 gave these verdicts (the rest `mismatched`). */
export function audited(
  rows: number,
  verified: number,
  fields: { notFound?: number; unavailable?: number; zipcode?: string } = {},
): MinerAuditSummary {
  const notFound = fields.notFound ?? 0;
  const unavailable = fields.unavailable ?? 0;
  return summariseMinerAudit([
    {
      zipcode: fields.zipcode ?? '10001',
      rows,
      verified,
      notFound,
      mismatched: rows - verified - notFound - unavailable,
      noVerdict: unavailable > 0 ? { source_unavailable: unavailable } : {},
    },
  ]);
}

export function listings(
  overrides: Partial<MinerListingsEvidence> & { credited: Record<string, number>; own?: Record<string, number> },
): MinerListingsEvidence {
  const { credited, own = credited, ...rest } = overrides;
  const ownRows = Object.values(own).reduce((sum, rows) => sum + rows, 0);
  return {
    rows: ownRows,
    rowsMissingRequired: 0,
    rowsWithInvalidFormat: 0,
    rowsWithUnreasonableValues: 0,
    duplicateRows: 0,
    validRows: ownRows,
    rowsByZipcode: new Map(Object.entries(own)),
    listingsByZipcode: new Map(Object.entries(own)),
    creditedByZipcode: new Map(Object.entries(credited)),
    overlapRows: 0,
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
    abstention: null,
    listings: null,
    audit: null,
    ...fields,
  };
}

/**
 * Six crafted miners: Alice honest and complete (200 listings in 10003 too, which pays nothing),
 * first to upload most listings; Bob honest but
 * partial with 10 invalid rows, credited only for the 50 listings of 10002 nobody uploaded before
 * him; Charlie as Alice but uploading in the grace period, after her, so credited nothing; Dave a
 * fabricator in the honeypot; Eve a copier of Alice; Ferdie with a corrupt file.
 */
export function craftedMiners(): MinerEvidence[] {
  const own = { '10001': 100, '10002': 300, '10003': 200 };
  return [
    miner(ALICE, 1, {
      uploadedAtMs: at('19:00:00'),
      listings: listings({ credited: own }),
      audit: audited(100, 100),
    }),
    miner(BOB, 2, {
      uploadedAtMs: at('19:30:00'),
      listingsClaimed: 250,
      listings: listings({
        own: { '10001': 90, '10002': 100 },
        credited: { '10002': 50 },
        overlapRows: 140,
        rows: 200,
        rowsMissingRequired: 10,
        rowsByZipcode: new Map([
          ['10001', 90],
          ['10002', 110],
        ]),
        reasonCounts: { 'missing_field:price': 10 },
      }),
      audit: audited(19, 18),
    }),
    miner(CHARLIE, 3, {
      uploadedAtMs: at('20:05:00'),
      listings: listings({ own, credited: {}, overlapRows: 600 }),
      audit: audited(100, 100),
    }),
    miner(DAVE, 4, {
      uploadedAtMs: at('18:00:00'),
      listings: listings({
        credited: {},
        own: { '10001': 100 },
        rows: 120,
        rowsByZipcode: new Map([
          ['10001', 100],
          ['99999', 20],
        ]),
      }),
      audit: audited(100, 100),
    }),
    miner(EVE, 5, {
      uploadedAtMs: at('19:45:00'),
      listings: listings({ own, credited: {}, overlapRows: 600 }),
      audit: audited(100, 100),
    }),
    miner(FERDIE, 6, {
      uploadedAtMs: at('19:10:00'),
      rejection: { code: 'corrupt_parquet', message: 'listings.parquet is not readable Parquet' },
    }),
  ];
}

/** The results file `validatorHotkey` publishes for {@link craftedMiners} in {@link CONTEXT}, a first epoch. */
export function craftedResultsFile(validatorHotkey: string): ValidationResultsFile {
  const evidence = craftedMiners();
  const sheet = scoreEpoch(CONTEXT, evidence);
  const update = applyCredibility(EMPTY_CREDIBILITY, {
    epochId: CONTEXT.epochId,
    abstained: false,
    miners: credibilityMinersOf(sheet),
  });
  return buildValidationResultsFile({
    context: CONTEXT,
    evidence,
    sheet,
    validatorHotkey,
    credibility: { params: CREDIBILITY_DEFAULTS, changes: update.changes },
  });
}

import { describe, expect, it } from 'vitest';
import { CREDIBILITY_DEFAULTS, applyCredibility, credibilityMinersOf } from './credibility.js';
import { summariseMinerAudit } from './audit.js';
import { type MinerEvidence, mayBeCredited, scoreEpoch } from './epoch-scoring.js';
import {
  ALICE,
  at,
  audited,
  BOB,
  CHARLIE,
  CONTEXT,
  craftedMiners,
  DAVE,
  EVE,
  FERDIE,
  listings,
  miner,
} from './epoch-scoring.test-utils.js';

describe('scoreEpoch: six crafted miners worked by hand', () => {
  const sheet = scoreEpoch(CONTEXT, craftedMiners());
  const byHotkey = new Map(sheet.miners.map((result) => [result.hotkey, result]));

  it('lists miners in hotkey order and zipcodes in zipcode order', () => {
    expect(sheet.miners.map((result) => result.hotkey)).toEqual([FERDIE, DAVE, BOB, CHARLIE, ALICE, EVE]);
    expect(sheet.zipcodes.map((zipcode) => zipcode.zipcode)).toEqual(['10001', '10002', '10003', '99999']);
  });

  it('gives the honest complete miner 1 on every component', () => {
    expect(byHotkey.get(ALICE)).toMatchObject({
      outcome: 'scored',
      score: { data_quality: 1, accuracy: 1, completeness: 1, timeliness: 1, total_score: 1 },
      notes: [],
    });
  });

  it('scores the partial miner component by component', () => {
    // quality: (0.95 + 1 + 1 + 1) / 4 = 0.9875; accuracy 18/19 = 0.947368;
    // completeness: coverage 1, bands 1.0 (90/100) and 0 (100/300) -> 0.6 + 0.4 * 0.5 = 0.8; on time -> 1.
    // total 0.246875 + 0.3315788 + 0.2 + 0.15 = 0.9284538
    const bob = byHotkey.get(BOB)!;
    expect(bob.score).toEqual({
      data_quality: 0.9875,
      accuracy: 0.947368,
      completeness: 0.8,
      timeliness: 1,
      total_score: 0.928454,
    });
    expect(bob.notes.map((note) => note.code)).toEqual([
      'overlap_with_earlier_uploads',
      'listings_not_verified',
      'listings_claim_exceeds_rows',
    ]);
  });

  it('scores the slower honest miner fully but credits it only listings nobody uploaded first, and does not flag it', () => {
    // 5 of 15 grace minutes -> 1 - 0.5/3 = 0.833333; total 0.85 + 0.15 * 0.833333 = 0.97499995 -> 0.975
    const charlie = byHotkey.get(CHARLIE)!;
    expect(charlie).toMatchObject({
      outcome: 'scored',
      score: { completeness: 1, timeliness: 0.833333, total_score: 0.975 },
      weight: 0,
      placings: [],
    });
    expect(charlie.notes.map((note) => note.code)).toEqual(['late_upload', 'overlap_with_earlier_uploads']);
    expect(charlie.notes[1]!.message).toContain('600 listings had been uploaded earlier');
  });

  it('zeroes the fabricator and says why', () => {
    const dave = byHotkey.get(DAVE)!;
    expect(dave.outcome).toBe('honeypot');
    expect(dave.score.total_score).toBe(0);
    expect(dave.weight).toBe(0);
    expect(dave.notes[0]).toEqual({
      code: 'honeypot_listings',
      message:
        '20 listings claimed in honeypot zipcode 99999, where no residential market exists: the epoch score is 0',
    });
  });

  it('pays the copier nothing: every listing it holds was credited to the earlier upload', () => {
    const eve = byHotkey.get(EVE)!;
    expect(eve.score.total_score).toBe(1);
    expect(eve.weight).toBe(0);
    expect(eve.placings).toEqual([]);
    expect(eve.notes.map((note) => note.code)).toEqual(['overlap_with_earlier_uploads']);
  });

  it('zeroes the corrupt upload with its reason', () => {
    expect(byHotkey.get(FERDIE)).toMatchObject({
      outcome: 'rejected',
      score: { data_quality: 0, accuracy: 0, completeness: 0, timeliness: 0, total_score: 0 },
      notes: [{ code: 'corrupt_parquet', message: 'listings.parquet is not readable Parquet' }],
      weight: 0,
    });
  });

  it('pays each zipcode pool in proportion to the listings credited there, times the miner score', () => {
    // 10001 (pool 0.25): only Alice is credited -> 1 x 100/100.
    // 10002 (pool 0.75): Alice 300 and Bob 50 of 350 -> 300/350 and 0.928454 x 50/350.
    const [z10001, z10002, z10003, honeypot] = sheet.zipcodes;
    expect(z10001!.pool).toBe(0.25);
    expect(z10001!.ranking.map((entry) => [entry.hotkey, entry.creditedListings, entry.share, entry.reward])).toEqual([
      [ALICE, 100, 1, 0.25],
    ]);
    expect(z10002!.ranking.map((entry) => [entry.hotkey, entry.rank, entry.share])).toEqual([
      [ALICE, 1, 0.857142857],
      [BOB, 2, 0.132636286],
    ]);
    expect(z10002!.ranking[0]!.reward).toBe(0.642857143);
    expect(z10002!.ranking[1]!.reward).toBeCloseTo(0.0994772145, 9);
    // Audited zipcodes report the source's true count; 10003, not audited, pays nothing and reports no count.
    expect([z10001!.audited, z10001!.observedListings, z10002!.audited, z10002!.observedListings]).toEqual([
      true,
      100,
      true,
      300,
    ]);
    expect(z10003).toMatchObject({ audited: false, pool: 0, observedListings: null, ranking: [] });
    expect(honeypot).toMatchObject({
      pool: 0,
      ranking: [],
      observedListings: null,
      honeypotClaims: [{ hotkey: DAVE, rows: 20 }],
    });
  });

  it('sums each miner rewards into its weight', () => {
    const weights = new Map(sheet.miners.map((result) => [result.hotkey, result.weight]));
    expect(weights.get(ALICE)).toBe(0.892857143);
    expect(weights.get(BOB)).toBeCloseTo(0.099477215, 8);
    expect([FERDIE, DAVE, CHARLIE, EVE].map((hotkey) => weights.get(hotkey))).toEqual([0, 0, 0, 0]);
  });

  it('does not depend on the order evidence arrives in', () => {
    expect(scoreEpoch(CONTEXT, craftedMiners().reverse())).toEqual(sheet);
  });
});

describe('scoreEpoch: other rules', () => {
  it('refuses an upload stored after the grace end', () => {
    const sheet = scoreEpoch(CONTEXT, [
      miner(ALICE, 1, {
        uploadedAtMs: at('20:15:01'),
        listings: listings({ credited: { '10001': 100 } }),
        audit: audited(100, 100),
      }),
    ]);
    expect(sheet.miners[0]).toMatchObject({ outcome: 'rejected', notes: [{ code: 'uploaded_after_grace' }] });
  });

  it('treats a file changed or removed after the grace end as fabrication: score 0, credibility 0 and the penalty', () => {
    const honest = miner(BOB, 2, {
      uploadedAtMs: at('18:00:00'),
      listings: listings({ credited: { '10001': 100 } }),
      audit: audited(100, 100),
    });
    const tampered = miner(ALICE, 1, {
      uploadedAtMs: at('17:00:00'),
      listings: listings({ credited: { '10001': 100 } }),
      audit: audited(100, 100),
      rejection: {
        code: 'modified_after_grace',
        message:
          'listings.parquet changed after the grace end: listed ETag "a" and 10 bytes, found ETag "b" and 12 bytes',
      },
    });
    const sheet = scoreEpoch(CONTEXT, [honest, tampered]);
    const alice = sheet.miners.find((result) => result.hotkey === ALICE)!;
    expect(alice).toMatchObject({
      outcome: 'fabricated',
      score: { total_score: 0 },
      weight: 0,
      placings: [],
      notes: [{ code: 'modified_after_grace' }],
    });
    expect(mayBeCredited(tampered, CONTEXT)).toBe(false);
    expect(sheet.miners.find((result) => result.hotkey === BOB)).toMatchObject({ outcome: 'scored' });

    const before = {
      lastEpochId: '2025-09-30T16-00-00',
      miners: { [ALICE]: { ema: 0.5, uid: 1, penaltyEpochsLeft: 0, lastEpochId: '2025-09-30T16-00-00' } },
    };
    const after = applyCredibility(before, {
      epochId: CONTEXT.epochId,
      abstained: false,
      miners: credibilityMinersOf(sheet),
    }).state;
    expect(after.miners[ALICE]).toMatchObject({ ema: 0, penaltyEpochsLeft: CREDIBILITY_DEFAULTS.penaltyEpochs });
    // Proven from storage, not from a source: it stands in an epoch the validator abstains for.
    const abstainedEpoch = applyCredibility(before, {
      epochId: CONTEXT.epochId,
      abstained: true,
      miners: credibilityMinersOf(sheet),
    }).state;
    expect(abstainedEpoch.miners[ALICE]).toMatchObject({
      ema: 0,
      penaltyEpochsLeft: CREDIBILITY_DEFAULTS.penaltyEpochs,
    });
  });

  it('treats a file whose SHA-256 is not the declared one (an MD5 twin passes the ETag check) as fabrication; a wrong size stays a refusal', () => {
    const refused = (code: 'sha256_mismatch' | 'size_mismatch') =>
      scoreEpoch(CONTEXT, [
        miner(ALICE, 1, {
          uploadedAtMs: at('17:00:00'),
          listings: listings({ credited: { '10001': 100 } }),
          audit: audited(100, 100),
          rejection: { code, message: `listings.parquet: ${code}` },
        }),
      ]).miners[0]!.outcome;
    expect(refused('sha256_mismatch')).toBe('fabricated');
    expect(refused('size_mismatch')).toBe('rejected');
  });

  it('treats a miner without listings as no upload', () => {
    const sheet = scoreEpoch(CONTEXT, [miner(ALICE, null, {})]);
    expect(sheet.miners[0]).toMatchObject({ outcome: 'rejected', notes: [{ code: 'no_upload' }] });
  });

  it('lists equal rewards by the earlier upload', () => {
    const equal = (hotkey: string, time: string) =>
      miner(hotkey, 1, {
        uploadedAtMs: at(time),
        listings: listings({ credited: { '10001': 30, '10002': 100 } }),
        audit: audited(30, 30),
      });
    const sheet = scoreEpoch(CONTEXT, [equal(ALICE, '19:00:01'), equal(BOB, '19:00:02'), equal(EVE, '19:00:00')]);
    expect(sheet.zipcodes[0]!.ranking.map((entry) => entry.hotkey)).toEqual([EVE, ALICE, BOB]);
    // Each scores 0.9 (completeness 0.6: both zipcodes covered, neither on target): 0.25 x 0.9 x 30/90.
    expect(sheet.zipcodes[0]!.ranking.map((entry) => entry.reward)).toEqual([0.075, 0.075, 0.075]);
  });

  it('refuses the same miner twice', () => {
    expect(() => scoreEpoch(CONTEXT, [miner(ALICE, 1, {}), miner(ALICE, 1, {})])).toThrow(RangeError);
  });

  it('zeroes a fabricator beyond the delisting tolerance and names the zipcode', () => {
    // 100 rows in 10001: tolerance max(2, 3) = 3 rows not found.
    const fabricator = miner(ALICE, 1, {
      uploadedAtMs: at('19:00:00'),
      listings: listings({ credited: { '10001': 96, '10002': 300 } }),
      audit: audited(100, 96, { notFound: 4 }),
    });
    const result = scoreEpoch(CONTEXT, [fabricator]).miners[0]!;
    expect(result).toMatchObject({ outcome: 'fabricated', weight: 0, score: { total_score: 0 } });
    expect(result.notes[0]).toEqual({
      code: 'fabricated_listings',
      message:
        '4 listings the source does not have, beyond the delisting tolerance, in 10001 (4): the epoch score is 0',
    });
    expect(mayBeCredited(fabricator, CONTEXT)).toBe(false);
  });

  it('takes rows not found within the tolerance as delisted: not credited, no penalty', () => {
    const delisting = miner(ALICE, 1, {
      uploadedAtMs: at('19:00:00'),
      listings: listings({ credited: { '10001': 97 } }),
      audit: audited(100, 97, { notFound: 3 }),
    });
    const result = scoreEpoch(CONTEXT, [delisting]).miners[0]!;
    expect(result.outcome).toBe('scored');
    expect(result.score.accuracy).toBe(0.97);
    expect(result.notes.map((note) => note.code)).toEqual(['listings_not_verified']);
    expect(mayBeCredited(delisting, CONTEXT)).toBe(true);
  });

  it('abstains for a miner with too few verdicts, and for a row without one never penalises', () => {
    const unverifiable = miner(ALICE, 1, {
      uploadedAtMs: at('19:00:00'),
      listings: listings({ credited: { '10001': 100 } }),
      audit: audited(100, 4, { unavailable: 96 }),
    });
    const result = scoreEpoch(CONTEXT, [unverifiable]).miners[0]!;
    expect(result).toMatchObject({ outcome: 'abstained', weight: 0 });
    expect(result.notes.map((note) => note.code)).toEqual(['too_few_verdicts', 'rows_without_verdict']);
    expect(mayBeCredited(unverifiable, CONTEXT)).toBe(false);
  });

  it('does not abstain for an upload that put too few rows where the seed drew: credibility decays, it is not kept', () => {
    // A miner that earned credibility and then uploads a row or two (or rows only on sites no
    // validator verifies) would otherwise keep its weight every epoch without mining.
    const before = {
      lastEpochId: '2025-09-30T16-00-00',
      miners: { [ALICE]: { ema: 0.5, uid: 1, penaltyEpochsLeft: 0, lastEpochId: '2025-09-30T16-00-00' } },
    };
    const idler = (audit: MinerEvidence['audit']) =>
      miner(ALICE, 1, {
        uploadedAtMs: at('19:00:00'),
        listings: listings({ credited: {}, own: { '10003': 1 } }),
        audit,
      });
    const honest = miner(BOB, 2, {
      uploadedAtMs: at('18:00:00'),
      listings: listings({ credited: { '10001': 100 } }),
      audit: audited(100, 100),
    });
    for (const audit of [summariseMinerAudit([]), audited(2, 2), audited(4, 0, { notFound: 2 })]) {
      const sheet = scoreEpoch(CONTEXT, [idler(audit), honest]);
      const alice = sheet.miners.find((result) => result.hotkey === ALICE)!;
      expect(alice).toMatchObject({ outcome: 'scored', weight: 0, score: { total_score: 0 } });
      expect(alice.notes[0]).toMatchObject({ code: 'too_few_audited_rows' });
      const after = applyCredibility(before, {
        epochId: CONTEXT.epochId,
        abstained: false,
        miners: credibilityMinersOf(sheet),
      }).state;
      expect(after.miners[ALICE]!.ema).toBe(0.35);
    }
    // The shortage is this validator's when a source was down for rows that would have made it up...
    const unavailable = scoreEpoch(CONTEXT, [idler(audited(6, 2, { unavailable: 4 }))]).miners[0]!;
    expect(unavailable).toMatchObject({ outcome: 'abstained' });
    expect(unavailable.notes[0]).toMatchObject({ code: 'too_few_verdicts' });
    // ...or when the sites' whole answer where the epoch pays holds fewer listings than a verdict needs.
    const thin = {
      ...CONTEXT,
      audit: {
        ...CONTEXT.audit,
        trueCounts: new Map([
          ['10001', 2],
          ['10002', 2],
        ]),
      },
    };
    expect(scoreEpoch(thin, [idler(audited(2, 2))]).miners[0]).toMatchObject({ outcome: 'abstained' });
  });

  it('abstains for a failed download rather than rejecting it', () => {
    const result = scoreEpoch(CONTEXT, [
      miner(ALICE, 1, {
        uploadedAtMs: at('19:00:00'),
        abstention: { code: 'download_failed', message: 'listings.parquet could not be downloaded: 503' },
      }),
    ]).miners[0]!;
    expect(result).toMatchObject({ outcome: 'abstained', notes: [{ code: 'download_failed' }] });
  });

  it('abstains for everyone when the validator could verify nothing, but still zeroes a honeypot claim', () => {
    const context = {
      ...CONTEXT,
      audit: { ...CONTEXT.audit, abstention: { code: 'sources_unavailable', message: 'no source answered' } },
    };
    const sheet = scoreEpoch(context, craftedMiners());
    // Dave claims 20 listings in the honeypot: that needs no source to prove.
    expect(sheet.miners.map((result) => result.outcome)).toEqual([
      'rejected',
      'honeypot',
      'abstained',
      'abstained',
      'abstained',
      'abstained',
    ]);
    expect(sheet.miners.every((result) => result.weight === 0)).toBe(true);
    const dave = sheet.miners.find((result) => result.hotkey === DAVE)!;
    expect(dave.score.total_score).toBe(0);
    expect(dave.notes.map((note) => note.code)).toEqual(['honeypot_listings', 'validator_abstained']);
    expect(sheet.zipcodes.find((zipcode) => zipcode.isHoneypot)!.honeypotClaims).toEqual([{ hotkey: DAVE, rows: 20 }]);
  });

  it('measures completeness against the true count where the zipcode was audited', () => {
    const padded = (trueCount: number, own: Record<string, number> = { '10001': 60, '10002': 300 }) =>
      scoreEpoch(
        {
          ...CONTEXT,
          audit: {
            ...CONTEXT.audit,
            trueCounts: new Map([
              ['10001', trueCount],
              ['10002', 300],
            ]),
          },
        },
        [
          miner(ALICE, 1, {
            uploadedAtMs: at('19:00:00'),
            listings: listings({ credited: own }),
            audit: audited(60, 60),
          }),
        ],
      ).miners[0]!.completeness;
    // 60 of a true 60 is band 1; against the estimate of 100 it would be 0.
    expect(padded(60)).toEqual({ coverage: 1, targets: 1 });
    expect(padded(100)).toEqual({ coverage: 1, targets: 0.5 });
    // Padding 10003, which nobody checked, adds nothing: completeness is measured where the epoch pays.
    expect(padded(60, { '10001': 60, '10002': 300, '10003': 200 })).toEqual({ coverage: 1, targets: 1 });
    expect(padded(60, { '10001': 60, '10003': 200 })).toEqual({ coverage: 0.5, targets: 0.5 });
  });

  it('pays only where the audit checked: an unaudited zipcode, or an audited one whose source gave no verdict, pays nothing', () => {
    const only = (trueCounts: ReadonlyMap<string, number>) =>
      scoreEpoch({ ...CONTEXT, audit: { ...CONTEXT.audit, trueCounts } }, [
        miner(ALICE, 1, {
          uploadedAtMs: at('19:00:00'),
          listings: listings({ credited: { '10001': 100, '10002': 300, '10003': 200 } }),
          audit: audited(100, 100),
        }),
      ]).zipcodes.map((zipcode) => [zipcode.zipcode, zipcode.audited, zipcode.pool, zipcode.ranking.length]);
    expect(only(CONTEXT.audit.trueCounts)).toEqual([
      ['10001', true, 0.25, 1],
      ['10002', true, 0.75, 1],
      ['10003', false, 0, 0],
      ['99999', false, 0, 0],
    ]);
    // 10002's source did not answer: its share goes to 10001, the one zipcode checked.
    expect(only(new Map([['10001', 100]]))).toEqual([
      ['10001', true, 1, 1],
      ['10002', false, 0, 0],
      ['10003', false, 0, 0],
      ['99999', false, 0, 0],
    ]);
  });
});

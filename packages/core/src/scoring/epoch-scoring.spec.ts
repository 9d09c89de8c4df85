import { describe, expect, it } from 'vitest';
import { scoreEpoch, zipcodeScoreOf } from './epoch-scoring.js';
import {
  ALICE,
  at,
  BOB,
  CHARLIE,
  CONTEXT,
  craftedMiners,
  DAVE,
  EVE,
  FERDIE,
  listings,
  miner,
  tally,
} from './epoch-scoring.test-utils.js';

describe('scoreEpoch: six crafted miners worked by hand', () => {
  const sheet = scoreEpoch(CONTEXT, craftedMiners());
  const byHotkey = new Map(sheet.miners.map((result) => [result.hotkey, result]));

  it('lists miners in hotkey order and zipcodes in zipcode order', () => {
    expect(sheet.miners.map((result) => result.hotkey)).toEqual([FERDIE, DAVE, BOB, CHARLIE, ALICE, EVE]);
    expect(sheet.zipcodes.map((zipcode) => zipcode.zipcode)).toEqual(['10001', '10002', '99999']);
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
    expect(bob.notes.map((note) => note.code)).toEqual(['listings_not_verified', 'listings_claim_exceeds_rows']);
  });

  it('penalises the grace-period upload through timeliness only', () => {
    // 5 of 15 grace minutes -> 1 - 0.5/3 = 0.833333; total 0.85 + 0.15 * 0.833333 = 0.97499995 -> 0.975
    expect(byHotkey.get(CHARLIE)).toMatchObject({
      outcome: 'scored',
      score: { timeliness: 0.833333, total_score: 0.975 },
      notes: [
        { code: 'late_upload', message: 'uploaded 300 s after the submission deadline, within the grace period' },
      ],
    });
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

  it('credits the copier nothing: no completeness, no zipcode, no weight', () => {
    const eve = byHotkey.get(EVE)!;
    // quality 1, accuracy 1, completeness 0, timeliness 1 -> 0.75, but it competes nowhere.
    expect(eve.score).toMatchObject({ completeness: 0, total_score: 0.75 });
    expect(eve.weight).toBe(0);
    expect(eve.placings).toEqual([]);
    expect(eve.notes[0]).toMatchObject({ code: 'copied_listings' });
    expect(eve.notes[0]!.message).toContain(ALICE);
  });

  it('zeroes the corrupt upload with its reason', () => {
    expect(byHotkey.get(FERDIE)).toMatchObject({
      outcome: 'rejected',
      score: { data_quality: 0, accuracy: 0, completeness: 0, timeliness: 0, total_score: 0 },
      notes: [{ code: 'corrupt_parquet', message: 'listings.parquet is not readable Parquet' }],
      weight: 0,
    });
  });

  it('ranks each real zipcode and pays pool x share', () => {
    // 10001 (pool 0.25): Alice 1, Bob 0.978454 (completeness there 1), Charlie 0.975.
    // 10002 (pool 0.75): Alice 1, Charlie 0.975, Bob 0.878454 (completeness there 0.6).
    const [z10001, z10002, honeypot] = sheet.zipcodes;
    expect(z10001!.pool).toBe(0.25);
    expect(z10001!.ranking.map((entry) => [entry.hotkey, entry.zipcodeScore, entry.reward])).toEqual([
      [ALICE, 1, 0.1375],
      [BOB, 0.978454, 0.075],
      [CHARLIE, 0.975, 0.025],
    ]);
    expect(z10002!.ranking.map((entry) => [entry.hotkey, entry.zipcodeScore, entry.reward])).toEqual([
      [ALICE, 1, 0.4125],
      [CHARLIE, 0.975, 0.225],
      [BOB, 0.878454, 0.075],
    ]);
    expect(z10001!.observedListings).toBe(100);
    expect(z10002!.observedListings).toBe(300);
    expect(honeypot).toMatchObject({
      pool: 0,
      ranking: [],
      observedListings: null,
      honeypotClaims: [{ hotkey: DAVE, rows: 20 }],
    });
  });

  it('sums each miner rewards into its weight', () => {
    expect(sheet.miners.map((result) => [result.hotkey, result.weight])).toEqual([
      [FERDIE, 0],
      [DAVE, 0],
      [BOB, 0.15],
      [CHARLIE, 0.25],
      [ALICE, 0.55],
      [EVE, 0],
    ]);
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
        accuracy: tally(10, 10),
      }),
    ]);
    expect(sheet.miners[0]).toMatchObject({ outcome: 'rejected', notes: [{ code: 'uploaded_after_grace' }] });
  });

  it('treats a miner without listings as no upload', () => {
    const sheet = scoreEpoch(CONTEXT, [miner(ALICE, null, {})]);
    expect(sheet.miners[0]).toMatchObject({ outcome: 'rejected', notes: [{ code: 'no_upload' }] });
  });

  it('breaks a tie between equal miners by the earlier upload', () => {
    const equal = (hotkey: string, time: string) =>
      miner(hotkey, 1, {
        uploadedAtMs: at(time),
        listings: listings({ credited: { '10001': 100, '10002': 300 } }),
        accuracy: tally(40, 40),
      });
    const sheet = scoreEpoch(CONTEXT, [equal(ALICE, '19:00:01'), equal(BOB, '19:00:02'), equal(EVE, '19:00:00')]);
    expect(sheet.zipcodes[0]!.ranking.map((entry) => entry.hotkey)).toEqual([EVE, ALICE, BOB]);
  });

  it('refuses the same miner twice', () => {
    expect(() => scoreEpoch(CONTEXT, [miner(ALICE, 1, {}), miner(ALICE, 1, {})])).toThrow(RangeError);
  });
});

describe('zipcodeScoreOf', () => {
  it('replaces completeness by 0.6 + 0.4 x the zipcode band', () => {
    const components = { data_quality: 1, accuracy: 1, completeness: 0.2, timeliness: 1 };
    expect(zipcodeScoreOf(components, 85, 100)).toBe(0.25 + 0.35 + 0.25 * 0.88 + 0.15);
  });
});

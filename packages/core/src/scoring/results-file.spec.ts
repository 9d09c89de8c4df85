import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, craftedResultsFile, DAVE, EVE, FERDIE } from './epoch-scoring.test-utils.js';
import {
  canonicalJson,
  parseValidationResultsFile,
  serializeValidationResults,
  validationResultsDigest,
} from './results-file.js';

describe('canonicalJson (RFC 8785 for our values)', () => {
  it('sorts keys, drops whitespace and prints numbers as ECMAScript does', () => {
    expect(canonicalJson({ b: [1, 0.5, 1e21, 'x'], a: { d: null, c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":null},"b":[1,0.5,1e+21,"x"]}',
    );
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(RangeError);
  });
});

describe('buildValidationResultsFile', () => {
  const file = craftedResultsFile(BOB);

  it('has the seed fields, with a deterministic validation timestamp (the grace end)', () => {
    expect(file).toMatchObject({
      epoch_id: '2025-10-01T16-00-00',
      validator_hotkey: BOB,
      validation_timestamp: '2025-10-01T20:15:00.000Z',
      epoch_nonce: 'abcdef0123456789',
    });
    expect(file.validation_results[ALICE]!.score).toEqual({
      data_quality: 1,
      accuracy: 1,
      completeness: 1,
      timeliness: 1,
      total_score: 1,
    });
  });

  it('records reasons, listings, audit verdicts and credibility per miner', () => {
    expect(file.validation_results[DAVE]!.reasons[0]!.code).toBe('honeypot_listings');
    expect(file.validation_results[FERDIE]).toMatchObject({
      outcome: 'rejected',
      listings: null,
      audit: null,
      credibility: { uid: 6, before: 0, after: 0, penalty_epochs_left: 0 },
    });
    expect(file.validation_results[EVE]!.listings).toMatchObject({ rows: 600, overlap_rows: 600, credited_rows: 0 });
    expect(file.validation_results[BOB]!.listings!.row_reasons).toEqual({ 'missing_field:price': 10 });
    expect(file.validation_results[BOB]!.audit).toEqual({
      rows: 19,
      verified: 18,
      mismatched: 1,
      not_found: 0,
      delisted: 0,
      fabricated: 0,
      no_verdict: {},
    });
    // A first epoch: credibility is alpha (0.3) times the share of the epoch's reward; the honeypot claimer is penalised.
    const [alice, bob] = [file.validation_results[ALICE]!, file.validation_results[BOB]!];
    expect(alice.credibility.after).toBeCloseTo((0.3 * alice.weight) / (alice.weight + bob.weight), 9);
    expect(alice.credibility.after).toBeGreaterThan(0.26);
    expect(file.validation_results[DAVE]!.credibility).toEqual({ uid: 4, before: 0, after: 0, penalty_epochs_left: 4 });
    expect(file.audit).toEqual({
      seed: 'a'.repeat(64),
      zipcodes: ['10001', '10002'],
      share: 0.5,
      min_zipcodes: 3,
      abstention: null,
    });
    expect(file.credibility).toEqual({ alpha: 0.3, penalty_epochs: 4, carried: {} });
  });

  it('summarises like the seed (average of totals, top performers by total)', () => {
    // totals: 1, 0.928454, 0.975, 0, 1, 0 -> 3.903454 / 6 = 0.650576
    expect(file.summary).toMatchObject({
      total_miners: 6,
      scored_miners: 4,
      honeypot_miners: 1,
      fabricated_miners: 0,
      rejected_miners: 1,
      abstained_miners: 0,
      average_score: 0.650576,
    });
    expect(file.summary.top_performers.map((entry) => entry.total_score)).toEqual([1, 1, 0.975, 0.928454, 0, 0]);
  });

  it('digests the canonical content without the validator identity', () => {
    const { validator_hotkey: _v, results_sha256: _d, ...shared } = file;
    expect(file.results_sha256).toBe(createHash('sha256').update(canonicalJson(shared)).digest('hex'));
    expect(craftedResultsFile(ALICE).results_sha256).toBe(file.results_sha256);
    expect(validationResultsDigest(file)).toBe(file.results_sha256);
  });

  it('serialises to identical bytes for identical inputs', () => {
    expect(serializeValidationResults(craftedResultsFile(BOB))).toBe(serializeValidationResults(file));
  });
});

describe('parseValidationResultsFile', () => {
  const text = serializeValidationResults(craftedResultsFile(BOB));

  it('round-trips a file', () => {
    expect(parseValidationResultsFile(text)).toEqual(JSON.parse(text));
  });

  it('detects a changed score', () => {
    const tampered = text.replace('"total_score": 0.928454', '"total_score": 0.99');
    expect(tampered).not.toBe(text);
    expect(() => parseValidationResultsFile(tampered)).toThrow(/digest mismatch/);
  });

  it('refuses what is not a results file', () => {
    expect(() => parseValidationResultsFile('{')).toThrow(/not JSON/);
    expect(() => parseValidationResultsFile('{"epoch_id": "x"}')).toThrow(/invalid/);
  });
});

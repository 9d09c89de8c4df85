import { describe, expect, it } from 'vitest';
import { rankZipcodeCompetitors, zipcodePools } from './rewards.js';

describe('zipcodePools (proportional to expected listings, honeypots none)', () => {
  it('splits by expected listings over the real zipcodes', () => {
    const pools = zipcodePools([
      { zipcode: '10002', expectedListings: 300, isHoneypot: false },
      { zipcode: '99999', expectedListings: 500, isHoneypot: true },
      { zipcode: '10001', expectedListings: 100, isHoneypot: false },
      { zipcode: '10003', expectedListings: 200, isHoneypot: false },
    ]);
    expect([...pools]).toEqual([
      ['10001', 0.166666667],
      ['10002', 0.5],
      ['10003', 0.333333333],
    ]);
  });

  it('shares equally when nothing is expected anywhere', () => {
    expect([
      ...zipcodePools([
        { zipcode: '1', expectedListings: 0, isHoneypot: false },
        { zipcode: '2', expectedListings: 0, isHoneypot: false },
      ]).values(),
    ]).toEqual([0.5, 0.5]);
  });
});

describe('rankZipcodeCompetitors (55/30/10, 5% shared, ties by earlier upload)', () => {
  const competitor = (hotkey: string, zipcodeScore: number, uploadedAtMs: number) => ({
    hotkey,
    zipcodeScore,
    uploadedAtMs,
  });

  it('ranks by score, then earlier upload, then hotkey, and splits 5% among the rest', () => {
    const placings = rankZipcodeCompetitors([
      competitor('e', 0.5, 1),
      competitor('b', 0.9, 20),
      competitor('a', 0.9, 10),
      competitor('d', 0.7, 5),
      competitor('c', 0.7, 5),
      competitor('f', 0.1, 0),
    ]);
    expect(placings.map((placing) => [placing.competitor.hotkey, placing.rank, placing.share])).toEqual([
      ['a', 1, 0.55],
      ['b', 2, 0.3],
      ['c', 3, 0.1],
      ['d', 4, 0.016666667],
      ['e', 5, 0.016666667],
      ['f', 6, 0.016666667],
    ]);
  });

  it('pays only the places there are', () => {
    expect(rankZipcodeCompetitors([competitor('x', 1, 0), competitor('y', 1, 0)]).map((p) => p.share)).toEqual([
      0.55, 0.3,
    ]);
    expect(rankZipcodeCompetitors([])).toEqual([]);
  });
});

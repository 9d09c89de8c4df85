import { describe, expect, it } from 'vitest';
import { creditTieKey, fileCreditTimeMs, inCreditOrder } from './credit-order.js';

const seedOf = (n: number) => n.toString(16).padStart(64, '0');

describe('the crediting order of listings files', () => {
  it('counts a file from its own storage time, or from its upload’s when stored before the epoch began', () => {
    expect(fileCreditTimeMs(5_000, 9_000, 1_000)).toBe(5_000);
    expect(fileCreditTimeMs(1_000, 9_000, 1_000)).toBe(1_000);
    expect(fileCreditTimeMs(999, 9_000, 1_000)).toBe(9_000);
  });

  it('orders files by time, then file place within one miner, whatever order they come in', () => {
    const files = [
      { hotkey: 'b', fileIndex: 1, creditFromMs: 10 },
      { hotkey: 'a', fileIndex: 0, creditFromMs: 30 },
      { hotkey: 'b', fileIndex: 0, creditFromMs: 10 },
      { hotkey: 'c', fileIndex: 0, creditFromMs: 20 },
    ];
    const order = inCreditOrder(seedOf(1), files).map((file) => `${file.hotkey}${file.fileIndex}`);
    expect(order).toEqual(['b0', 'b1', 'c0', 'a0']);
    expect(inCreditOrder(seedOf(1), [...files].reverse())).toEqual(inCreditOrder(seedOf(1), files));
  });

  it('breaks a tie in time by the revealed seed, so no hotkey wins ties by its name', () => {
    const tied = [
      { hotkey: '5Aaaa', fileIndex: 0, creditFromMs: 10 },
      { hotkey: '5Zzzz', fileIndex: 0, creditFromMs: 10 },
    ];
    const winners = new Set(Array.from({ length: 32 }, (_, n) => inCreditOrder(seedOf(n), tied)[0]!.hotkey));
    expect(winners).toEqual(new Set(['5Aaaa', '5Zzzz']));
    for (let n = 0; n < 32; n++) {
      const first = creditTieKey(seedOf(n), '5Aaaa') < creditTieKey(seedOf(n), '5Zzzz') ? '5Aaaa' : '5Zzzz';
      expect(inCreditOrder(seedOf(n), tied)[0]!.hotkey).toBe(first);
    }
    expect(() => creditTieKey('not hex', '5Aaaa')).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { isSs58Address, publicKeyOf, ss58Of } from './ss58.js';

describe('isSs58Address', () => {
  it('accepts a prefix-42 address and round-trips its public key', () => {
    const sut = '5DoPvwLT8fEww3oT7ae4ZDkrEPEw1asghHMrL55JvakkX9e2';
    expect(isSs58Address(sut)).toBe(true);
    expect(ss58Of(publicKeyOf(sut))).toBe(sut);
  });

  it.each([
    ['a bad checksum', '5DoPvwLT8fEww3oT7ae4ZDkrEPEw1asghHMrL55JvakkX9e3'],
    ['a Polkadot (prefix 0) address', '15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5'],
    ['hex', '0x' + 'ab'.repeat(32)],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(isSs58Address(value)).toBe(false);
  });

  it('rejects non-strings without throwing', () => {
    expect(isSs58Address(42)).toBe(false);
    expect(isSs58Address(null)).toBe(false);
  });
});

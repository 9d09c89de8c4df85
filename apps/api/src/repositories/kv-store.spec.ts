import { describe, expect, it } from 'vitest';
import { MemoryStore } from './kv-store.js';

describe('MemoryStore', () => {
  it('counts within a fixed window and starts a new one after it', async () => {
    let now = 1_000_000;
    const sut = new MemoryStore(() => now);
    expect(await sut.increment('k', 60)).toEqual({ count: 1, resetAt: now + 60_000 });
    expect((await sut.increment('k', 60)).count).toBe(2);
    now += 60_000;
    expect((await sut.increment('k', 60)).count).toBe(1);
  });

  it('stores a key once until it expires', async () => {
    let now = 0;
    const sut = new MemoryStore(() => now);
    expect(await sut.setIfAbsent('sig', 10)).toBe(true);
    expect(await sut.setIfAbsent('sig', 10)).toBe(false);
    now += 10_001;
    expect(await sut.setIfAbsent('sig', 10)).toBe(true);
  });

  it('expires cached values', async () => {
    let now = 0;
    const sut = new MemoryStore(() => now);
    await sut.set('a', 'b', 1);
    expect(await sut.get('a')).toBe('b');
    now += 1_000;
    expect(await sut.get('a')).toBeNull();
  });
});

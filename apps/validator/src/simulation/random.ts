import { createHash } from 'node:crypto';

/** A deterministic stream of numbers in [0, 1), seeded by a label: mulberry32 from SHA-256 of it. */
export interface Random {
  (): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** A number in [min, max). */
  between(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An exponential draw with the given mean. */
  exponential(mean: number): number;
}

/** The stream of `label`; the same label always gives the same numbers. */
export function randomOf(label: string): Random {
  let state = createHash('sha256').update(label).digest().readUInt32BE(0);
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  next.between = (min, max) => min + next() * (max - min);
  next.pick = (items) => items[Math.floor(next() * items.length)]!;
  next.shuffle = (items) => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  next.exponential = (mean) => -mean * Math.log(1 - next());
  return next;
}

import { expect } from 'vitest';

/**
 * The devnet's printed leaderboard and weight-by-role summary, parsed, and what the first epoch's
 * must show: every cheat caught or paid nothing, no honest miner flagged. Shared by the end-to-end
 * test and the check that each of these assertions can fail.
 */

export interface BoardRow {
  miner: string;
  role: string;
  total: number;
  credited: number;
  overlap: number;
  weight: number;
  caught: string;
}

/** The leaderboard the devnet printed for `epochId`, parsed from its fixed-width table. */
export function leaderboard(output: string, epochId: string): { heading: string; rows: BoardRow[] } | undefined {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`epoch ${epochId} leaderboard`));
  if (start < 0) return undefined;
  const rows: BoardRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim()) break;
    const cells = line.split(/\s{2,}/);
    rows.push({
      miner: cells[0]!,
      role: cells[1]!,
      total: Number(cells[2]),
      credited: Number(cells[7]),
      overlap: Number(cells[8]),
      weight: Number(cells[9]!.replace('%', '')),
      caught: cells[10] ?? '',
    });
  }
  return { heading: lines[start]!, rows };
}

export interface RoleRow {
  role: string;
  hotkeys: number;
  weight: number;
  caught: string;
}

/** The weight-by-role summary printed after `epochId`'s leaderboard. */
export function weightByRole(output: string, epochId: string): RoleRow[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line === `epoch ${epochId} weight by role`);
  if (start < 0) return [];
  const rows: RoleRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim()) break;
    const [role, hotkeys, weight, caught] = line.split(/\s{2,}/);
    rows.push({ role: role!, hotkeys: Number(hotkeys), weight: Number(weight!.replace('%', '')), caught: caught! });
  }
  return rows;
}

export const HONEST = ['devnet-miner-1', 'devnet-miner-2', 'devnet-miner-3'];
export const SYBILS = ['devnet-sybil-1', 'devnet-sybil-2', 'devnet-sybil-3'];
export const MINERS = [
  ...HONEST,
  'devnet-copier',
  'devnet-crasher',
  'devnet-fabricator',
  'devnet-late',
  'devnet-knowing-fabricator',
  'devnet-padder',
  ...SYBILS,
  'devnet-overclaimer',
  'devnet-outsider',
];

/** What the first leaderboard of a devnet with every misbehaving miner must show. */
export function expectFirstLeaderboard(output: string, firstEpoch: string): void {
  const board = leaderboard(output, firstEpoch);
  expect(board, 'the first leaderboard').toBeDefined();
  const row = (miner: string) => board!.rows.find((r) => r.miner === miner);
  expect(board!.heading).toContain('devnet-validator-2 agrees');
  expect(board!.rows.map((r) => r.miner).sort()).toEqual([...MINERS].sort());
  expect(row('devnet-fabricator')).toMatchObject({ total: 0, weight: 0 });
  expect(row('devnet-fabricator')!.caught).toContain('honeypot_listings');
  // The copier is not flagged: every listing it holds was credited to the earlier upload it copied.
  expect(row('devnet-copier')).toMatchObject({ weight: 0, credited: 0, caught: '-' });
  expect(row('devnet-copier')!.overlap).toBeGreaterThan(0);
  for (const honest of [...HONEST, 'devnet-crasher']) {
    expect(row(honest), honest).toMatchObject({ caught: '-' });
    expect(row(honest)!.total, honest).toBeGreaterThan(0.5);
  }
  expect(row('devnet-late')!.caught).toContain('late_upload');
  const honestWeight = HONEST.reduce((sum, miner) => sum + row(miner)!.weight, 0);
  expect(honestWeight).toBeGreaterThan(50);
  const bestHonest = Math.max(...HONEST.map((miner) => row(miner)!.weight));
  // The adversaries that know the protocol: invented rows found by the audit, however placed.
  for (const fabricator of ['devnet-knowing-fabricator', 'devnet-padder']) {
    expect(row(fabricator), fabricator).toMatchObject({ total: 0, weight: 0 });
    expect(row(fabricator)!.caught, fabricator).toContain('fabricated_listings');
  }
  expect(row('devnet-overclaimer')!.caught).toContain('listings_claim_exceeds_rows');
  expect(row('devnet-outsider')!.caught).toContain('zipcode_not_assigned');
  expect(row('devnet-outsider')!.weight).toBeLessThan(bestHonest);
  // One dataset over three hotkeys: the second and third are credited nothing (every listing went
  // to the first upload), so together they earn no more than one honest miner.
  for (const sybil of SYBILS.slice(1)) {
    expect(row(sybil), sybil).toMatchObject({ credited: 0, weight: 0 });
    expect(row(sybil)!.overlap, sybil).toBeGreaterThan(0);
  }
  expect(SYBILS.reduce((sum, sybil) => sum + row(sybil)!.weight, 0)).toBeLessThanOrEqual(bestHonest);
  // The summary by role: honest miners take the most; every fabricating role is caught.
  const roles = weightByRole(output, firstEpoch);
  const role = (name: string) => roles.find((r) => r.role === name);
  expect(roles[0]).toMatchObject({ role: 'honest', hotkeys: 3, caught: '0/3' });
  expect(role('honest')!.weight).toBeCloseTo(honestWeight, 0);
  expect(role('sybil')).toMatchObject({ hotkeys: 3 });
  for (const name of ['fabricator', 'knowing-fabricator', 'padder'])
    expect(role(name), name).toMatchObject({ weight: 0, caught: '1/1' });
}

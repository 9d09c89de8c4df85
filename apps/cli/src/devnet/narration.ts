/**
 * What the devnet says as it runs. Every line names the epoch it belongs to, so lines that arrive
 * in a later epoch than the one they are about (a late miner thawed during the grace period, after
 * the next epoch began) cannot be read out of order.
 */
export type Say = (line: string, epochId?: string) => void;

/** `[devnet] [epoch 2025-10-01T17-00-00] devnet-late frozen (SIGSTOP) …`. */
export function narrationLine(epochId: string, line: string): string {
  return `[devnet] [epoch ${epochId}] ${line}`;
}

/**
 * A `Say` that prints narration lines: a line about a given epoch names that epoch, any other the
 * epoch running at the time (`epochNow`).
 */
export function narrator(epochNow: () => string, print: (line: string) => void): Say {
  return (line, epochId) => print(narrationLine(epochId ?? epochNow(), line));
}

export interface ResumedDevnet {
  readonly home: string;
  /** Wallets that were already in the devnet's state, by name. */
  readonly reused: readonly string[];
  /** Wallets made now (e.g. `--miners` raised since the last run). */
  readonly created: readonly string[];
  /** Each miner's newest epoch in its work store (undefined: no work yet). */
  readonly minerEpochs: ReadonlyMap<string, string | undefined>;
}

/**
 * The line a devnet started over existing state prints: which wallets it reused or made, and
 * which epoch each miner's work resumes from (grouped, newest epoch first).
 */
export function resumedLine(resumed: ResumedDevnet): string {
  const parts = [
    `resumed the devnet in ${resumed.home}: ${resumed.reused.length} wallet${resumed.reused.length === 1 ? '' : 's'} ` +
      `reused (${resumed.reused.join(', ') || 'none'})`,
  ];
  if (resumed.created.length > 0) parts.push(`new wallets: ${resumed.created.join(', ')}`);
  const byEpoch = new Map<string, string[]>();
  const idle: string[] = [];
  for (const [name, epochId] of resumed.minerEpochs) {
    if (epochId === undefined) idle.push(name);
    else byEpoch.set(epochId, [...(byEpoch.get(epochId) ?? []), name]);
  }
  const epochs = [...byEpoch].sort(([a], [b]) => b.localeCompare(a));
  if (epochs.length > 0)
    parts.push(
      `miners carry on from their state: ${epochs.map(([epochId, names]) => `${names.join(', ')} last worked on epoch ${epochId}`).join('; ')}`,
    );
  if (idle.length > 0) parts.push(`no work yet: ${idle.join(', ')}`);
  return parts.join('; ');
}

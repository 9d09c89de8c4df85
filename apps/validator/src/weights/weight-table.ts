import { type ValidationResultsFile, convertWeightsAndUidsForEmit, planWeights } from '@resi/core';

/** One line of the weight table. */
export interface WeightTableRow {
  readonly uid: number;
  /** The miner's hotkey; `(burn)` for the burn uid when it is not a miner. */
  readonly hotkey: string;
  /** Sum of its zipcode rewards in the results file. */
  readonly reward: number;
  /** The float weight after exclusions and burn (the row sums to 1). */
  readonly weight: number;
  /** What goes on chain: the Python SDK's u16 conversion. */
  readonly u16: number;
}

export interface WeightTableOptions {
  /** uid of each miner hotkey; miners without one (deregistered) get no weight. */
  readonly uidOf: (hotkey: string) => number | null | undefined;
  /** Uids never weighted: validators and this validator itself. */
  readonly excludeUids: Iterable<number>;
  readonly burnShare: number;
  readonly burnUid?: number | undefined;
}

/**
 * The weights a results file leads to (PROTOCOL.md §8): each miner's reward sum by uid, excluded
 * uids dropped, the burn share to the burn uid (`planWeights`), then the u16 values
 * (`convertWeightsAndUidsForEmit`). Rows in uid order.
 */
export function weightTableOf(file: ValidationResultsFile, options: WeightTableOptions): WeightTableRow[] {
  const scores = new Map<number, number>();
  const hotkeyByUid = new Map<number, string>();
  const rewardByUid = new Map<number, number>();
  for (const [hotkey, result] of Object.entries(file.validation_results)) {
    const uid = options.uidOf(hotkey);
    if (uid === null || uid === undefined) continue;
    hotkeyByUid.set(uid, hotkey);
    rewardByUid.set(uid, result.weight);
    scores.set(uid, (scores.get(uid) ?? 0) + result.weight);
  }
  const plan = planWeights({
    scores,
    excludeUids: options.excludeUids,
    burnShare: options.burnShare,
    burnUid: options.burnUid,
  });
  if (plan.uids.length === 0) return [];
  const emitted = convertWeightsAndUidsForEmit(plan.uids, plan.weights);
  const u16ByUid = new Map(emitted.uids.map((uid, index) => [uid, emitted.values[index]!]));
  return plan.uids.map((uid, index) => ({
    uid,
    hotkey: hotkeyByUid.get(uid) ?? '(burn)',
    reward: rewardByUid.get(uid) ?? 0,
    weight: plan.weights[index]!,
    u16: u16ByUid.get(uid) ?? 0,
  }));
}

/** The table as text, for `--no-set-weights` and the log. */
export function formatWeightTable(rows: readonly WeightTableRow[]): string {
  if (rows.length === 0) return '(no weights to emit: no miner earned a reward and no burn uid is set)';
  const header = ['uid', 'hotkey', 'reward', 'weight', 'u16'];
  const lines = rows.map((row) => [
    String(row.uid),
    row.hotkey,
    row.reward.toFixed(9),
    row.weight.toFixed(9),
    String(row.u16),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [render(header), ...lines.map(render)].join('\n');
}

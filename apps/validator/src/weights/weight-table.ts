import { type ValidationResultsFile, convertWeightsAndUidsForEmit, planWeights } from '@resi/core';

/** The uid a results file gives a hotkey: its result's, or its carried credibility's. */
export function resultsFileUidOf(file: ValidationResultsFile, hotkey: string): number | null | undefined {
  return file.validation_results[hotkey]?.uid ?? file.credibility.carried[hotkey]?.uid;
}

/**
 * Each uid's credibility after the epoch (the moving average weights come from): miners with a
 * result and hotkeys carried without one, mapped through `uidOf`; hotkeys without a uid dropped.
 */
export function credibilityByUid(
  file: ValidationResultsFile,
  uidOf: (hotkey: string) => number | null | undefined,
): Map<number, number> {
  const scores = new Map<number, number>();
  const entries = [
    ...Object.entries(file.validation_results).map(([hotkey, result]) => [hotkey, result.credibility.after] as const),
    ...Object.entries(file.credibility.carried).map(([hotkey, credibility]) => [hotkey, credibility.after] as const),
  ];
  for (const [hotkey, after] of entries) {
    const uid = uidOf(hotkey);
    if (uid !== null && uid !== undefined) scores.set(uid, (scores.get(uid) ?? 0) + after);
  }
  return scores;
}

/** One line of the weight table. */
export interface WeightTableRow {
  readonly uid: number;
  /** The miner's hotkey; `(burn)` for the burn uid when it is not a miner. */
  readonly hotkey: string;
  /** Sum of its zipcode rewards this epoch (0 for a hotkey carried without a result). */
  readonly reward: number;
  /** Its credibility after the epoch: the moving average of reward shares, what is weighted. */
  readonly credibility: number;
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
 * The weights a results file leads to (PROTOCOL.md §8): each miner's credibility after the epoch
 * (the moving average of its reward shares, miners without a result this epoch included) by uid,
 * excluded uids dropped, the burn share to the burn uid (`planWeights`), then the u16 values
 * (`convertWeightsAndUidsForEmit`). Rows in uid order.
 */
export function weightTableOf(file: ValidationResultsFile, options: WeightTableOptions): WeightTableRow[] {
  const scores = new Map<number, number>();
  const hotkeyByUid = new Map<number, string>();
  const rewardByUid = new Map<number, number>();
  const credibilityByUid = new Map<number, number>();
  const entries = [
    ...Object.entries(file.validation_results).map(
      ([hotkey, result]) => [hotkey, result.weight, result.credibility] as const,
    ),
    ...Object.entries(file.credibility.carried).map(([hotkey, credibility]) => [hotkey, 0, credibility] as const),
  ];
  for (const [hotkey, reward, credibility] of entries) {
    const uid = options.uidOf(hotkey);
    if (uid === null || uid === undefined) continue;
    hotkeyByUid.set(uid, hotkey);
    rewardByUid.set(uid, reward);
    credibilityByUid.set(uid, credibility.after);
    scores.set(uid, (scores.get(uid) ?? 0) + credibility.after);
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
    credibility: credibilityByUid.get(uid) ?? 0,
    weight: plan.weights[index]!,
    u16: u16ByUid.get(uid) ?? 0,
  }));
}

/** The table as text, for `--no-set-weights` and the log. */
export function formatWeightTable(rows: readonly WeightTableRow[]): string {
  if (rows.length === 0) return '(no weights to emit: no miner earned a reward and no burn uid is set)';
  const header = ['uid', 'hotkey', 'reward', 'credibility', 'weight', 'u16'];
  const lines = rows.map((row) => [
    String(row.uid),
    row.hotkey,
    row.reward.toFixed(9),
    row.credibility.toFixed(9),
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

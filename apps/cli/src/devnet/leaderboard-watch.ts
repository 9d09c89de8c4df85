import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseValidationResultsFile, type ValidationResultsFile } from '@resi/core';
import { type CastMember, formatLeaderboard, formatWeightByRole, leaderboardOf, weightByRole } from './leaderboard.js';

export interface LeaderboardWatchOptions {
  /** Each validator's name and its results directory (`<state.dir>/results`). */
  readonly validators: readonly { name: string; resultsDir: string }[];
  readonly cast: ReadonlyMap<string, CastMember>;
  readonly print: (text: string) => void;
  /** Epochs before this one are not printed (a new devnet's partial first epoch). */
  readonly fromEpochId?: string;
  readonly intervalMs?: number;
  /** How long to wait for the other validators' files before printing without them. */
  readonly agreementWaitMs?: number;
}

async function resultsOf(resultsDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let names: string[] = [];
  try {
    names = await readdir(resultsDir);
  } catch {
    return files;
  }
  for (const name of names) {
    const epochId = /^epoch=(.+)$/.exec(name)?.[1];
    if (epochId) files.set(epochId, join(resultsDir, name, 'validation_results.json'));
  }
  return files;
}

async function readResults(path: string): Promise<ValidationResultsFile | undefined> {
  try {
    return parseValidationResultsFile(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Prints each epoch's leaderboard once, when the first validator has scored it: per miner the
 * score components, listings credited and overlapping earlier uploads, weight share and what was
 * caught, and whether the other validators reached the same results digest; then the weight summed
 * by role, with how many of each role's hotkeys were caught. Epochs already scored when the watch
 * starts (a resumed devnet) are not printed again.
 */
export async function watchLeaderboards(options: LeaderboardWatchOptions): Promise<{ stop(): void }> {
  const [lead, ...others] = options.validators;
  if (!lead) return { stop: () => undefined };
  const printed = new Set((await resultsOf(lead.resultsDir)).keys());
  const firstSeen = new Map<string, number>();
  let busy = false;
  const tick = async () => {
    for (const [epochId, path] of await resultsOf(lead.resultsDir)) {
      if (printed.has(epochId) || (options.fromEpochId !== undefined && epochId < options.fromEpochId)) continue;
      const file = await readResults(path);
      if (!file) continue;
      const seen = firstSeen.get(epochId) ?? Date.now();
      firstSeen.set(epochId, seen);
      const verdicts: string[] = [];
      let waiting = false;
      for (const other of others) {
        const otherPath = (await resultsOf(other.resultsDir)).get(epochId);
        const otherFile = otherPath ? await readResults(otherPath) : undefined;
        if (!otherFile) {
          waiting = true;
          verdicts.push(`${other.name} has not scored it yet`);
        } else if (otherFile.results_sha256 === file.results_sha256) {
          verdicts.push(`${other.name} agrees`);
        } else {
          verdicts.push(`${other.name} DISAGREES (${otherFile.results_sha256.slice(0, 12)}…)`);
        }
      }
      if (waiting && Date.now() - seen < (options.agreementWaitMs ?? 30_000)) continue;
      printed.add(epochId);
      const heading =
        `epoch ${epochId} leaderboard — ${lead.name}, results ${file.results_sha256.slice(0, 12)}…` +
        (verdicts.length > 0 ? `; ${verdicts.join('; ')}` : '');
      const rows = leaderboardOf(file, options.cast);
      options.print(
        `\n${heading}\n${formatLeaderboard(rows)}\n\nepoch ${epochId} weight by role\n${formatWeightByRole(weightByRole(rows))}\n`,
      );
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void tick()
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, options.intervalMs ?? 2_000);
  return { stop: () => clearInterval(timer) };
}

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NotRevealedCause, RevealOutcome } from '@resi/chain';

/**
 * What became of the validator's timelocked weight commits, exported as a Prometheus text file
 * (node_exporter's textfile collector reads it; anything else can too). Counters start at zero
 * with each run, as Prometheus counters do; the commits themselves survive in the state directory.
 */
export class WeightMetricsFile {
  private revealed = 0;
  private readonly notRevealed = new Map<NotRevealedCause, number>();
  private waiting = 0;
  private lastNotRevealedAt = 0;

  constructor(readonly path: string) {}

  /** Counts one reveal pass's outcomes and rewrites the file. */
  record(outcomes: readonly RevealOutcome[], now = new Date()): void {
    this.waiting = 0;
    for (const outcome of outcomes) {
      if (outcome.kind === 'chain-revealed') this.revealed += 1;
      else if (outcome.kind === 'waiting') this.waiting += 1;
      else if (outcome.kind === 'not-revealed') {
        this.notRevealed.set(outcome.cause, (this.notRevealed.get(outcome.cause) ?? 0) + 1);
        this.lastNotRevealedAt = Math.floor(now.getTime() / 1000);
      }
    }
    this.write();
  }

  /** The file's text. */
  text(): string {
    const lines = [
      '# HELP resi_validator_weights_revealed_total Timelocked weight commits the chain revealed and applied.',
      '# TYPE resi_validator_weights_revealed_total counter',
      `resi_validator_weights_revealed_total ${this.revealed}`,
      '# HELP resi_validator_weights_not_revealed_total Timelocked weight commits the chain did not apply, by likely cause.',
      '# TYPE resi_validator_weights_not_revealed_total counter',
      ...[...this.notRevealed].map(
        ([cause, count]) => `resi_validator_weights_not_revealed_total{cause="${cause}"} ${count}`,
      ),
      '# HELP resi_validator_weights_commits_waiting Timelocked weight commits still waiting for their reveal.',
      '# TYPE resi_validator_weights_commits_waiting gauge',
      `resi_validator_weights_commits_waiting ${this.waiting}`,
      '# HELP resi_validator_weights_not_revealed_last_seconds Unix time of the last commit found not applied (0: none).',
      '# TYPE resi_validator_weights_not_revealed_last_seconds gauge',
      `resi_validator_weights_not_revealed_last_seconds ${this.lastNotRevealedAt}`,
    ];
    return `${lines.join('\n')}\n`;
  }

  private write(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, this.text());
    renameSync(temporary, this.path);
  }
}

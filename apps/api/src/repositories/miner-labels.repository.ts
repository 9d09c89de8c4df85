import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { type MinerLabels, minerLabelsProblems } from '@resi/core';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config/config.js';

/** Operator labels by hotkey (`LABELS_FILE`), shown by the dashboard beside uid and hotkey. */
export interface MinerLabelSource {
  /** The labels of those of `hotkeys` that have one. */
  labelsOf(hotkeys: Iterable<string>): MinerLabels;
  readonly size: number;
}

/** Labels held in memory, checked by the caller. */
export class StaticMinerLabels implements MinerLabelSource {
  private readonly labels: ReadonlyMap<string, string>;

  constructor(labels: MinerLabels = {}) {
    this.labels = new Map(Object.entries(labels));
  }

  get size(): number {
    return this.labels.size;
  }

  labelsOf(hotkeys: Iterable<string>): MinerLabels {
    const out: MinerLabels = {};
    for (const hotkey of hotkeys) {
      const label = this.labels.get(hotkey);
      if (label !== undefined) out[hotkey] = label;
    }
    return out;
  }
}

/** A label file is a short list of names: anything larger is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads and checks a label file once, at start: JSON (`.json`) or YAML (`.yaml`, `.yml`), a
 * mapping of SS58 hotkey to label. Any problem stops the API with a ConfigError naming the file
 * and every bad entry; the file is not re-read while the API runs.
 */
export function loadMinerLabels(path: string): StaticMinerLabels {
  const file = resolve(path);
  const fail = (problems: readonly string[]) =>
    new ConfigError(
      `Invalid API configuration:\n  LABELS_FILE ${file}: ${problems.length === 1 ? problems[0] : `\n${problems.map((p) => `    ${p}`).join('\n')}`}`,
    );
  const extension = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension))
    throw fail(['must be a .json, .yaml or .yml file mapping hotkeys to labels']);
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw fail([`is larger than ${MAX_FILE_BYTES} bytes`]);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw fail([`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = extension === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 0, uniqueKeys: true });
  } catch (error) {
    throw fail([`is not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
  // An empty YAML file is null: no labels, said plainly rather than as a type error.
  if (parsed === null || parsed === undefined)
    throw fail(['is empty; write hotkey: label lines, or unset LABELS_FILE']);
  const problems = minerLabelsProblems(parsed);
  if (problems.length > 0) throw fail(problems);
  return new StaticMinerLabels(parsed as MinerLabels);
}

import { z } from 'zod';
import { ss58AddressSchema } from './primitives.js';

/*
 * Operator labels: names an API operator gives hotkeys (`LABELS_FILE`), shown on the dashboard
 * beside the uid and short hotkey, never instead of them. They are text someone else typed, so
 * the rule is narrow: short, one line, letters, digits and a little punctuation, and nothing that
 * reads as a uid or a hotkey.
 */

/** Longest label, in characters (code points): a name, not a description. */
export const MINER_LABEL_MAX_LENGTH = 32;
/** Most labels one file may hold (a subnet has 256 uids; hotkeys change over time). */
export const MINER_LABELS_MAX_ENTRIES = 4096;

/** Letters and digits of any script, single spaces and `- _ . , : ' ( ) & + / @ ! ?`. */
const LABEL_CHARACTERS = /^[\p{L}\p{N}](?:[\p{L}\p{N} \-_.,:'()&+/@!?]*[\p{L}\p{N}.)!?])?$/u;
const LOOKS_LIKE_UID = /^(?:uid ?)?\d+$/iu;
const LOOKS_LIKE_HOTKEY =
  /^5[1-9A-HJ-NP-Za-km-z]{2,}(?:\.{2,3}|…)[1-9A-HJ-NP-Za-km-z]{2,}$|^5[1-9A-HJ-NP-Za-km-z]{20,}$/u;

/**
 * Why `text` cannot be a label, as a sentence an operator can act on; undefined when it can.
 * Kept apart from the schema so the reason reads the same everywhere it is reported.
 */
export function minerLabelProblem(text: string): string | undefined {
  const length = [...text].length;
  if (length === 0) return 'is empty';
  if (length > MINER_LABEL_MAX_LENGTH) return `is ${length} characters long (at most ${MINER_LABEL_MAX_LENGTH})`;
  if (text !== text.normalize('NFC')) return 'is not in Unicode normal form C (NFC)';
  if (!LABEL_CHARACTERS.test(text) || text.includes('  '))
    return "may hold only letters, digits, single spaces and - _ . , : ' ( ) & + / @ ! ?, starting with a letter or digit";
  if (LOOKS_LIKE_UID.test(text)) return 'reads as a uid';
  if (LOOKS_LIKE_HOTKEY.test(text)) return 'reads as a hotkey';
  return undefined;
}

/** One operator label (see {@link minerLabelProblem}). */
export const minerLabelSchema = z
  .string()
  .superRefine((text, ctx) => {
    const problem = minerLabelProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: `label ${JSON.stringify(text.slice(0, 64))} ${problem}` });
  })
  .meta({
    id: 'MinerLabel',
    description: `An operator's name for a hotkey: 1-${MINER_LABEL_MAX_LENGTH} letters, digits, single spaces and a little punctuation; shown beside the uid and hotkey, never instead of them`,
    example: 'devnet-miner-1',
  });

/** Label keys compared as a reader would: without case. */
const labelKey = (label: string) => label.toLowerCase();

/**
 * Every problem of a parsed label file (a JSON or YAML mapping hotkey → label), one sentence per
 * entry, naming the hotkey: not a mapping, a key that is not an SS58 hotkey, a bad label, a label
 * given to two hotkeys (so none can pass for another miner's), too many entries. Empty when the
 * file is good.
 */
export function minerLabelsProblems(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return ['must be a mapping of hotkey to label, e.g. {"5F…": "my-miner-1"}'];
  const entries = Object.entries(input);
  const problems: string[] = [];
  if (entries.length > MINER_LABELS_MAX_ENTRIES)
    problems.push(`holds ${entries.length} labels (at most ${MINER_LABELS_MAX_ENTRIES})`);
  const owner = new Map<string, string>();
  for (const [hotkey, label] of entries) {
    const shownKey = hotkey.length > 64 ? `${hotkey.slice(0, 64)}…` : hotkey;
    if (!ss58AddressSchema.safeParse(hotkey).success) problems.push(`"${shownKey}": not an SS58 hotkey`);
    if (typeof label !== 'string') {
      problems.push(`"${shownKey}": the label must be a string`);
      continue;
    }
    const problem = minerLabelProblem(label);
    const shownLabel = JSON.stringify(label.length > 64 ? `${label.slice(0, 64)}…` : label);
    if (problem) problems.push(`"${shownKey}": label ${shownLabel} ${problem}`);
    const first = owner.get(labelKey(label));
    if (first) problems.push(`"${shownKey}": label ${shownLabel} is also ${first}'s`);
    else owner.set(labelKey(label), hotkey);
  }
  return problems;
}

/**
 * Labels by hotkey as the API serves them: only labels {@link minerLabelsProblems} let through.
 */
export const minerLabelsSchema = z
  .record(ss58AddressSchema, minerLabelSchema)
  .superRefine((labels, ctx) => {
    for (const message of minerLabelsProblems(labels)) ctx.addIssue({ code: 'custom', message });
  })
  .meta({ id: 'MinerLabels', description: 'Operator labels by hotkey (SS58)' });
export type MinerLabels = z.infer<typeof minerLabelsSchema>;

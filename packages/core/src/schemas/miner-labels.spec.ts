import { describe, expect, it } from 'vitest';
import { ALICE, BOB, DAVE, EVE } from '../scoring/epoch-scoring.test-utils.js';
import { MINER_LABEL_MAX_LENGTH, minerLabelProblem, minerLabelsProblems, minerLabelsSchema } from './miner-labels.js';

describe('operator labels', () => {
  it.each([
    'devnet-miner-1',
    'Acme Mining (EU)',
    'Zürich 2',
    'ノード東京',
    'r&d/test.',
    'x'.repeat(MINER_LABEL_MAX_LENGTH),
  ])('accepts %j', (label) => expect(minerLabelProblem(label)).toBeUndefined());

  it.each([
    ['', 'is empty'],
    ['x'.repeat(MINER_LABEL_MAX_LENGTH + 1), 'characters long'],
    ['<img src=x onerror=alert(1)>', 'may hold only'],
    ['a"b', 'may hold only'],
    ['two\nlines', 'may hold only'],
    ['tab\there', 'may hold only'],
    ['a  b', 'may hold only'],
    [' padded', 'may hold only'],
    ['trailing ', 'may hold only'],
    ['-dash', 'may hold only'],
    ['rtl\u202Eevil', 'may hold only'],
    ['zero\u200Bwidth', 'may hold only'],
    ['Zalgo\u0301\u0301\u0301', 'normal form C'],
    ['e\u0301', 'normal form C'],
    ['#12', 'may hold only'],
    ['12', 'reads as a uid'],
    ['uid 7', 'reads as a uid'],
    ['5Grw…utQY', 'may hold only'], // the ellipsis is not a label character
    ['5Grw...utQY', 'reads as a hotkey'],
    [ALICE.slice(0, 30), 'reads as a hotkey'],
  ])('refuses %j: %s', (label, problem) => expect(minerLabelProblem(label)).toContain(problem));

  it('reads a file of hotkey → label, and names each bad entry', () => {
    expect(minerLabelsProblems({ [ALICE]: 'alice', [BOB]: 'bob' })).toEqual([]);
    expect(minerLabelsSchema.parse({ [ALICE]: 'alice', [BOB]: 'bob' })).toEqual({ [ALICE]: 'alice', [BOB]: 'bob' });
    expect(minerLabelsProblems(['alice'])).toEqual([expect.stringContaining('must be a mapping of hotkey to label')]);
    expect(minerLabelsProblems(null)).toHaveLength(1);
    const problems = minerLabelsProblems({
      [ALICE]: 'Alice',
      [BOB]: 'alice',
      '5notahotkey': 'x',
      [EVE]: '<b>',
      [DAVE]: 7,
    });
    expect(problems).toEqual([
      `"${BOB}": label "alice" is also ${ALICE}'s`,
      '"5notahotkey": not an SS58 hotkey',
      `"${EVE}": label "<b>" may hold only letters, digits, single spaces and - _ . , : ' ( ) & + / @ ! ?, starting with a letter or digit`,
      `"${DAVE}": the label must be a string`,
    ]);
    expect(minerLabelsSchema.safeParse({ [ALICE]: 'alice', [BOB]: 'ALICE' }).success).toBe(false);
  });
});

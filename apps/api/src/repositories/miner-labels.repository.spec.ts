import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, EVE } from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { ConfigError } from '../config/config.js';
import { loadMinerLabels } from './miner-labels.repository.js';

const dir = mkdtempSync(join(tmpdir(), 'resi-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const problemOf = (path: string) => {
  try {
    loadMinerLabels(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${path} loaded`);
};

describe('operator label file (LABELS_FILE)', () => {
  it('reads JSON and YAML mappings of hotkey → label, and hands out only the labels asked for', () => {
    const json = loadMinerLabels(file('labels.json', JSON.stringify({ [ALICE]: 'alice', [BOB]: 'bob' })));
    expect(json.size).toBe(2);
    expect(json.labelsOf([ALICE, EVE])).toEqual({ [ALICE]: 'alice' });
    const yaml = loadMinerLabels(file('labels.yml', `${ALICE}: Acme Mining (EU)\n${BOB}: 'bob'\n`));
    expect(yaml.labelsOf([ALICE, BOB])).toEqual({ [ALICE]: 'Acme Mining (EU)', [BOB]: 'bob' });
  });

  it('stops the start with a sentence naming the file and every bad entry', () => {
    const bad = file(
      'bad.yaml',
      `${ALICE}: "<script>alert(1)</script>"\n${BOB}: Alice\n${EVE}: alice\nnot-a-hotkey: x\n`,
    );
    const message = problemOf(bad);
    expect(message).toContain(`LABELS_FILE ${bad}:`);
    expect(message).toContain(`"${ALICE}": label "<script>alert(1)</script>" may hold only letters`);
    expect(message).toContain(`"${EVE}": label "alice" is also ${BOB}'s`);
    expect(message).toContain('"not-a-hotkey": not an SS58 hotkey');
  });

  it.each([
    ['labels.txt', 'x', 'must be a .json, .yaml or .yml file'],
    ['broken.json', '{"a": ', 'is not valid JSON'],
    ['broken.yaml', `${ALICE}: [unclosed`, 'is not valid YAML'],
    ['duplicate.yaml', `${ALICE}: one\n${ALICE}: two\n`, 'is not valid YAML'],
    ['list.yaml', '- alice\n- bob\n', 'must be a mapping of hotkey to label'],
    ['empty.yaml', '# nothing yet\n', 'is empty'],
    ['anchors.yaml', `a: &x alice\n${ALICE}: *x\n`, 'is not valid YAML'],
  ])('refuses %s', (name, text, problem) => expect(problemOf(file(name, text))).toContain(problem));

  it('names a file that cannot be read', () => {
    expect(problemOf(join(dir, 'missing.json'))).toContain('cannot be read (ENOENT)');
  });
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonListFile, writeJsonListFile } from './json-list-file.js';

const record = z.object({ round: z.number().int() });
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('a validator JSON list file', () => {
  it('round-trips, reads a missing file as empty and removes the file when the list empties', () => {
    dir = mkdtempSync(join(tmpdir(), 'resi-list-'));
    const path = join(dir, 'nested', 'commits.json');
    expect(readJsonListFile(path, record, 'commit')).toEqual([]);
    writeJsonListFile(path, [{ round: 1 }, { round: 2 }]);
    expect(readJsonListFile(path, record, 'commit')).toEqual([{ round: 1 }, { round: 2 }]);
    writeJsonListFile(path, []);
    expect(existsSync(path)).toBe(false);
  });

  it('names a damaged file instead of forgetting what it held', () => {
    dir = mkdtempSync(join(tmpdir(), 'resi-list-'));
    const path = join(dir, 'commits.json');
    writeFileSync(path, '{"round": 1');
    expect(() => readJsonListFile(path, record, 'commit')).toThrow(/commit file .* is damaged: it is not JSON/);
    writeFileSync(path, '[{"round": "one"}]');
    expect(() => readJsonListFile(path, record, 'commit')).toThrow(/commit file .* is damaged/);
  });
});

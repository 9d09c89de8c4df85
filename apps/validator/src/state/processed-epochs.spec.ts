import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { ProcessedEpochStore, ValidatorStateError } from './processed-epochs.js';

describe('ProcessedEpochStore', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'resi-validator-state-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const record = {
    stage: 'scored' as const,
    resultsSha256: 'a'.repeat(64),
    resultsPath: '/x/validation_results.json',
    minersScored: 3,
    weights: null,
    notes: [],
  };

  it('starts empty, persists every step and reads it back after a restart', async () => {
    const path = join(directory, 'a', 'state.json');
    const store = new ProcessedEpochStore(path, ALICE);
    expect(await store.load()).toMatchObject({ firstEpochId: null, epochs: {}, absentEpochs: [] });
    await store.setFirstEpoch('2025-10-01T16-00-00');
    await store.update('2025-10-01T16-00-00', record);
    await store.markAbsent('2025-10-01T20-00-00');
    const restarted = new ProcessedEpochStore(path, ALICE);
    const state = await restarted.load();
    expect(state.firstEpochId).toBe('2025-10-01T16-00-00');
    expect(state.epochs['2025-10-01T16-00-00']).toMatchObject(record);
    expect(state.absentEpochs).toEqual(['2025-10-01T20-00-00']);
  });

  it('refuses a damaged file rather than starting afresh over it', async () => {
    const path = join(directory, 'damaged.json');
    await writeFile(path, '{"version": 1, "hotkey": ');
    await expect(new ProcessedEpochStore(path, ALICE).load()).rejects.toThrow(ValidatorStateError);
    expect(await readFile(path, 'utf8')).toBe('{"version": 1, "hotkey": ');
  });

  it("refuses another validator's file", async () => {
    const path = join(directory, 'b', 'state.json');
    const store = new ProcessedEpochStore(path, ALICE);
    await store.load();
    await store.setFirstEpoch('2025-10-01T16-00-00');
    await expect(new ProcessedEpochStore(path, BOB).load()).rejects.toThrow(/belongs to validator/);
  });
});

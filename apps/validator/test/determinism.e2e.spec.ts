import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDevWallet, parseValidationResultsFile } from '@resi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRAFTED_ZIPCODES,
  EPOCH_ID,
  EPOCH_START,
  epochResponse,
  submissionsResponse,
  writeCraftedEpoch,
} from '../src/testing/synthetic-epoch.test-utils.js';
import { REPO_ROOT, RESI_BIN } from '../../api/test/e2e/processes.js';
import { FakeApi, epochSummary, statsWith } from './fake-api.test-utils.js';

const run = promisify(execFile);

/**
 * The determinism requirement (PROTOCOL.md §8): separate validator processes, run with different
 * thread counts and download parallelism, publish byte-identical results for the same epoch; a
 * validator with another hotkey publishes the same digest.
 */
describe('two validator processes on the same epoch', { timeout: 240_000 }, () => {
  // Three validator processes, the first two at once: on a loaded 2-core machine each takes seconds.
  const stopAll = new AbortController();
  let root: string;
  let api: FakeApi;
  let marketPath: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-determinism-'));
    const crafted = await writeCraftedEpoch(root);
    marketPath = crafted.marketPath;
    api = new FakeApi(
      join(root, 'bucket'),
      new Map([
        [EPOCH_ID, { epoch: epochResponse(CRAFTED_ZIPCODES), submissions: submissionsResponse(crafted.submissions) }],
      ]),
      () => statsWith([epochSummary(EPOCH_ID, 'COMPLETED', EPOCH_START)]),
    );
    await api.start();
    for (const name of ['first', 'second'])
      await createDevWallet({ path: join(root, 'wallets'), name, hotkey: 'default' });
  });

  afterAll(async () => {
    stopAll.abort();
    await api?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function validate(wallet: string, stateDir: string, tuning: string[]): Promise<Buffer> {
    await run(
      process.execPath,
      [
        RESI_BIN,
        'validator',
        '--once',
        '--no-set-weights',
        '--api.url',
        api.url,
        '--wallet.path',
        join(root, 'wallets'),
        '--wallet.name',
        wallet,
        '--state.dir',
        stateDir,
        '--source',
        'file',
        '--file.path',
        marketPath,
        '--log.format',
        'json',
        ...tuning,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000, signal: stopAll.signal },
    );
    return readFile(join(stateDir, 'results', `epoch=${EPOCH_ID}`, 'validation_results.json'));
  }

  it('publish byte-identical results files, and another validator the same digest', async () => {
    const [one, two] = await Promise.all([
      validate('first', join(root, 'state-1'), [
        '--duckdb.threads',
        '1',
        '--download.concurrency',
        '1',
        '--verify.concurrency',
        '1',
      ]),
      validate('first', join(root, 'state-2'), [
        '--duckdb.threads',
        '2',
        '--download.concurrency',
        '8',
        '--verify.concurrency',
        '32',
      ]),
    ]);
    expect(one.equals(two)).toBe(true);
    const uploads = api.uploads.filter((upload) => upload.key.includes(`epoch=${EPOCH_ID}`));
    expect(uploads).toHaveLength(2);
    expect(uploads.every((upload) => upload.content.equals(one))).toBe(true);

    const other = await validate('second', join(root, 'state-3'), []);
    const [mine, theirs] = [parseValidationResultsFile(one.toString()), parseValidationResultsFile(other.toString())];
    expect(theirs.validator_hotkey).not.toBe(mine.validator_hotkey);
    expect(theirs.results_sha256).toBe(mine.results_sha256);
    expect(new Set(api.reports.map((report) => report.resultsSha256))).toEqual(new Set([mine.results_sha256]));
  });
});

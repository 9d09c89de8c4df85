import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EpochAssignmentsResponse, type EpochSubmissionsResponse, createDevWallet } from '@resi/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProgram, startResi } from '../../api/test/e2e/processes.js';
import {
  CRAFTED_ZIPCODES,
  EPOCH_ID,
  EPOCH_START,
  epochResponse,
  submissionsResponse,
  writeCraftedEpoch,
} from '../src/testing/synthetic-epoch.test-utils.js';
import { FakeApi, epochSummary, statsWith } from './fake-api.test-utils.js';

/**
 * The built `resi validator` stopped by SIGTERM, as pm2 and systemd stop it: during the results
 * upload it finishes the upload, records it and exits 0, and the restart reports without uploading
 * again; during scoring it abandons the scoring at once (nothing recorded) and exits 0, and the
 * restart scores, uploads and reports exactly once.
 */
describe('resi validator on SIGTERM', () => {
  let root: string;
  let epochs: Map<string, { epoch: EpochAssignmentsResponse; submissions: EpochSubmissionsResponse }>;
  let marketPath: string;
  let api: FakeApi | undefined;
  const programs: RunningProgram[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'resi-validator-sigterm-'));
    const crafted = await writeCraftedEpoch(root);
    marketPath = crafted.marketPath;
    epochs = new Map([
      [EPOCH_ID, { epoch: epochResponse(CRAFTED_ZIPCODES), submissions: submissionsResponse(crafted.submissions) }],
    ]);
    await createDevWallet({ path: join(root, 'wallets'), name: 'sigterm-validator', hotkey: 'default' });
  });

  afterEach(async () => {
    for (const program of programs.splice(0)) await program.stop('SIGKILL');
    await api?.stop();
    api = undefined;
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function setUp(name: string): Promise<{ env: Record<string, string>; stateDir: string }> {
    api = new FakeApi(join(root, 'bucket'), epochs, () =>
      statsWith([epochSummary(EPOCH_ID, 'COMPLETED', EPOCH_START)]),
    );
    await api.start();
    const stateDir = join(root, name);
    return {
      stateDir,
      env: {
        RESI_API_URL: api.url,
        RESI_VALIDATOR_STATE_DIR: stateDir,
        RESI_VALIDATOR_POLL: '1',
        RESI_SET_WEIGHTS: 'false',
        RESI_VERIFY_SOURCES: 'file',
        RESI_FILE_PATH: marketPath,
        RESI_DUCKDB_THREADS: '1',
        RESI_LOG_FORMAT: 'json',
        BT_WALLET_PATH: join(root, 'wallets'),
        BT_WALLET_NAME: 'sigterm-validator',
        BT_WALLET_HOTKEY: 'default',
      },
    };
  }

  function start(env: Record<string, string>): RunningProgram {
    const program = startResi(['validator'], env);
    programs.push(program);
    return program;
  }

  async function waitFor(condition: () => boolean, program: RunningProgram): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!condition()) {
      if (Date.now() > deadline || program.child.exitCode !== null)
        throw new Error(`the condition never held:\n${program.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('during the results upload: finishes it, exits 0; the restart reports it without uploading again', async () => {
    const { env } = await setUp('mid-upload');
    api!.delays.set('POST /upload', 1_500);
    const first = start(env);
    await waitFor(() => api!.requests.includes('POST /upload'), first);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain(
      `received SIGTERM: finishing the results upload of epoch ${EPOCH_ID}; its report and weights follow on restart, then stopping`,
    );
    expect(first.output()).toContain('"msg":"results uploaded"');
    expect(api!.uploads).toHaveLength(1);
    expect(api!.reports).toHaveLength(0);

    api!.delays.clear();
    const second = start({ ...env, RESI_VALIDATOR_ONCE: 'true' });
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain('scoring epoch');
    expect(api!.uploads).toHaveLength(1);
    expect(api!.reports).toHaveLength(1);
  }, 90_000);

  it('during scoring: abandons it at once with nothing recorded, exits 0; the restart scores it once', async () => {
    const { env, stateDir } = await setUp('mid-scoring');
    api!.delays.set('GET /objects/', 5_000);
    const first = start(env);
    await waitFor(() => first.output().includes('"msg":"scoring epoch"'), first);
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(4_000);
    expect(first.output()).toContain(
      `received SIGTERM: abandoning the scoring of epoch ${EPOCH_ID} (nothing of it is recorded; a restart scores it again, to the same results), then stopping`,
    );
    expect(api!.uploads).toHaveLength(0);
    const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as {
      epochs: Record<string, unknown>;
    };
    expect(state.epochs[EPOCH_ID]).toBeUndefined();

    api!.delays.clear();
    const second = start({ ...env, RESI_VALIDATOR_ONCE: 'true' });
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('"msg":"epoch scored"');
    expect(api!.uploads).toHaveLength(1);
    expect(api!.reports).toHaveLength(1);
  }, 90_000);
});

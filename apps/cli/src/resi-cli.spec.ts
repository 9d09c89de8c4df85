import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as scure from '@scure/sr25519';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, publicKeyOf, verifyCommitmentSignature } from '@resi/core';
import { REPO_ROOT, RESI_BIN } from '../../api/test/e2e/processes.js';

const run = promisify(execFile);

/** Runs the built `resi` as a user would, with the wallet chosen by BT_WALLET_* env. */
async function resi(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [RESI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return stdout.trim();
}

describe('resi keys create + resi sign, as processes', () => {
  let root: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await cryptoReady();
    root = await mkdtemp(join(tmpdir(), 'resi-cli-'));
    env = { BT_WALLET_PATH: root, BT_WALLET_NAME: 'curl-user', BT_WALLET_HOTKEY: 'default' };
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('signs a commitment that core and @scure/sr25519 both accept', async () => {
    const created = JSON.parse(await resi(['keys', 'create', '--json'], env)) as { hotkey: string };
    const shown = JSON.parse(await resi(['keys', 'show', '--json'], env)) as { hotkey: string };
    expect(shown.hotkey).toBe(created.hotkey);

    const commitment = `zipcode:assignment:current:${Math.floor(Date.now() / 1000)}`;
    const signature = await resi(['sign', commitment], env);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyCommitmentSignature(commitment, signature, created.hotkey)).toBe(true);
    expect(verifyCommitmentSignature(`${commitment}0`, signature, created.hotkey)).toBe(false);
    const independent = scure.verify(
      new TextEncoder().encode(commitment),
      Uint8Array.from(Buffer.from(signature, 'hex')),
      publicKeyOf(created.hotkey),
    );
    expect(independent).toBe(true);
  }, 120_000);
});

describe('npx resi, as the README uses it', () => {
  it('runs the built program through the linked bin, as on a fresh clone after npm install', async () => {
    const { stdout } = await run('npx', ['--no-install', 'resi', '--version'], { cwd: REPO_ROOT, timeout: 60_000 });
    expect(stdout.trim()).toMatch(/^resi \d+\.\d+\.\d+\nprotocol 1, API v1$/);
  }, 120_000);

  it('says to build first when the program is not built', async () => {
    const root = await mkdtemp(join(tmpdir(), 'resi-unbuilt-'));
    try {
      await mkdir(join(root, 'bin'));
      await copyFile(join(REPO_ROOT, 'apps/cli/bin/resi.js'), join(root, 'bin/resi.js'));
      await copyFile(join(REPO_ROOT, 'apps/cli/package.json'), join(root, 'package.json'));
      const failed = await run(process.execPath, [join(root, 'bin/resi.js'), '--version']).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('run `npm run build`');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

/** What a mistyped command line prints, and its exit status. */
async function failing(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [RESI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
}

describe('usage errors', () => {
  it('an unknown option prints one line and where the help is, not the whole help', async () => {
    const failed = await failing(['miner', '--bogus']);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n')).toEqual(["error: unknown option '--bogus'", 'see `resi miner --help`']);
  }, 60_000);

  it('a missing value in a nested command names that command', async () => {
    const failed = await failing(['keys', 'create', '--wallet.name']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("error: option '--wallet.name <name>' argument missing");
    expect(failed.stderr.trim().split('\n').at(-1)).toBe('see `resi keys create --help`');
  }, 60_000);

  it('a file feed that is not there stops the miner at start, before it uploads an empty epoch', async () => {
    const feed = join(tmpdir(), 'resi-no-such-feed', 'feed.csv');
    const failed = await failing(
      ['miner', '--source', 'file', '--file.path', feed, '--api.url', 'http://127.0.0.1:9'],
      {
        BT_WALLET_PATH: '/nonexistent',
      },
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`--file.path (RESI_FILE_PATH): ${feed} does not exist`);
    expect(failed.stderr.trim().split('\n').at(-1)).toBe('see `resi miner --help`');
  }, 60_000);

  it('a numeric option asks for a whole number with an example', async () => {
    const failed = await failing(['miner', '--netuid', 'abc'], { BT_WALLET_PATH: '/nonexistent' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('--netuid (NETUID): must be a whole number, e.g. 46');
    expect(failed.stderr).not.toContain('NaN');
    expect(failed.stderr.trim().split('\n').at(-1)).toBe('see `resi miner --help`');
  }, 60_000);
});

describe('resi api on a port already in use', () => {
  it('says which address is taken and how to choose another port', async () => {
    const home = await mkdtemp(join(tmpdir(), 'resi-port-'));
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      await writeFile(join(home, 'metagraph.json'), JSON.stringify({ netuid: 46, neurons: [] }));
      const env = {
        ...process.env,
        RESI_HOME: home,
        METAGRAPH_FILE: join(home, 'metagraph.json'),
        LOG_LEVEL: 'silent',
      };
      const failed = await run(process.execPath, [RESI_BIN, 'api', '--port', String(port)], {
        cwd: REPO_ROOT,
        env,
        // Generous: the API opens its embedded database before it binds, slow on a loaded machine.
        timeout: 100_000,
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain(`127.0.0.1:${port} is already in use`);
      expect(failed?.stderr).toContain('--port <port>');
    } finally {
      squatter.close();
      await rm(home, { recursive: true, force: true });
    }
  }, 150_000);
});

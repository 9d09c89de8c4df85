import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWallet, resolveWalletLocation, type WalletLocation } from '@resi/core';
import { registerKeysCommand, runKeysCreate, runKeysShow } from './keys.js';

let root: string;
let location: WalletLocation;
let printed: string[];
const print = (line: string) => {
  printed.push(line);
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'resi-keys-'));
  location = resolveWalletLocation({ path: root, name: 'miner', hotkey: 'hk' }, {});
  printed = [];
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A `resi` with only the keys commands, whose exits and stderr the test catches. */
function program(): { sut: Command; errors: string[] } {
  const errors: string[] = [];
  const sut = new Command('resi').exitOverride().configureOutput({ writeErr: (text) => errors.push(text) });
  registerKeysCommand(sut, print);
  return { sut, errors };
}

describe('runKeysCreate', () => {
  it('creates a loadable wallet and prints its addresses and files, not its mnemonics', async () => {
    const created = await runKeysCreate(location, { overwrite: false, json: false }, print);
    const wallet = await loadWallet(location);
    expect(wallet.hotkey.address).toBe(created.hotkeyAddress);
    expect(printed[0]).toBe(`hotkey   ${created.hotkeyAddress}  (hk, ${join(root, 'miner', 'hotkeys', 'hk')})`);
    expect(printed[1]).toBe(`coldkey  ${created.coldkeyAddress}  (new, ${join(root, 'miner', 'coldkeypub.txt')})`);
    expect(printed.join('\n')).not.toMatch(/\b[a-z]+( [a-z]+){11}\b/);
  });

  it('prints JSON on request', async () => {
    const created = await runKeysCreate(location, { overwrite: false, json: true }, print);
    expect(JSON.parse(printed[0]!)).toEqual({
      wallet: 'miner',
      hotkeyName: 'hk',
      hotkey: created.hotkeyAddress,
      coldkey: created.coldkeyAddress,
      hotkeyFile: created.hotkeyFile,
      coldkeypubFile: created.coldkeypubFile,
      coldkeyCreated: true,
    });
  });
});

describe('runKeysShow', () => {
  it('prints the hotkey and coldkey addresses of an existing wallet', async () => {
    const created = await runKeysCreate(location, { overwrite: false, json: false }, () => undefined);
    const summary = await runKeysShow(location, { json: true }, print);
    expect(summary).toMatchObject({ hotkey: created.hotkeyAddress, coldkey: created.coldkeyAddress });
    expect(JSON.parse(printed[0]!)).toEqual(summary);
  });
});

describe('resi keys (parsing)', () => {
  it('takes Bittensor-style --wallet.* options, and btcli dashed ones', async () => {
    const { sut } = program();
    await sut.parseAsync(['keys', 'create', '--wallet.path', root, '--wallet.name', 'miner', '--wallet.hotkey', 'hk'], {
      from: 'user',
    });
    expect((await stat(join(root, 'miner', 'hotkeys', 'hk'))).isFile()).toBe(true);

    printed = [];
    await program().sut.parseAsync(
      ['keys', 'show', '--wallet-path', root, '--wallet-name', 'miner', '--wallet-hotkey', 'hk', '--json'],
      { from: 'user' },
    );
    expect(JSON.parse(printed[0]!)).toMatchObject({ wallet: 'miner', hotkeyName: 'hk' });
  });

  it('refuses to overwrite without --overwrite: one error line, exit code 1, file untouched', async () => {
    const first = await runKeysCreate(location, { overwrite: false, json: false }, () => undefined);
    const { sut, errors } = program();
    const args = ['keys', 'create', '--wallet.path', root, '--wallet.name', 'miner', '--wallet.hotkey', 'hk'];
    const failure = await sut.parseAsync(args, { from: 'user' }).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(CommanderError);
    expect((failure as CommanderError).exitCode).toBe(1);
    expect(errors.join('')).toMatch(/^error: a hotkey already exists at .*--overwrite/);
    expect(errors.join('')).not.toContain('Usage:');
    expect((await loadWallet(location)).hotkey.address).toBe(first.hotkeyAddress);

    await program().sut.parseAsync([...args, '--overwrite'], { from: 'user' });
    expect((await loadWallet(location)).hotkey.address).not.toBe(first.hotkeyAddress);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scure from '@scure/sr25519';
import { Command, type CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDevWallet,
  publicKeyOf,
  resolveWalletLocation,
  verifyCommitmentSignature,
  type CreatedDevWallet,
  type WalletLocation,
} from '@resi/core';
import { fillCommitmentTemplate, parseCommitmentTemplate, registerSignCommand, runSign } from './sign.js';

let root: string;
let location: WalletLocation;
let wallet: CreatedDevWallet;
let printed: string[];
const print = (line: string) => {
  printed.push(line);
};
const fixedClock = () => 1_759_334_400_999;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'resi-sign-'));
  location = resolveWalletLocation({ path: root, name: 'miner', hotkey: 'hk' }, {});
  wallet = await createDevWallet(location);
  printed = [];
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('commitment templates', () => {
  it('fills {timestamp} and {hotkey} and leaves the rest alone', () => {
    expect(
      fillCommitmentTemplate('miner:status:{hotkey}:2025-10-01T16-00-00:{timestamp}', { hotkey: 'H', timestamp: 7 }),
    ).toBe('miner:status:H:2025-10-01T16-00-00:7');
    expect(fillCommitmentTemplate('zipcode:assignment:current:1759334400', { hotkey: 'H', timestamp: 7 })).toBe(
      'zipcode:assignment:current:1759334400',
    );
  });

  it('rejects empty commitments and unknown placeholders', () => {
    expect(parseCommitmentTemplate('s3:validator:upload:{timestamp}')).toBe('s3:validator:upload:{timestamp}');
    expect(() => parseCommitmentTemplate('')).toThrow(/empty/);
    expect(() => parseCommitmentTemplate('zipcode:status:{epochId}:{timestamp}')).toThrow(
      /unknown placeholder \{epochId\}/,
    );
  });
});

describe('runSign', () => {
  it('prints a bare hex signature that core and @scure/sr25519 both verify', async () => {
    const commitment = 'zipcode:assignment:current:1759334400';
    const signed = await runSign(commitment, location, { json: false }, print, fixedClock);
    expect(printed).toEqual([signed.signature]);
    expect(signed.signature).toMatch(/^[0-9a-f]{128}$/);
    expect(signed).toMatchObject({ hotkey: wallet.hotkeyAddress, commitment, timestamp: null });
    expect(verifyCommitmentSignature(commitment, signed.signature, wallet.hotkeyAddress)).toBe(true);
    const signature = Uint8Array.from(Buffer.from(signed.signature, 'hex'));
    expect(scure.verify(new TextEncoder().encode(commitment), signature, publicKeyOf(wallet.hotkeyAddress))).toBe(true);
  });

  it('signs a template with the current time in seconds and reports it as JSON', async () => {
    const signed = await runSign('zipcode:assignment:current:{timestamp}', location, { json: true }, print, fixedClock);
    expect(JSON.parse(printed[0]!)).toEqual({
      hotkey: wallet.hotkeyAddress,
      commitment: 'zipcode:assignment:current:1759334400',
      timestamp: 1759334400,
      signature: signed.signature,
    });
    expect(verifyCommitmentSignature(signed.commitment, signed.signature, wallet.hotkeyAddress)).toBe(true);
  });
});

describe('resi sign (parsing)', () => {
  function program(): { sut: Command; errors: string[] } {
    const errors: string[] = [];
    const sut = new Command('resi').exitOverride().configureOutput({ writeErr: (text) => errors.push(text) });
    registerSignCommand(sut, print);
    return { sut, errors };
  }

  it('signs with the wallet the options name', async () => {
    const { sut } = program();
    await sut.parseAsync(
      ['sign', 's3:validator:upload:1', '--wallet.path', root, '--wallet.name', 'miner', '--wallet.hotkey', 'hk'],
      {
        from: 'user',
      },
    );
    expect(verifyCommitmentSignature('s3:validator:upload:1', printed[0]!, wallet.hotkeyAddress)).toBe(true);
  });

  it('exits 1 with the wallet problem when the hotkey is missing', async () => {
    const { sut, errors } = program();
    const failure = await sut
      .parseAsync(['sign', 'x', '--wallet.path', root, '--wallet.name', 'nobody'], { from: 'user' })
      .catch((caught: unknown) => caught);
    expect((failure as CommanderError).exitCode).toBe(1);
    expect(errors.join('')).toContain(`error: no hotkey file at ${join(root, 'nobody', 'hotkeys', 'default')}`);
  });
});

import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as scure from '@scure/sr25519';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cryptoReady, verifyCommitmentSignature } from '../crypto/signatures.js';
import { createDevWallet } from './dev-wallet.js';
import { btcliKeyfileJson, keyfileEncryptionOf } from './keyfile.js';
import {
  WalletError,
  coldkeypubFilePath,
  hotkeyFilePath,
  loadColdkeyAddress,
  loadHotkey,
  loadWallet,
  resolveWalletLocation,
  type WalletLocation,
} from './wallet.js';

const MNEMONIC = 'old leopard transfer rib spatial phone calm indicate online fire caution review';
const MNEMONIC_ADDRESS = '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX';

let root: string;
let location: WalletLocation;

beforeAll(async () => {
  await cryptoReady();
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'resi-wallet-'));
  location = resolveWalletLocation({ path: root, name: 'miner', hotkey: 'hk' }, {});
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeHotkeyFile(contents: string | Uint8Array): Promise<string> {
  const path = hotkeyFilePath(location);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, contents);
  return path;
}

async function readJson(path: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
}

describe('resolveWalletLocation', () => {
  it("uses btcli's defaults", () => {
    expect(resolveWalletLocation({}, {})).toEqual({
      path: join(homedir(), '.bittensor', 'wallets'),
      name: 'default',
      hotkey: 'default',
    });
  });

  it('prefers options over BT_WALLET_* over defaults, ignoring empty values', () => {
    const env = { BT_WALLET_PATH: '~/w', BT_WALLET_NAME: 'envname', BT_WALLET_HOTKEY: 'envhot' };
    expect(resolveWalletLocation({}, env)).toEqual({ path: join(homedir(), 'w'), name: 'envname', hotkey: 'envhot' });
    expect(resolveWalletLocation({ path: '/x', name: 'n', hotkey: '' }, env)).toEqual({
      path: '/x',
      name: 'n',
      hotkey: 'envhot',
    });
  });

  it.each(['../escape', 'a/b', 'a\\b', '..', '.'])('refuses the name %j', (name) => {
    expect(() => resolveWalletLocation({ name }, {})).toThrow(WalletError);
    expect(() => resolveWalletLocation({ hotkey: name }, {})).toThrow(WalletError);
  });
});

describe('createDevWallet', () => {
  it('writes btcli-format files that load back to the same keys', async () => {
    const sut = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    expect(sut.coldkeyCreated).toBe(true);
    expect(sut.hotkeyFile).toBe(join(root, 'miner', 'hotkeys', 'hk'));

    const hotkey = await readJson(sut.hotkeyFile);
    expect(Object.keys(hotkey).sort()).toEqual(
      ['accountId', 'privateKey', 'publicKey', 'secretPhrase', 'secretSeed', 'ss58Address'].sort(),
    );
    expect(hotkey.ss58Address).toBe(sut.hotkeyAddress);
    expect(hotkey.publicKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(hotkey.accountId).toBe(hotkey.publicKey);
    expect(hotkey.secretSeed).toMatch(/^0x[0-9a-f]{64}$/);
    expect(hotkey.privateKey).toMatch(/^0x[0-9a-f]{128}$/);
    expect(hotkey.secretPhrase!.split(' ')).toHaveLength(12);
    // btcli's privateKey is schnorrkel's canonical secret: the scalar is below the group order,
    // so its top nibble is clear, unlike the x8 form wasm-crypto signs with.
    expect(Number.parseInt(hotkey.privateKey!.slice(64, 66), 16)).toBeLessThan(0x20);

    const coldkeypub = await readJson(sut.coldkeypubFile);
    expect(coldkeypub).toEqual({
      accountId: coldkeypub.publicKey,
      publicKey: coldkeypub.publicKey,
      ss58Address: sut.coldkeyAddress,
    });
    expect(await readJson(join(root, 'miner', 'hotkeys', 'hkpub.txt'))).toEqual({
      accountId: hotkey.publicKey,
      publicKey: hotkey.publicKey,
      ss58Address: sut.hotkeyAddress,
    });
    expect((await stat(sut.hotkeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'miner', 'coldkey'))).mode & 0o777).toBe(0o600);

    const wallet = await loadWallet(location);
    expect(wallet.hotkey.address).toBe(sut.hotkeyAddress);
    expect(wallet.coldkeyAddress).toBe(sut.coldkeyAddress);
    const signature = wallet.signer.sign('zipcode:assignment:current:1759334400');
    expect(verifyCommitmentSignature('zipcode:assignment:current:1759334400', signature, sut.hotkeyAddress)).toBe(true);
  });

  it('loads the same address from the phrase alone, the seed alone and the private key alone', async () => {
    const created = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    const full = await readJson(created.hotkeyFile);
    for (const field of ['secretPhrase', 'secretSeed', 'privateKey'] as const) {
      await writeFile(created.hotkeyFile, btcliKeyfileJson({ [field]: full[field] }));
      const sut = await loadHotkey(location);
      expect(sut.source).toBe(field);
      expect(sut.address).toBe(created.hotkeyAddress);
    }
  });

  it('signs, from a private-key-only file, what @scure/sr25519 accepts', async () => {
    const created = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    const full = await readJson(created.hotkeyFile);
    await writeFile(created.hotkeyFile, btcliKeyfileJson({ privateKey: full.privateKey }));
    const { signer } = await loadWallet(location);
    const signature = Uint8Array.from(Buffer.from(signer.sign('s3:validator:upload:1759334400'), 'hex'));
    const publicKey = Uint8Array.from(Buffer.from(full.publicKey!.slice(2), 'hex'));
    expect(scure.verify(new TextEncoder().encode('s3:validator:upload:1759334400'), signature, publicKey)).toBe(true);
  });

  it('refuses to replace an existing hotkey unless asked, and keeps the coldkey even then', async () => {
    const first = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    const before = await readFile(first.hotkeyFile, 'utf8');
    await expect(createDevWallet({ path: root, name: 'miner', hotkey: 'hk' })).rejects.toThrow(/--overwrite/);
    expect(await readFile(first.hotkeyFile, 'utf8')).toBe(before);

    const second = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk', overwrite: true });
    expect(second.hotkeyAddress).not.toBe(first.hotkeyAddress);
    expect(second.coldkeyAddress).toBe(first.coldkeyAddress);
    expect(second.coldkeyCreated).toBe(false);
  });

  it('adds a second hotkey beside an existing coldkey', async () => {
    const first = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    const second = await createDevWallet({ path: root, name: 'miner', hotkey: 'other' });
    expect(second.coldkeyCreated).toBe(false);
    expect(second.coldkeyAddress).toBe(first.coldkeyAddress);
    expect(second.hotkeyAddress).not.toBe(first.hotkeyAddress);
  });
});

describe('loadHotkey', () => {
  it('reads the reference mnemonic in the older Python layout (nulls, spaced JSON)', async () => {
    await writeHotkeyFile(
      JSON.stringify({
        accountId: null,
        publicKey: null,
        privateKey: null,
        secretPhrase: MNEMONIC,
        secretSeed: null,
        ss58Address: MNEMONIC_ADDRESS,
      }).replace(/,/g, ', '),
    );
    const sut = await loadHotkey(location);
    expect(sut.address).toBe(MNEMONIC_ADDRESS);
    expect(sut.source).toBe('secretPhrase');
  });

  it('names the file and the way out when it is missing', async () => {
    const error = await loadHotkey(location).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WalletError);
    expect((error as WalletError).path).toBe(hotkeyFilePath(location));
    expect((error as Error).message).toContain(hotkeyFilePath(location));
    expect((error as Error).message).toContain('resi keys create --wallet.name miner --wallet.hotkey hk');
  });

  it.each([
    ['NaCl', Buffer.concat([Buffer.from('$NACL'), Buffer.alloc(40, 7)])],
    ['Ansible Vault', Buffer.from('$ANSIBLE_VAULT;1.1;AES256\n6162')],
    ['legacy', Buffer.from('gAAAAABkZ3xW')],
  ])('explains that a %s-encrypted hotkey must be unencrypted', async (kind, contents) => {
    expect(keyfileEncryptionOf(contents)).toBe(kind);
    const path = await writeHotkeyFile(contents);
    await expect(loadHotkey(location)).rejects.toThrow(new RegExp(`${path}.*encrypted \\(${kind}\\).*no-use-password`));
  });

  it.each([
    ['not JSON', '{"secretPhrase": ', /not valid JSON/],
    ['a JSON array', '[]', /not a btcli keyfile/],
    ['a number field', '{"secretPhrase": 12}', /not a btcli keyfile/],
    ['no secret', btcliKeyfileJson({ ss58Address: MNEMONIC_ADDRESS }), /holds no secret/],
    ['an invalid phrase', btcliKeyfileJson({ secretPhrase: 'old leopard' }), /unusable secretPhrase/],
    ['a short seed', btcliKeyfileJson({ secretSeed: '0x1234' }), /unusable secretSeed/],
    ['a non-hex private key', btcliKeyfileJson({ privateKey: '0x' + 'zz'.repeat(64) }), /unusable privateKey/],
  ])('rejects a file with %s, naming it', async (_case, contents, message) => {
    const path = await writeHotkeyFile(contents);
    const error = await loadHotkey(location).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WalletError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
  });

  it('rejects a file whose secret does not match its stated address or public key', async () => {
    const other = await createDevWallet({ path: root, name: 'other', hotkey: 'hk' });
    const otherFile = await readJson(other.hotkeyFile);
    await writeHotkeyFile(btcliKeyfileJson({ secretPhrase: MNEMONIC, ss58Address: other.hotkeyAddress }));
    await expect(loadHotkey(location)).rejects.toThrow(/inconsistent.*secretPhrase gives 5HDvhV6W.*ss58Address/);
    await writeHotkeyFile(btcliKeyfileJson({ secretPhrase: MNEMONIC, publicKey: otherFile.publicKey }));
    await expect(loadHotkey(location)).rejects.toThrow(/inconsistent.*publicKey/);
  });
});

describe('loadColdkeyAddress', () => {
  async function writeColdkeypub(contents: string): Promise<void> {
    await mkdir(dirname(coldkeypubFilePath(location)), { recursive: true });
    await writeFile(coldkeypubFilePath(location), contents);
  }

  it('reads the address, from ss58Address or from publicKey alone', async () => {
    const created = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    const { publicKey } = await readJson(created.coldkeypubFile);
    expect(await loadColdkeyAddress(location)).toBe(created.coldkeyAddress);
    await writeColdkeypub(btcliKeyfileJson({ publicKey }));
    expect(await loadColdkeyAddress(location)).toBe(created.coldkeyAddress);
  });

  it('rejects contradicting or missing keys', async () => {
    const created = await createDevWallet({ path: root, name: 'miner', hotkey: 'hk' });
    const { publicKey } = await readJson(created.coldkeypubFile);
    await writeColdkeypub(btcliKeyfileJson({ publicKey, ss58Address: MNEMONIC_ADDRESS }));
    await expect(loadColdkeyAddress(location)).rejects.toThrow(/inconsistent/);
    await writeColdkeypub('{}');
    await expect(loadColdkeyAddress(location)).rejects.toThrow(/neither ss58Address nor publicKey/);
    await rm(coldkeypubFilePath(location));
    await expect(loadColdkeyAddress(location)).rejects.toThrow(/no coldkeypub file.*regen-coldkeypub/);
  });
});

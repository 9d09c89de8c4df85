import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cryptoReady, signerFromKeypair, type Signer, type Sr25519Keypair } from '../crypto/signatures.js';
import { isSs58Address, ss58Of } from '../crypto/ss58.js';
import { btcliKeyfileSchema, bytesOfKeyfileHex, keyfileEncryptionOf, type BtcliKeyfile } from './keyfile.js';
import {
  SCHNORRKEL_SECRET_BYTES,
  SR25519_MINI_SECRET_BYTES,
  sr25519KeypairFromMiniSecret,
  sr25519KeypairFromMnemonic,
  sr25519KeypairFromSchnorrkelSecret,
} from './sr25519-keys.js';

/** btcli's defaults: `~/.bittensor/wallets`, wallet `default`, hotkey `default`. */
export const DEFAULT_WALLET_PATH = '~/.bittensor/wallets';
export const DEFAULT_WALLET_NAME = 'default';
export const DEFAULT_WALLET_HOTKEY = 'default';

/** Where a btcli wallet lives: `<path>/<name>/hotkeys/<hotkey>` and `<path>/<name>/coldkeypub.txt`. */
export interface WalletLocation {
  /** Directory holding wallets, `~` already expanded, absolute. */
  readonly path: string;
  /** Wallet (coldkey) name. */
  readonly name: string;
  /** Hotkey name inside the wallet. */
  readonly hotkey: string;
}

/**
 * A wallet file that cannot be used. The message names the file and says what to do; `path` is
 * the file or directory concerned.
 */
export class WalletError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.name = 'WalletError';
    this.path = path;
  }
}

function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

/** Wallet and hotkey names become path segments: refuse anything that would leave the wallet directory. */
function assertPlainName(kind: string, value: string): void {
  if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new WalletError(value, `invalid ${kind} ${JSON.stringify(value)}: use a plain file name, no slashes`);
  }
}

/**
 * The wallet to use: explicit options first, then `BT_WALLET_PATH`, `BT_WALLET_NAME`,
 * `BT_WALLET_HOTKEY` from `env`, then btcli's defaults. Empty strings count as unset.
 */
export function resolveWalletLocation(
  options: { path?: string | undefined; name?: string | undefined; hotkey?: string | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): WalletLocation {
  const pick = (explicit: string | undefined, fromEnv: string | undefined, fallback: string) =>
    explicit !== undefined && explicit !== '' ? explicit : fromEnv !== undefined && fromEnv !== '' ? fromEnv : fallback;
  const name = pick(options.name, env.BT_WALLET_NAME, DEFAULT_WALLET_NAME);
  const hotkey = pick(options.hotkey, env.BT_WALLET_HOTKEY, DEFAULT_WALLET_HOTKEY);
  assertPlainName('wallet name', name);
  assertPlainName('hotkey name', hotkey);
  return { path: resolve(expandHome(pick(options.path, env.BT_WALLET_PATH, DEFAULT_WALLET_PATH))), name, hotkey };
}

/** `<path>/<name>`. */
export function walletDirectory(location: WalletLocation): string {
  return join(location.path, location.name);
}

/** `<path>/<name>/hotkeys/<hotkey>`: the hotkey's secret keyfile. */
export function hotkeyFilePath(location: WalletLocation): string {
  return join(walletDirectory(location), 'hotkeys', location.hotkey);
}

/** `<path>/<name>/hotkeys/<hotkey>pub.txt`: the public half that current btcli writes beside it. */
export function hotkeyPubFilePath(location: WalletLocation): string {
  return join(walletDirectory(location), 'hotkeys', `${location.hotkey}pub.txt`);
}

/** `<path>/<name>/coldkey`: the coldkey's secret keyfile (usually encrypted; resi never needs it). */
export function coldkeyFilePath(location: WalletLocation): string {
  return join(walletDirectory(location), 'coldkey');
}

/** `<path>/<name>/coldkeypub.txt`: the coldkey's public keyfile. */
export function coldkeypubFilePath(location: WalletLocation): string {
  return join(walletDirectory(location), 'coldkeypub.txt');
}

function walletFlags(location: WalletLocation): string {
  return `--wallet.name ${location.name} --wallet.hotkey ${location.hotkey}`;
}

async function readKeyfile(path: string, kind: string, howToCreate: string): Promise<BtcliKeyfile> {
  let contents: Buffer;
  try {
    contents = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WalletError(path, `no ${kind} file at ${path}. ${howToCreate}`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new WalletError(path, `cannot read the ${kind} file ${path}: permission denied. Run as its owner.`);
    }
    if (code === 'EISDIR') throw new WalletError(path, `the ${kind} file ${path} is a directory, not a keyfile.`);
    throw new WalletError(path, `cannot read the ${kind} file ${path}: ${(error as Error).message}`);
  }
  const encryption = keyfileEncryptionOf(contents);
  if (encryption !== null) {
    throw new WalletError(
      path,
      `the ${kind} file ${path} is encrypted (${encryption}); resi signs unattended and needs it unencrypted. ` +
        `Recreate it without a password from its mnemonic, e.g. \`btcli wallet regen-hotkey --no-use-password --overwrite\` ` +
        `with the same --wallet.name/--wallet.hotkey.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(contents.toString('utf8'));
  } catch {
    throw new WalletError(path, `the ${kind} file ${path} is not valid JSON: not a btcli keyfile, or damaged.`);
  }
  const parsed = btcliKeyfileSchema.safeParse(json);
  if (!parsed.success) {
    throw new WalletError(
      path,
      `the ${kind} file ${path} is not a btcli keyfile: expected a JSON object with string fields ` +
        `(secretPhrase, secretSeed, privateKey, publicKey, ss58Address).`,
    );
  }
  return parsed.data;
}

/**
 * Compares a key pair derived from a file's secret with the public fields the same file states,
 * so a hand-edited or mixed-up file fails here instead of producing signatures the API rejects.
 */
function assertMatchesStatedPublicKey(path: string, source: string, derivedAddress: string, file: BtcliKeyfile): void {
  const mismatch = (field: string, stated: string) =>
    new WalletError(
      path,
      `the hotkey file ${path} is inconsistent: its ${source} gives ${derivedAddress}, but its ${field} is ${stated}. ` +
        `Restore the file from btcli or regenerate the hotkey.`,
    );
  if (typeof file.ss58Address === 'string' && file.ss58Address !== derivedAddress) {
    throw mismatch('ss58Address', file.ss58Address);
  }
  for (const field of ['publicKey', 'accountId'] as const) {
    const stated = file[field];
    if (typeof stated !== 'string') continue;
    const bytes = bytesOfKeyfileHex(stated, 32);
    if (bytes === null || ss58Of(bytes) !== derivedAddress) throw mismatch(field, stated);
  }
}

/** Which keyfile field a hotkey was derived from, in bittensor's order of preference. */
export type HotkeySecretSource = 'secretPhrase' | 'secretSeed' | 'privateKey';

/** A hotkey read from a btcli keyfile and checked against the public key the file states. */
export interface LoadedHotkey {
  readonly keypair: Sr25519Keypair;
  readonly address: string;
  readonly source: HotkeySecretSource;
  readonly path: string;
}

function deriveHotkey(path: string, file: BtcliKeyfile): { keypair: Sr25519Keypair; source: HotkeySecretSource } {
  const unusable = (field: string, why: string) =>
    new WalletError(path, `the hotkey file ${path} has an unusable ${field}: ${why}.`);
  // bittensor tries the phrase, then the seed, then the private key, and so do we: the first
  // present field decides, so a file never signs with a different key here than in Python.
  if (typeof file.secretPhrase === 'string') {
    try {
      return { keypair: sr25519KeypairFromMnemonic(file.secretPhrase.trim()), source: 'secretPhrase' };
    } catch (error) {
      throw unusable('secretPhrase', (error as Error).message);
    }
  }
  if (typeof file.secretSeed === 'string') {
    const seed = bytesOfKeyfileHex(file.secretSeed, SR25519_MINI_SECRET_BYTES);
    if (seed === null) throw unusable('secretSeed', `expected 0x and ${SR25519_MINI_SECRET_BYTES * 2} hex digits`);
    return { keypair: sr25519KeypairFromMiniSecret(seed), source: 'secretSeed' };
  }
  if (typeof file.privateKey === 'string') {
    const secret = bytesOfKeyfileHex(file.privateKey, SCHNORRKEL_SECRET_BYTES);
    if (secret === null) throw unusable('privateKey', `expected 0x and ${SCHNORRKEL_SECRET_BYTES * 2} hex digits`);
    try {
      return { keypair: sr25519KeypairFromSchnorrkelSecret(secret), source: 'privateKey' };
    } catch (error) {
      throw unusable('privateKey', (error as Error).message);
    }
  }
  throw new WalletError(
    path,
    `the hotkey file ${path} holds no secret (no secretPhrase, secretSeed or privateKey): it is a public ` +
      `keyfile and cannot sign. Point --wallet.hotkey at the hotkey's secret file.`,
  );
}

/**
 * Reads and checks the hotkey of a btcli wallet. Throws a {@link WalletError} naming the file when
 * it is missing, unreadable, encrypted, not a keyfile, or inconsistent with its own public key.
 */
export async function loadHotkey(location: WalletLocation): Promise<LoadedHotkey> {
  await cryptoReady();
  const path = hotkeyFilePath(location);
  const file = await readKeyfile(
    path,
    'hotkey',
    `Create it with \`resi keys create ${walletFlags(location)}\` (or \`btcli wallet new-hotkey\`), or choose ` +
      `another wallet with --wallet.path/--wallet.name/--wallet.hotkey (BT_WALLET_PATH, BT_WALLET_NAME, BT_WALLET_HOTKEY).`,
  );
  const { keypair, source } = deriveHotkey(path, file);
  const address = ss58Of(keypair.publicKey);
  assertMatchesStatedPublicKey(path, source, address, file);
  return { keypair, address, source, path };
}

/**
 * The coldkey's SS58 address from `coldkeypub.txt` (the coldkey secret is never needed). Throws a
 * {@link WalletError} when the file is missing, unreadable or states contradicting keys.
 */
export async function loadColdkeyAddress(location: WalletLocation): Promise<string> {
  const path = coldkeypubFilePath(location);
  const file = await readKeyfile(
    path,
    'coldkeypub',
    `Create the wallet with \`resi keys create ${walletFlags(location)}\` or restore it with ` +
      `\`btcli wallet regen-coldkeypub --wallet.name ${location.name}\`.`,
  );
  const fromAddress = typeof file.ss58Address === 'string' ? file.ss58Address : undefined;
  const publicKeyHex = file.publicKey ?? file.accountId;
  const publicKey = typeof publicKeyHex === 'string' ? bytesOfKeyfileHex(publicKeyHex, 32) : undefined;
  if (fromAddress !== undefined && !isSs58Address(fromAddress)) {
    throw new WalletError(
      path,
      `the coldkeypub file ${path} has an ss58Address that is not an SS58 prefix-42 address.`,
    );
  }
  if (publicKey === null) {
    throw new WalletError(path, `the coldkeypub file ${path} has a publicKey that is not 0x and 64 hex digits.`);
  }
  if (fromAddress !== undefined && publicKey !== undefined && ss58Of(publicKey) !== fromAddress) {
    throw new WalletError(path, `the coldkeypub file ${path} is inconsistent: its ss58Address and publicKey differ.`);
  }
  if (fromAddress !== undefined) return fromAddress;
  if (publicKey !== undefined) return ss58Of(publicKey);
  throw new WalletError(path, `the coldkeypub file ${path} has neither ss58Address nor publicKey.`);
}

/** A wallet ready to sign: its hotkey, a {@link Signer} for it and the coldkey address. */
export interface LoadedWallet {
  readonly location: WalletLocation;
  readonly hotkey: LoadedHotkey;
  readonly signer: Signer;
  readonly coldkeyAddress: string;
}

/** Loads a wallet's hotkey and coldkey address (a miner needs both; see {@link loadHotkey} for the hotkey alone). */
export async function loadWallet(location: WalletLocation): Promise<LoadedWallet> {
  const hotkey = await loadHotkey(location);
  const coldkeyAddress = await loadColdkeyAddress(location);
  return { location, hotkey, signer: signerFromKeypair(hotkey.keypair), coldkeyAddress };
}

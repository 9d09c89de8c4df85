import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { cryptoReady, type Sr25519Keypair } from '../crypto/signatures.js';
import { ss58Of } from '../crypto/ss58.js';
import { btcliKeyfileJson, keyfileHex } from './keyfile.js';
import { generateMnemonic, schnorrkelSecretOf, sr25519KeypairFromMiniSecret } from './sr25519-keys.js';
import {
  WalletError,
  coldkeyFilePath,
  coldkeypubFilePath,
  hotkeyFilePath,
  hotkeyPubFilePath,
  loadColdkeyAddress,
  resolveWalletLocation,
  type WalletLocation,
} from './wallet.js';

/** What {@link createDevWallet} wrote. */
export interface CreatedDevWallet {
  readonly location: WalletLocation;
  readonly hotkeyAddress: string;
  readonly coldkeyAddress: string;
  readonly hotkeyFile: string;
  readonly coldkeypubFile: string;
  /** False when the wallet already had a coldkey and only a hotkey was added. */
  readonly coldkeyCreated: boolean;
}

/** btcli's file mode for keyfiles: owner only. */
const KEYFILE_MODE = 0o600;
const WALLET_DIRECTORY_MODE = 0o700;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

interface GeneratedKey {
  readonly mnemonic: string;
  readonly seed: Uint8Array;
  readonly keypair: Sr25519Keypair;
}

function generateKey(): GeneratedKey {
  const mnemonic = generateMnemonic();
  const seed = mnemonicToMiniSecret(mnemonic);
  return { mnemonic, seed, keypair: sr25519KeypairFromMiniSecret(seed) };
}

function publicKeyfileJson(keypair: Sr25519Keypair): string {
  const publicKey = keyfileHex(keypair.publicKey);
  return btcliKeyfileJson({ accountId: publicKey, publicKey, ss58Address: ss58Of(keypair.publicKey) });
}

/** The full keyfile `bittensor-wallet` writes for a key created from a mnemonic. */
function secretKeyfileJson(key: GeneratedKey): string {
  const publicKey = keyfileHex(key.keypair.publicKey);
  return btcliKeyfileJson({
    accountId: publicKey,
    publicKey,
    privateKey: keyfileHex(schnorrkelSecretOf(key.keypair)),
    secretPhrase: key.mnemonic,
    secretSeed: keyfileHex(key.seed),
    ss58Address: ss58Of(key.keypair.publicKey),
  });
}

async function writeKeyfile(path: string, json: string, overwrite: boolean): Promise<void> {
  try {
    await writeFile(path, json, { mode: KEYFILE_MODE, flag: overwrite ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new WalletError(path, `${path} already exists; not overwriting it.`);
    }
    throw new WalletError(path, `cannot write ${path}: ${(error as Error).message}`);
  }
  // `mode` applies only when the file is created; an overwritten file keeps its old mode otherwise.
  await chmod(path, KEYFILE_MODE);
}

/**
 * Creates a development wallet in btcli's layout, unencrypted (as `btcli ... --no-use-password`),
 * so the miner, the validator, `resi sign` and btcli itself can all use it:
 * `<path>/<name>/hotkeys/<hotkey>` and `<hotkey>pub.txt`, plus `coldkey` and `coldkeypub.txt`
 * when the wallet has no coldkey yet. Each key gets a fresh 12-word mnemonic.
 *
 * An existing hotkey is replaced only with `overwrite: true`. An existing coldkey is never
 * replaced, overwrite or not: it may hold funds, and a hotkey can be added beside it.
 */
export async function createDevWallet(options: {
  path?: string;
  name?: string;
  hotkey?: string;
  overwrite?: boolean;
}): Promise<CreatedDevWallet> {
  await cryptoReady();
  const location = resolveWalletLocation(options, {});
  const overwrite = options.overwrite ?? false;
  const hotkeyFile = hotkeyFilePath(location);
  const coldkeypubFile = coldkeypubFilePath(location);
  if (!overwrite && (await exists(hotkeyFile))) {
    throw new WalletError(
      hotkeyFile,
      `a hotkey already exists at ${hotkeyFile}; pass --overwrite to replace it (its key is lost unless you kept its mnemonic).`,
    );
  }
  await mkdir(dirname(hotkeyFile), { recursive: true, mode: WALLET_DIRECTORY_MODE });

  let coldkeyAddress: string;
  let coldkeyCreated = false;
  if (await exists(coldkeypubFile)) {
    coldkeyAddress = await loadColdkeyAddress(location);
  } else if (await exists(coldkeyFilePath(location))) {
    throw new WalletError(
      coldkeypubFile,
      `the wallet has a coldkey but no ${coldkeypubFile}; restore it with \`btcli wallet regen-coldkeypub\` first.`,
    );
  } else {
    const coldkey = generateKey();
    await writeKeyfile(coldkeyFilePath(location), secretKeyfileJson(coldkey), false);
    await writeKeyfile(coldkeypubFile, publicKeyfileJson(coldkey.keypair), false);
    coldkeyAddress = ss58Of(coldkey.keypair.publicKey);
    coldkeyCreated = true;
  }

  const hotkey = generateKey();
  await writeKeyfile(hotkeyFile, secretKeyfileJson(hotkey), overwrite);
  await writeKeyfile(hotkeyPubFilePath(location), publicKeyfileJson(hotkey.keypair), true);
  return {
    location,
    hotkeyAddress: ss58Of(hotkey.keypair.publicKey),
    coldkeyAddress,
    hotkeyFile,
    coldkeypubFile,
    coldkeyCreated,
  };
}

import { Option, type Command } from 'commander';
import { resolveWalletLocation, type WalletLocation } from '@resi/core';

/**
 * The wallet options every command that touches keys shares, named as Bittensor names them
 * (`--wallet.name`, `--wallet.hotkey`, `--wallet.path`). btcli also accepts the dashed spellings,
 * so they work here too, hidden from help to keep it short.
 */
export interface WalletOptionValues {
  'wallet.name'?: string;
  'wallet.hotkey'?: string;
  'wallet.path'?: string;
  walletName?: string;
  walletHotkey?: string;
  walletPath?: string;
}

/** Adds `--wallet.name`, `--wallet.hotkey` and `--wallet.path` (and their dashed aliases) to `command`. */
export function addWalletOptions(command: Command): Command {
  return command
    .option('--wallet.name <name>', 'wallet (coldkey) name [env BT_WALLET_NAME, default "default"]')
    .option('--wallet.hotkey <hotkey>', 'hotkey name inside the wallet [env BT_WALLET_HOTKEY, default "default"]')
    .option('--wallet.path <dir>', 'directory of wallets [env BT_WALLET_PATH, default "~/.bittensor/wallets"]')
    .addOption(new Option('--wallet-name <name>').hideHelp())
    .addOption(new Option('--wallet-hotkey <hotkey>').hideHelp())
    .addOption(new Option('--wallet-path <dir>').hideHelp());
}

/** The wallet the options select, falling back to `BT_WALLET_*` in `env` and btcli's defaults. */
export function walletLocationFromOptions(
  values: WalletOptionValues,
  env: NodeJS.ProcessEnv = process.env,
): WalletLocation {
  return resolveWalletLocation(
    {
      name: values['wallet.name'] ?? values.walletName,
      hotkey: values['wallet.hotkey'] ?? values.walletHotkey,
      path: values['wallet.path'] ?? values.walletPath,
    },
    env,
  );
}

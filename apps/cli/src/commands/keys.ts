import { type Command } from 'commander';
import {
  createDevWallet,
  loadColdkeyAddress,
  loadHotkey,
  type CreatedDevWallet,
  type WalletLocation,
} from '@resi/core';
import { reportingWalletErrors } from './cli-errors.js';
import { addWalletOptions, walletLocationFromOptions, type WalletOptionValues } from './wallet-options.js';

/** Where command output goes; `console.log` in the CLI, a collector in tests. */
export type PrintLine = (line: string) => void;

/** Public facts about a wallet, as `resi keys show` prints them. */
export interface WalletSummary {
  readonly wallet: string;
  readonly hotkeyName: string;
  readonly hotkey: string;
  readonly coldkey: string;
  readonly hotkeyFile: string;
}

/**
 * `resi keys create`: a development wallet in btcli layout. Returns what was written; prints
 * addresses and files (or JSON), never the mnemonics, which stay in the files.
 */
export async function runKeysCreate(
  location: WalletLocation,
  options: { overwrite: boolean; json: boolean },
  print: PrintLine,
): Promise<CreatedDevWallet> {
  const created = await createDevWallet({ ...location, overwrite: options.overwrite });
  if (options.json) {
    print(
      JSON.stringify({
        wallet: location.name,
        hotkeyName: location.hotkey,
        hotkey: created.hotkeyAddress,
        coldkey: created.coldkeyAddress,
        hotkeyFile: created.hotkeyFile,
        coldkeypubFile: created.coldkeypubFile,
        coldkeyCreated: created.coldkeyCreated,
      }),
    );
    return created;
  }
  print(`hotkey   ${created.hotkeyAddress}  (${location.hotkey}, ${created.hotkeyFile})`);
  print(
    `coldkey  ${created.coldkeyAddress}  (${created.coldkeyCreated ? 'new' : 'existing'}, ${created.coldkeypubFile})`,
  );
  print('Keys are stored unencrypted (mode 600) with their mnemonics: fine for development, not for funds.');
  return created;
}

/** `resi keys show`: loads (and so checks) the hotkey and reads the coldkey address. */
export async function runKeysShow(
  location: WalletLocation,
  options: { json: boolean },
  print: PrintLine,
): Promise<WalletSummary> {
  const hotkey = await loadHotkey(location);
  const summary: WalletSummary = {
    wallet: location.name,
    hotkeyName: location.hotkey,
    hotkey: hotkey.address,
    coldkey: await loadColdkeyAddress(location),
    hotkeyFile: hotkey.path,
  };
  if (options.json) {
    print(JSON.stringify(summary));
  } else {
    print(`hotkey   ${summary.hotkey}  (${summary.hotkeyName}, ${summary.hotkeyFile})`);
    print(`coldkey  ${summary.coldkey}  (wallet ${summary.wallet})`);
  }
  return summary;
}

interface KeysCreateOptionValues extends WalletOptionValues {
  overwrite?: boolean;
  json?: boolean;
}

/** Registers the `resi keys` command group: `create` and `show`. */
export function registerKeysCommand(program: Command, print: PrintLine = console.log): void {
  const keys = program.command('keys').description('create and inspect Bittensor (btcli-format) wallets');

  addWalletOptions(
    keys
      .command('create')
      .description(
        'create a development wallet: a new hotkey, plus a coldkey if the wallet has none, unencrypted, in btcli layout',
      )
      .option('--overwrite', 'replace an existing hotkey of that name (an existing coldkey is always kept)', false)
      .option('--json', 'print the result as JSON', false)
      .addHelpText(
        'after',
        '\nFiles: <wallet.path>/<wallet.name>/hotkeys/<wallet.hotkey>, .../coldkey, .../coldkeypub.txt\n' +
          'Example: resi keys create --wallet.name miner --wallet.hotkey default',
      ),
  ).action(async function (this: Command, values: KeysCreateOptionValues) {
    await reportingWalletErrors(this, async () => {
      await runKeysCreate(
        walletLocationFromOptions(values),
        { overwrite: values.overwrite ?? false, json: values.json ?? false },
        print,
      );
    });
  });

  addWalletOptions(
    keys
      .command('show')
      .description("print a wallet's hotkey and coldkey addresses (checks that the hotkey file is usable)")
      .option('--json', 'print {wallet, hotkeyName, hotkey, coldkey, hotkeyFile} as JSON', false)
      .addHelpText('after', '\nExample: HOTKEY=$(resi keys show --wallet.name miner --json | jq -r .hotkey)'),
  ).action(async function (this: Command, values: WalletOptionValues & { json?: boolean }) {
    await reportingWalletErrors(this, async () => {
      await runKeysShow(walletLocationFromOptions(values), { json: values.json ?? false }, print);
    });
  });
}

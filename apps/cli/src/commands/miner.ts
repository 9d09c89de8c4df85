import { MINER_OPTIONS, MinerConfigError, parseMinerConfig, startMiner } from '@resi/miner';
import { runUntilStopped } from '@resi/client';
import { WalletError } from '@resi/core';
import type { Command } from 'commander';
import { helpHint } from './cli-errors.js';
import { optionOf } from './option-specs.js';
import { type WalletOptionValues, addWalletOptions, walletLocationFromOptions } from './wallet-options.js';

/**
 * `resi miner`: the miner daemon. Every option also reads an environment variable (shown in
 * `--help`), and the CLI loads `.env` first, so a miner can be configured either way.
 */
export function registerMinerCommand(program: Command): void {
  const command = program
    .command('miner')
    .description(
      'run a miner: collect listings for the assigned zipcodes, upload Parquet through the API, report status ' +
        '(options also read the environment variables shown, and .env)',
    );
  addWalletOptions(command);
  const minerValues = addMinerOptions(command);
  command.action(async (values: Record<string, unknown> & WalletOptionValues) => {
    try {
      const config = parseMinerConfig(minerValues(values));
      const miner = await startMiner(config, walletLocationFromOptions(values));
      // SIGTERM/SIGINT: finish the write or upload in flight, then exit 0; a second signal or the
      // timeout abandons it (the work store is consistent at every instant) and exits 1.
      process.exit(await runUntilStopped(miner, { log: miner.log, timeoutMs: config.shutdownTimeoutMs }));
    } catch (error) {
      if (error instanceof MinerConfigError) console.error(`${error.message}\n${helpHint('resi miner')}`);
      else if (error instanceof WalletError) console.error(error.message);
      else console.error(`resi miner: ${(error as Error).message ?? String(error)}`);
      process.exit(1);
    }
  });
}

/**
 * Adds every miner option to `command` and returns the function that reads the parsed values back
 * keyed by each option's documented flag. commander stores `--realtor.suggest-url` as
 * `realtor.suggestUrl`, so the flag alone would miss every dashed option.
 */
export function addMinerOptions(
  command: Command,
): (values: Readonly<Record<string, unknown>>) => Record<string, unknown> {
  const attributes = new Map<string, string>();
  for (const option of MINER_OPTIONS) {
    const commanderOption = optionOf(option);
    attributes.set(option.flag, commanderOption.attributeName());
    command.addOption(commanderOption);
  }
  return (values) => {
    const out: Record<string, unknown> = {};
    for (const [flag, attribute] of attributes) if (values[attribute] !== undefined) out[flag] = values[attribute];
    return out;
  };
}

import { runUntilStopped } from '@resi/client';
import { WalletError } from '@resi/core';
import {
  VALIDATOR_OPTIONS,
  VERIFICATION_SOURCE_OPTIONS,
  ValidatorConfigError,
  parseValidatorConfig,
} from '@resi/validator/config';
import { type Command, Option } from 'commander';
import { helpHint } from './cli-errors.js';
import { optionOf } from './option-specs.js';
import { type WalletOptionValues, addWalletOptions, walletLocationFromOptions } from './wallet-options.js';

/**
 * `resi validator`: the validator daemon. Options also read the environment variables shown (and
 * `.env`). The verification source takes the miner's source options (`--source`, `--file.path`,
 * `--realtor.*`, ...), since sampled listings are re-fetched through the miners' own adapters.
 */
export function registerValidatorCommand(program: Command): void {
  const command = program
    .command('validator')
    .description(
      'run a validator: score every miner after each epoch (DuckDB, deterministic), publish the results and set ' +
        'weights (options also read the environment variables shown, and .env)',
    );
  addWalletOptions(command);
  const validatorValues = addValidatorOptions(command);
  command.action(async (values: Record<string, unknown> & WalletOptionValues) => {
    try {
      const byFlag = validatorValues(values);
      const config = parseValidatorConfig(byFlag);
      // Loaded on use: DuckDB and the chain client are the validator's alone.
      const { startValidator } = await import('@resi/validator');
      const validator = await startValidator(config, walletLocationFromOptions(values));
      // SIGTERM/SIGINT: finish the step in flight (scoring is abandoned and redone on restart),
      // then exit 0; a second signal or the timeout exits 1 at once, the state still resumable.
      process.exit(await runUntilStopped(validator, { log: validator.log, timeoutMs: config.shutdownTimeoutMs }));
    } catch (error) {
      // The daemon's start-up and state errors are recognised by name: their classes load with the daemon.
      const known =
        error instanceof ValidatorConfigError ||
        error instanceof WalletError ||
        (error instanceof Error && ['ValidatorStartupError', 'ValidatorStateError'].includes(error.name));
      console.error(known ? (error as Error).message : `resi validator: ${(error as Error).message ?? String(error)}`);
      if (error instanceof ValidatorConfigError) console.error(helpHint('resi validator'));
      process.exit(1);
    }
  });
}

/**
 * Adds every validator option (the verification source's included) to `command` and returns the
 * function that reads the parsed values back keyed by each option's documented flag.
 */
export function addValidatorOptions(
  command: Command,
): (values: Readonly<Record<string, unknown>>) => Record<string, unknown> {
  // commander names `--set-weights` setWeights and `--a.b-c` a.bC: map its names back to the flags.
  const flagByAttribute = new Map<string, string>();
  for (const spec of VALIDATOR_OPTIONS) {
    const option =
      spec.flag === 'set-weights'
        ? new Option('--no-set-weights', `print the weight table instead of setting weights [env ${spec.env}=false]`)
        : optionOf(spec);
    command.addOption(option);
    flagByAttribute.set(option.attributeName(), spec.flag);
  }
  for (const spec of VERIFICATION_SOURCE_OPTIONS) {
    const option = optionOf(spec, 'verification source: ');
    command.addOption(option);
    flagByAttribute.set(option.attributeName(), spec.flag);
  }
  return (values) => {
    const byFlag: Record<string, unknown> = {};
    for (const [attribute, value] of Object.entries(values)) {
      const flag = flagByAttribute.get(attribute);
      if (flag !== undefined) byFlag[flag] = value;
    }
    // `--no-set-weights` defaults the value to true even when absent; only an explicit false counts.
    if (byFlag['set-weights'] === true) delete byFlag['set-weights'];
    return byFlag;
  };
}

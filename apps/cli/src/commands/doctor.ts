import { homedir } from 'node:os';
import { join } from 'node:path';
import { cryptoReady, WalletError } from '@resi/core';
import { MinerConfigError, parseMinerConfig } from '@resi/miner';
import { parseValidatorConfig, ValidatorConfigError } from '@resi/validator/config';
import type { Command } from 'commander';
import { type DoctorSetup, formatCheck, runDoctor } from '../doctor/doctor.js';
import { helpHint } from './cli-errors.js';
import { addMinerOptions } from './miner.js';
import { addValidatorOptions } from './validator.js';
import { type WalletOptionValues, addWalletOptions, walletLocationFromOptions } from './wallet-options.js';

/**
 * `resi doctor miner|validator`: checks a setup before it runs. It takes exactly the options (and
 * environment variables, and .env) of `resi miner` or `resi validator`, so the same configuration
 * is checked that will run.
 */
export function registerDoctorCommand(program: Command): void {
  const doctor = program
    .command('doctor')
    .description(
      'check a miner or validator setup before running it: wallet, registration, API, clock, storage, sources, disk',
    );

  const miner = doctor
    .command('miner')
    .description('check a miner setup (takes the options of resi miner, and its environment variables and .env)');
  addWalletOptions(miner);
  const minerValues = addMinerOptions(miner);
  miner.action(async (values: Record<string, unknown> & WalletOptionValues) => {
    const config = configOrExit(() => parseMinerConfig(minerValues(values)), 'resi doctor miner');
    const wallet = walletLocationFromOptions(values);
    await check({
      role: 'miner',
      wallet,
      apiUrl: config.apiUrl,
      netuid: config.netuid,
      network: config.network,
      stateDir: config.stateDir ?? join(homedir(), '.resi', 'miner', `${wallet.name}-${wallet.hotkey}`),
      sources: [config],
    });
  });

  const validator = doctor
    .command('validator')
    .description(
      'check a validator setup (takes the options of resi validator, and its environment variables and .env)',
    );
  addWalletOptions(validator);
  const validatorValues = addValidatorOptions(validator);
  validator.action(async (values: Record<string, unknown> & WalletOptionValues) => {
    const config = configOrExit(() => parseValidatorConfig(validatorValues(values)), 'resi doctor validator');
    const wallet = walletLocationFromOptions(values);
    await check({
      role: 'validator',
      wallet,
      apiUrl: config.apiUrl,
      netuid: config.netuid,
      network: config.network,
      stateDir: config.stateDir ?? join(homedir(), '.resi', 'validator', `${wallet.name}-${wallet.hotkey}`),
      sources: config.verification.sources,
    });
  });
}

function configOrExit<Config>(parse: () => Config, commandPath: string): Config {
  try {
    return parse();
  } catch (error) {
    if (error instanceof MinerConfigError || error instanceof ValidatorConfigError || error instanceof WalletError) {
      console.error(`${error.message}\n${helpHint(commandPath)}`);
      process.exit(1);
    }
    throw error;
  }
}

async function check(setup: DoctorSetup): Promise<void> {
  await cryptoReady();
  console.log(`resi doctor: ${setup.role} ${setup.wallet.name}/${setup.wallet.hotkey}, API ${setup.apiUrl}`);
  const results = await runDoctor(setup, undefined, (result) => console.log(formatCheck(result)));
  const failed = results.filter((result) => !result.ok).length;
  console.log(failed === 0 ? 'all checks passed' : `${failed} of ${results.length} checks failed`);
  process.exit(failed === 0 ? 0 : 1);
}

import { Command } from 'commander';
import { registerApiCommand } from './commands/api.js';
import { registerDevnetCommand } from './commands/devnet.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerMinerCommand } from './commands/miner.js';
import { registerSignCommand } from './commands/sign.js';
import { registerValidatorCommand } from './commands/validator.js';

/** The `resi` command. Each program (api, miner, validator, devnet) registers itself here. */
export function buildProgram(): Command {
  const program = new Command('resi')
    .description('Bittensor Subnet 46 zipcode-based real-estate mining: API server, miner and validator')
    .version('0.1.0')
    .showHelpAfterError();
  registerApiCommand(program);
  registerDevnetCommand(program);
  registerKeysCommand(program);
  registerMinerCommand(program);
  registerSignCommand(program);
  registerValidatorCommand(program);
  return program;
}

import { API_VERSIONS, PROTOCOL_VERSION } from '@resi/core';
import { Command } from 'commander';
import { registerApiCommand } from './commands/api.js';
import { registerDevnetCommand } from './commands/devnet.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerMinerCommand } from './commands/miner.js';
import { registerSignCommand } from './commands/sign.js';
import { registerSourcesCommand } from './commands/sources.js';
import { registerValidatorCommand } from './commands/validator.js';
import { helpHint } from './commands/cli-errors.js';
import { RESI_VERSION } from './version.js';

/** What `resi --version` prints: the program, the wire contract and the API versions it speaks. */
export const VERSION_TEXT = `resi ${RESI_VERSION}\nprotocol ${PROTOCOL_VERSION}, API ${API_VERSIONS.join(', ')}`;

/** The `resi` command. Each program (api, miner, validator, devnet) registers itself here. */
export function buildProgram(): Command {
  const program = new Command('resi')
    .description('Bittensor Subnet 46 zipcode-based real-estate mining: API server, miner and validator')
    .version(VERSION_TEXT, '-V, --version', 'show the version, the protocol version and the API versions');
  registerApiCommand(program);
  registerDevnetCommand(program);
  registerDoctorCommand(program);
  registerKeysCommand(program);
  registerMinerCommand(program);
  registerSignCommand(program);
  registerSourcesCommand(program);
  registerValidatorCommand(program);
  pointToHelpAfterErrors(program);
  return program;
}

/**
 * A usage error (unknown option, missing value, unknown command) prints its one line and where
 * to read more, not the whole help: about 100 lines of options would scroll the error away.
 */
export function pointToHelpAfterErrors(command: Command, parents: readonly string[] = []): void {
  const path = [...parents, command.name()];
  command.showHelpAfterError(helpHint(path.join(' ')));
  for (const sub of command.commands) pointToHelpAfterErrors(sub, path);
}

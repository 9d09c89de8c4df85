import type { Command } from 'commander';
import type { DevnetOptions } from '../devnet/run-devnet.js';
import { exitWith } from './api.js';

/** `resi devnet`: the subnet on one machine, on embedded defaults (PGlite, memory, generated wallets). */
export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description(
      'run the subnet on one machine on embedded defaults: API (PGlite, memory, s3rver), dev wallets, a market ' +
        'simulator, honest and misbehaving miners, and two validators printing weights and leaderboards',
    )
    .option('--epoch <minutes>', 'epoch length in minutes (must divide 1440)', '3')
    .option('--miners <count>', 'number of honest miners', '3')
    .option(
      '--no-misbehaving',
      'leave out every misbehaving miner: fabricator, copier, late, crasher and the in-process cheats',
    )
    .option('--port <port>', 'API port', '3000')
    .option(
      '--reset',
      'delete the devnet state (database, storage, its wallets, miner state, logs) and start over; wallets of yours in its wallet directory stay',
    )
    .action(async (options: DevnetOptions) => {
      try {
        // Loaded on use: the devnet pulls in the API server and the validator.
        const { runDevnet } = await import('../devnet/run-devnet.js');
        await runDevnet(options);
      } catch (error) {
        exitWith(error);
      }
    });
}

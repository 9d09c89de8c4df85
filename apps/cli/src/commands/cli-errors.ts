import { type Command } from 'commander';
import { WalletError } from '@resi/core';

/**
 * Runs a command's work and turns a {@link WalletError} (missing, encrypted or damaged keyfile)
 * into a one-line message and exit code 1: those messages already say what to do, and a stack
 * trace would bury them. Anything else is a bug and propagates as is.
 */
export async function reportingWalletErrors(command: Command, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof WalletError) {
      // The message is complete; the command's full help after it would only push it off screen.
      command.showHelpAfterError(false);
      command.error(`error: ${error.message}`, { exitCode: 1, code: 'resi.wallet' });
    }
    throw error;
  }
}

/** The line after a usage or option error: see `resi miner --help`. */
export function helpHint(commandPath: string): string {
  return `see \`${commandPath} --help\``;
}

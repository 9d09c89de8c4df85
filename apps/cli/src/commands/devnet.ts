import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseApiEnv, startApi } from '@resi/api';
import { createDevWallet, loadWallet, type MetagraphFile, scaledEpochConfig } from '@resi/core';
import type { Command } from 'commander';
import { exitWith, printBanner } from './api.js';

interface DevnetOptions {
  epoch: string;
  miners: string;
  port: string;
  reset?: boolean;
}

export interface DevnetAccount {
  name: string;
  role: 'validator' | 'miner';
  hotkey: string;
  coldkey: string;
}

/**
 * Makes (once) the btcli-format dev wallets of a local devnet and writes the metagraph file that
 * registers them: validators with a permit and stake, miners without.
 */
export async function prepareDevnetAccounts(home: string, miners: number, validators = 2): Promise<DevnetAccount[]> {
  const walletPath = join(home, 'wallets');
  const wanted = [
    ...Array.from({ length: validators }, (_, i) => ({
      name: `devnet-validator-${i + 1}`,
      role: 'validator' as const,
    })),
    ...Array.from({ length: miners }, (_, i) => ({ name: `devnet-miner-${i + 1}`, role: 'miner' as const })),
  ];
  const accounts: DevnetAccount[] = [];
  for (const { name, role } of wanted) {
    const location = { path: walletPath, name, hotkey: 'default' };
    if (!existsSync(join(walletPath, name, 'hotkeys', 'default'))) await createDevWallet(location);
    const wallet = await loadWallet(location);
    accounts.push({ name, role, hotkey: wallet.hotkey.address, coldkey: wallet.coldkeyAddress });
  }
  const metagraph: MetagraphFile = {
    netuid: 46,
    neurons: accounts.map((account, uid) => ({
      uid,
      hotkey: account.hotkey,
      coldkey: account.coldkey,
      validatorPermit: account.role === 'validator',
      stake: account.role === 'validator' ? 10_000 : 10,
    })),
  };
  writeFileSync(join(home, 'metagraph.json'), JSON.stringify(metagraph, null, 2) + '\n');
  return accounts;
}

/** `resi devnet`: the subnet on one machine, on embedded defaults (PGlite, memory, generated wallets). */
export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description('run a local devnet on embedded defaults: API (PGlite, in-memory limits), dev wallets, metagraph file')
    .option('--epoch <minutes>', 'epoch length in minutes (must divide 1440)', '3')
    .option('--miners <count>', 'number of dev miner wallets to register', '3')
    .option('--port <port>', 'API port', '3000')
    .option('--reset', 'delete the devnet state (RESI_HOME) and start over')
    .action(async (options: DevnetOptions) => {
      try {
        const home = resolve(process.env.RESI_HOME ?? '.resi');
        if (options.reset && existsSync(home)) {
          // Guard against a RESI_HOME pointing somewhere precious.
          if (!basename(home).startsWith('.resi')) throw new Error(`refusing to delete ${home}: not a .resi directory`);
          rmSync(home, { recursive: true, force: true });
        }
        mkdirSync(home, { recursive: true });
        const accounts = await prepareDevnetAccounts(home, Number(options.miners));
        const schedule = scaledEpochConfig(Number(options.epoch));
        const config = parseApiEnv({
          ...process.env,
          RESI_HOME: home,
          METAGRAPH_FILE: join(home, 'metagraph.json'),
          PORT: options.port,
          EPOCH_DURATION_MINUTES: String(schedule.durationMinutes),
          EPOCH_PENDING_LEAD_MINUTES: String(schedule.pendingLeadMinutes),
          EPOCH_VALIDATION_WINDOW_MINUTES: String(schedule.validationWindowMinutes),
          EPOCH_GRACE_MINUTES: String(schedule.graceMinutes),
        });
        const api = await startApi(config);
        printBanner(api.url);
        const miner = accounts.find((a) => a.role === 'miner');
        console.log(
          `\nDevnet state in ${home} (wallets, metagraph.json, embedded database). Epochs last ${options.epoch} min.`,
        );
        console.log('Accounts:');
        for (const a of accounts) console.log(`  ${a.name.padEnd(20)} ${a.role.padEnd(9)} hotkey ${a.hotkey}`);
        if (miner) {
          console.log('\nSign a request as a miner and fetch the current assignment:');
          console.log(`  ts=$(date +%s)`);
          console.log(
            `  sig=$(npx resi sign "zipcode:assignment:current:$ts" --wallet.path ${join(home, 'wallets')} --wallet.name ${miner.name})`,
          );
          console.log(
            `  curl "${api.url}/api/v1/zipcode-assignments/current?hotkey=${miner.hotkey}&signature=$sig&timestamp=$ts"`,
          );
        }
        console.log('\nMiners, validators and the market simulator join the devnet in later releases. Ctrl-C stops.');
        const stop = () => void api.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (error) {
        exitWith(error);
      }
    });
}

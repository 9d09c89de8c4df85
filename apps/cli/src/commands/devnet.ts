import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseApiEnv, startApi } from '@resi/api';
import { createDevWallet, loadWallet, type MetagraphFile, scaledEpochConfig } from '@resi/core';
import type { Command } from 'commander';
import { type MarketSimulator, startMarketSimulator } from '../devnet/market-simulator.js';
import { supervise } from '../devnet/supervisor.js';
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

/** The command line of a devnet miner: the real `resi miner`, pointed at the API and the simulator. */
function minerArgs(apiUrl: string, home: string, name: string, market: MarketSimulator): string[] {
  return [
    'miner',
    '--api.url',
    apiUrl,
    '--wallet.path',
    join(home, 'wallets'),
    '--wallet.name',
    name,
    '--wallet.hotkey',
    'default',
    '--source',
    'realtor',
    '--realtor.url',
    market.graphqlUrl,
    '--realtor.suggest-url',
    market.suggestUrl,
    '--source.rpm',
    '0',
    '--source.concurrency',
    '4',
    '--poll',
    '5',
    '--state.dir',
    join(home, 'miners', name),
    '--log.format',
    'json',
  ];
}

/** What a devnet keeps in RESI_HOME; `--reset` removes these and nothing else (e.g. test services). */
const DEVNET_STATE = ['db', 's3', 'wallets', 'metagraph.json', 'zipcode-secret', 'miners', 'validators', 'logs'];

function resetDevnet(home: string): void {
  for (const entry of DEVNET_STATE) rmSync(join(home, entry), { recursive: true, force: true });
}

/** `resi devnet`: the subnet on one machine, on embedded defaults (PGlite, memory, generated wallets). */
export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description(
      'run a local devnet on embedded defaults: API (PGlite, memory, s3rver), dev wallets, a market simulator and miners',
    )
    .option('--epoch <minutes>', 'epoch length in minutes (must divide 1440)', '3')
    .option('--miners <count>', 'number of dev miner wallets to register', '3')
    .option('--port <port>', 'API port', '3000')
    .option('--reset', 'delete the devnet state (database, storage, wallets, miner state, logs) and start over')
    .action(async (options: DevnetOptions) => {
      try {
        const home = resolve(process.env.RESI_HOME ?? '.resi');
        if (options.reset) resetDevnet(home);
        mkdirSync(home, { recursive: true });
        const accounts = await prepareDevnetAccounts(home, Number(options.miners));
        const schedule = scaledEpochConfig(Number(options.epoch));
        const config = parseApiEnv({
          // A devnet epoch is minutes long: a smaller market keeps every miner's work light.
          EPOCH_TARGET_LISTINGS: '2000',
          // Every devnet program calls from 127.0.0.1, so the per-IP stats limit would be shared.
          RATE_LIMIT_STATS_PER_MINUTE: '6000',
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
        const market = await startMarketSimulator({ lookup: (zip) => api.deps.catalogue.get(zip) });
        const say = (line: string) => console.log(`[devnet] ${line}`);
        const logDir = join(home, 'logs');
        const miners = accounts
          .filter((a) => a.role === 'miner')
          .map((a) => supervise(a.name, minerArgs(api.url, home, a.name, market), logDir, say));
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
        console.log(`\nMarket simulator (realtor.com format) on ${market.url}.`);
        console.log(`${miners.length} miners mine it with the real realtor adapter; their logs are in ${logDir}.`);
        console.log('Validators join the devnet in a later release. Ctrl-C stops everything.');
        const stop = () =>
          void (async () => {
            await Promise.all(miners.map((m) => m.stop()));
            await market.close();
            await api.close();
            process.exit(0);
          })();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (error) {
        exitWith(error);
      }
    });
}

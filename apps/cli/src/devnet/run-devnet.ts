import { setTimeout as delay } from 'node:timers/promises';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseApiEnv, startApi } from '@resi/api';
import { type MetagraphFile, createDevWallet, epochAt, loadWallet, nextEpochId, scaledEpochConfig } from '@resi/core';
import { WorkStore } from '@resi/miner';
import { printBanner } from '../commands/api.js';
import { MARKET_ADVERSARIES, type MarketAdversary, startAdversary } from './adversaries.js';
import { startCopier } from './copier.js';
import { type Disruption, crashMidEpoch, stallPastDeadline } from './disruptions.js';
import { watchLeaderboards } from './leaderboard-watch.js';
import { type RealtorEndpoints, devnetMarketDrift, startMarketSimulator } from './market-simulator.js';
import type { MinerActor } from './miner-actor.js';
import { narrator, resumedLine } from './narration.js';
import { type SupervisedProgram, supervise } from './supervisor.js';

export interface DevnetOptions {
  epoch: string;
  miners: string;
  port: string;
  reset?: boolean;
  misbehaving: boolean;
}

/**
 * The parts devnet accounts play: validators; honest miners; and the misbehaving miners the
 * validators must handle — a fabricator (invents listings, honeypots included), a copier
 * (re-uploads an honest miner's rows later), a late miner (stalls past the deadline, uploads in
 * grace), a crasher (killed mid-collection every epoch, resumes from its state), and the
 * adversaries that know the protocol (`adversaries.ts`): a knowing fabricator (real rows plus
 * invented ones, honeypots avoided), a padder (fills zipcodes up to their estimates), a sybil trio
 * (one dataset under three hotkeys, free fields perturbed), an overclaimer (reports more listings
 * than it uploads) and an outsider (adds zipcodes it was not assigned).
 */
export type DevnetRole =
  | 'validator'
  | 'honest'
  | 'fabricator'
  | 'copier'
  | 'late'
  | 'crasher'
  | MarketAdversary
  /** A wallet the operator made in the devnet's wallet directory: registered, run by nobody but them. */
  | 'yours';

export interface DevnetAccount {
  name: string;
  role: DevnetRole;
  hotkey: string;
  coldkey: string;
  /** The wallet was made by this start (false: reused from an earlier run). */
  created: boolean;
}

const MISBEHAVING: readonly { name: string; role: DevnetRole }[] = [
  { name: 'devnet-fabricator', role: 'fabricator' },
  { name: 'devnet-copier', role: 'copier' },
  { name: 'devnet-late', role: 'late' },
  { name: 'devnet-crasher', role: 'crasher' },
  { name: 'devnet-knowing-fabricator', role: 'knowing-fabricator' },
  { name: 'devnet-padder', role: 'padder' },
  { name: 'devnet-sybil-1', role: 'sybil' },
  { name: 'devnet-sybil-2', role: 'sybil' },
  { name: 'devnet-sybil-3', role: 'sybil' },
  { name: 'devnet-overclaimer', role: 'overclaimer' },
  { name: 'devnet-outsider', role: 'outsider' },
];

/**
 * Makes (once) the btcli-format dev wallets of a local devnet and writes the metagraph file that
 * registers them (validators with a permit and stake, miners without) and the label file that
 * names them by wallet on the dashboard.
 */
export async function prepareDevnetAccounts(
  home: string,
  options: { honestMiners: number; misbehaving: boolean; validators?: number },
): Promise<DevnetAccount[]> {
  const walletPath = join(home, 'wallets');
  const wanted = [
    ...Array.from({ length: options.validators ?? 2 }, (_, i) => ({
      name: `devnet-validator-${i + 1}`,
      role: 'validator' as const,
    })),
    ...Array.from({ length: options.honestMiners }, (_, i) => ({
      name: `devnet-miner-${i + 1}`,
      role: 'honest' as const,
    })),
    ...(options.misbehaving ? MISBEHAVING : []),
    ...operatorWallets(walletPath).map((name) => ({ name, role: 'yours' as const })),
  ];
  const accounts: DevnetAccount[] = [];
  for (const { name, role } of wanted) {
    const location = { path: walletPath, name, hotkey: 'default' };
    const created = !existsSync(join(walletPath, name, 'hotkeys', 'default'));
    if (created) await createDevWallet(location);
    const wallet = await loadWallet(location);
    accounts.push({ name, role, hotkey: wallet.hotkey.address, coldkey: wallet.coldkeyAddress, created });
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
  // The dashboard names devnet accounts by wallet, through the API's operator label file.
  const labels = Object.fromEntries(accounts.map((account) => [account.hotkey, account.name]));
  writeFileSync(join(home, 'labels.json'), JSON.stringify(labels, null, 2) + '\n');
  return accounts;
}

/**
 * The wallets an operator made in the devnet's wallet directory to run a miner of their own
 * against it (any name not starting `devnet-`, with a `default` hotkey), by name. The devnet
 * registers them as miners and runs no program for them.
 */
export function operatorWallets(walletPath: string): string[] {
  if (!existsSync(walletPath)) return [];
  return readdirSync(walletPath, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('devnet-'))
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(walletPath, name, 'hotkeys', 'default')))
    .sort();
}

/**
 * API settings the devnet never takes from the environment or `.env`: a `.env` written for a
 * production API (its PostgreSQL, Redis, S3 bucket, chain metagraph, public address) must not put
 * a devnet's three-minute epochs and dev wallets there. The devnet always runs on its embedded
 * stores and metagraph file, on loopback.
 */
export const DEVNET_IGNORED_ENV = [
  'DATABASE_URL',
  'REDIS_URL',
  'S3_ENDPOINT',
  'METAGRAPH_SOURCE',
  'HOST',
  'NODE_ENV',
] as const;

/** The environment the devnet's API reads: `env` without `DEVNET_IGNORED_ENV`, and which were set. */
export function devnetApiEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; ignored: string[] } {
  const kept = { ...env };
  const ignored: string[] = [];
  for (const name of DEVNET_IGNORED_ENV) {
    if (kept[name] !== undefined && kept[name] !== '') ignored.push(name);
    delete kept[name];
  }
  return { env: kept, ignored };
}

const walletArgs = (home: string, name: string) => [
  '--wallet.path',
  join(home, 'wallets'),
  '--wallet.name',
  name,
  '--wallet.hotkey',
  'default',
];

const realtorArgs = (endpoints: RealtorEndpoints) => [
  '--source',
  'realtor',
  '--realtor.url',
  endpoints.graphqlUrl,
  '--realtor.suggest-url',
  endpoints.suggestUrl,
  '--source.rpm',
  '0',
];

/** The command line of a devnet miner: the real `resi miner`, pointed at the API and the simulator. */
function minerArgs(apiUrl: string, home: string, name: string, endpoints: RealtorEndpoints, concurrency: number) {
  return [
    'miner',
    '--api.url',
    apiUrl,
    ...walletArgs(home, name),
    ...realtorArgs(endpoints),
    '--source.concurrency',
    String(concurrency),
    '--poll',
    '5',
    '--state.dir',
    join(home, 'miners', name),
    '--log.format',
    'json',
  ];
}

/** The command line of a devnet validator: the real `resi validator`, weights printed, not sent. */
function validatorArgs(apiUrl: string, home: string, name: string, endpoints: RealtorEndpoints) {
  return [
    'validator',
    '--api.url',
    apiUrl,
    ...walletArgs(home, name),
    ...realtorArgs(endpoints),
    '--no-set-weights',
    '--poll',
    '5',
    '--state.dir',
    join(home, 'validators', name),
    '--log.format',
    'json',
  ];
}

/**
 * How to run a miner of one's own against the devnet: the devnet's own wallets are mined by its
 * programs (a second miner on one of them would overwrite that miner's upload), so the operator
 * makes a wallet in the devnet's wallet directory, which the next start registers.
 */
export function ownMinerHint(
  home: string,
  apiUrl: string,
  market: RealtorEndpoints,
  yours: readonly DevnetAccount[],
  restart = 'npm start',
): string {
  const wallets = join(home, 'wallets');
  const name = yours[0]?.name ?? 'my-miner';
  const miner =
    `  npx resi miner --api.url ${apiUrl} --wallet.path ${wallets} --wallet.name ${name} ` +
    `--realtor.url ${market.graphqlUrl} --realtor.suggest-url ${market.suggestUrl} --source.rpm 0`;
  if (yours.length === 0)
    return (
      `\nRun a miner of your own against this devnet (the devnet-* wallets are its programs'): make a wallet here,\n` +
      `  npx resi keys create --wallet.path ${wallets} --wallet.name ${name}\n` +
      `then restart the devnet (Ctrl-C, ${restart}), which registers it, and run:\n${miner}`
    );
  return (
    `\nYour wallets, registered and run by no devnet program: ${yours.map((a) => a.name).join(', ')}. Mine with one:\n` +
    miner
  );
}

/** How long the devnet's programs may take to start before they can mine (see `runDevnet`). */
const PROGRAM_START_UP_MS = 25_000;

/** What a devnet keeps in RESI_HOME; `--reset` removes these and nothing else (e.g. test services). */
const DEVNET_STATE = [
  'db',
  's3',
  'wallets',
  'metagraph.json',
  'labels.json',
  'zipcode-secret',
  'miners',
  'validators',
  'logs',
];

/** The devnet's numeric options, checked; each refusal names the flag and gives an example. */
export function checkDevnetOptions(options: Pick<DevnetOptions, 'epoch' | 'miners' | 'port'>): {
  honestMiners: number;
  schedule: ReturnType<typeof scaledEpochConfig>;
} {
  const whole = (value: string) => (/^\d+$/.test(value.trim()) ? Number(value) : Number.NaN);
  const honestMiners = whole(options.miners);
  if (!(honestMiners >= 1)) throw new Error(`--miners ${options.miners}: must be a whole number of at least 1, e.g. 3`);
  const port = whole(options.port);
  if (!(port >= 1 && port <= 65_535))
    throw new Error(`--port ${options.port}: must be a port number from 1 to 65535, e.g. 3000`);
  const minutes = whole(options.epoch);
  if (Number.isNaN(minutes))
    throw new Error(`--epoch ${options.epoch}: must be a whole number of minutes that divides 1440, e.g. 3`);
  try {
    return { honestMiners, schedule: scaledEpochConfig(minutes) };
  } catch (error) {
    throw new Error(`--epoch ${options.epoch}: ${(error as Error).message}`);
  }
}

/**
 * What a devnet that cannot start says: the API's own advice for an embedded database held by
 * another process (set DATABASE_URL) does not apply to a devnet, which ignores it; another devnet
 * runs from the same state.
 */
export function devnetStartError(error: unknown, home: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const holder = /embedded database in .* is in use by process (\d+)/.exec(message)?.[1];
  if (holder === undefined) return error instanceof Error ? error : new Error(message);
  return new Error(
    `another devnet (process ${holder}) runs from ${home}: stop it first (Ctrl-C where it runs, or kill ${holder}), ` +
      'or run a second one from another directory or with RESI_HOME=<dir>, and another --port',
  );
}

/** Removes the devnet's state; an operator's own wallets (`operatorWallets`) are theirs and stay. */
export function resetDevnet(home: string): void {
  const wallets = join(home, 'wallets');
  const kept = new Set(operatorWallets(wallets));
  for (const entry of DEVNET_STATE) {
    if (entry === 'wallets' && kept.size > 0) {
      for (const name of readdirSync(wallets))
        if (!kept.has(name)) rmSync(join(wallets, name), { recursive: true, force: true });
    } else rmSync(join(home, entry), { recursive: true, force: true });
  }
}

/** Runs the devnet until Ctrl-C; `resi devnet` loads this module only when it runs. */
export async function runDevnet(options: DevnetOptions): Promise<void> {
  const home = resolve(process.env.RESI_HOME ?? '.resi');
  if (options.reset) resetDevnet(home);
  mkdirSync(home, { recursive: true });
  const { honestMiners, schedule } = checkDevnetOptions(options);
  const accounts = await prepareDevnetAccounts(home, { honestMiners, misbehaving: options.misbehaving });
  // New when the devnet made all of its own wallets now (an operator's wallet made first does not count).
  const fresh = accounts.every((a) => a.created || a.role === 'yours');
  const apiEnv = devnetApiEnv(process.env);
  if (apiEnv.ignored.length > 0)
    console.log(
      `resi devnet: ignoring ${apiEnv.ignored.join(', ')} (environment or .env): the devnet always runs on its ` +
        `embedded database, memory, embedded storage and metagraph file, on 127.0.0.1`,
    );
  const config = parseApiEnv({
    // A devnet epoch is minutes long: a smaller market keeps every miner's work light.
    EPOCH_TARGET_LISTINGS: '2000',
    // Every devnet program calls from 127.0.0.1, so the per-IP stats limit would be shared.
    RATE_LIMIT_STATS_PER_MINUTE: '6000',
    // The devnet's own lines and leaderboards are what to read; LOG_LEVEL=info shows the API's too.
    LOG_LEVEL: 'warn',
    ...apiEnv.env,
    RESI_HOME: home,
    METAGRAPH_FILE: join(home, 'metagraph.json'),
    LABELS_FILE: join(home, 'labels.json'),
    PORT: options.port,
    EPOCH_DURATION_MINUTES: String(schedule.durationMinutes),
    EPOCH_PENDING_LEAD_MINUTES: String(schedule.pendingLeadMinutes),
    EPOCH_VALIDATION_WINDOW_MINUTES: String(schedule.validationWindowMinutes),
    EPOCH_GRACE_MINUTES: String(schedule.graceMinutes),
  });
  const api = await startApi(config).catch((error: unknown) => {
    throw devnetStartError(error, home);
  });
  printBanner(api.url);
  const epochMs = schedule.durationMinutes * 60_000;
  const lookup = (zip: string) => api.deps.catalogue.get(zip);
  const market = await startMarketSimulator({
    lookup,
    // The simulation's market drift at this devnet's epoch length: honest miners scraping at
    // different instants collect slightly different data.
    drift: devnetMarketDrift(schedule.durationMinutes, schedule.validationWindowMinutes),
    // Validators scoring an epoch seconds apart see the market as it stood at the epoch boundary.
    verificationStepMs: epochMs,
    // The slow source keeps the late miner and the crasher mid-collection for a fair part of the epoch.
    slowDelayMs: Math.round(epochMs / 600),
  });
  const say = narrator(
    () => epochAt(new Date(), schedule).id,
    (line) => console.log(line),
  );
  const logDir = join(home, 'logs');
  const named = (role: DevnetRole) => accounts.filter((a) => a.role === role);
  const stateOf = (name: string) => join(home, 'miners', name);
  const programs: SupervisedProgram[] = [];
  const disruptions: Disruption[] = [];
  /** The misbehaving miners played in-process (copier, sybils, ...): cheap, no process each. */
  const actors: MinerActor[] = [];

  // A new devnet joins at an epoch start when most of the current one is gone, so its first
  // leaderboard judges whole epochs; a resumed one carries on at once (miners resume their state).
  // Most means half, and the programs' start-up on top: eight Node processes starting at once take
  // 20 s or more on a busy 2-core machine, which a one-minute epoch cannot spare.
  const current = epochAt(new Date(), schedule);
  const leftMs = current.end.getTime() - Date.now();
  const joinAtNextEpoch = fresh && leftMs < epochMs / 2 + PROGRAM_START_UP_MS;
  const firstEpochId = !fresh ? undefined : joinAtNextEpoch ? nextEpochId(current.id, schedule) : current.id;
  const validators = named('validator');
  const leaderboards = await watchLeaderboards({
    validators: validators.map((v) => ({ name: v.name, resultsDir: join(home, 'validators', v.name, 'results') })),
    cast: new Map(accounts.map((a) => [a.hotkey, { name: a.name, role: a.role }])),
    ...(firstEpochId ? { fromEpochId: firstEpochId } : {}),
    print: (text) => console.log(text),
  });

  // What starts this devnet again: `npm start`, with the port when it is not the default.
  const restart = options.port === '3000' ? 'npm start' : `npm start -- --port ${options.port}`;
  let stopping = false;
  const waiting = new AbortController();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    waiting.abort();
    say('stopping…');
    void (async () => {
      leaderboards.stop();
      for (const disruption of disruptions) disruption.stop();
      await Promise.all([...programs.map((p) => p.stop()), ...actors.map((a) => a.stop())]);
      await market.close();
      await api.close();
      say(
        `stopped; \`${restart}\` resumes this devnet, \`${restart}${options.port === '3000' ? ' --' : ''} --reset\` starts over`,
      );
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  console.log(`\nDevnet state in ${home}. Epochs last ${options.epoch} min (grace ${schedule.graceMinutes} min).`);
  if (!fresh) {
    const miners = accounts.filter((a) => a.role !== 'validator' && a.role !== 'yours');
    const minerEpochs = new Map<string, string | undefined>();
    for (const a of miners) minerEpochs.set(a.name, (await new WorkStore(stateOf(a.name)).epochIds()).at(-1));
    say(
      resumedLine({
        home,
        reused: accounts.filter((a) => !a.created).map((a) => a.name),
        created: accounts.filter((a) => a.created).map((a) => a.name),
        minerEpochs,
      }),
    );
  }
  console.log('Accounts:');
  const nameWidth = Math.max(...accounts.map((a) => a.name.length));
  const roleWidth = Math.max(...accounts.map((a) => a.role.length));
  for (const a of accounts) console.log(`  ${a.name.padEnd(nameWidth)} ${a.role.padEnd(roleWidth)} hotkey ${a.hotkey}`);
  const miner = named('honest')[0]!;
  console.log('\nSign a request as a miner and fetch the current assignment:');
  console.log(`  ts=$(date +%s)`);
  console.log(
    `  sig=$(npx resi sign "zipcode:assignment:current:$ts" --wallet.path ${join(home, 'wallets')} --wallet.name ${miner.name})`,
  );
  console.log(
    `  curl "${api.url}/api/v1/zipcode-assignments/current?hotkey=${miner.hotkey}&signature=$sig&timestamp=$ts"`,
  );
  console.log(`\nMarket simulator (realtor.com format) on ${market.url}; program logs in ${logDir}.`);
  console.log(ownMinerHint(home, api.url, market.endpoints('market'), named('yours'), restart));
  console.log(
    `Dashboard: ${api.url}/ · each epoch's leaderboard prints here once the validators have scored it ` +
      `(after the epoch and its ${schedule.graceMinutes} min grace). Ctrl-C stops everything; ${restart} resumes.`,
  );

  if (joinAtNextEpoch) {
    say(
      `epoch ${current.id} ends in ${Math.ceil(leftMs / 1000)} s: the miners and validators join at the next ` +
        `one (${firstEpochId}), so the first leaderboard judges a whole epoch`,
    );
    await delay(leftMs, undefined, { signal: waiting.signal }).catch(() => undefined);
    if (stopping) return;
  }

  const run = (name: string, args: string[]) => {
    const program = supervise(name, args, logDir, say);
    programs.push(program);
    return program;
  };
  for (const miner of named('honest'))
    run(miner.name, minerArgs(api.url, home, miner.name, market.endpoints('market'), 4));
  for (const miner of named('fabricator'))
    run(miner.name, minerArgs(api.url, home, miner.name, market.endpoints('fabricated'), 4));
  for (const miner of named('late')) {
    const program = run(miner.name, minerArgs(api.url, home, miner.name, market.endpoints('slow'), 1));
    disruptions.push(stallPastDeadline(program, stateOf(miner.name), (schedule.graceMinutes * 60_000) / 4, say));
  }
  for (const miner of named('crasher')) {
    const program = run(miner.name, minerArgs(api.url, home, miner.name, market.endpoints('slow'), 1));
    disruptions.push(crashMidEpoch(program, stateOf(miner.name), say));
  }
  // In-process actors take their turn once devnet-miner-1 has uploaded; sybils after the first
  // re-upload the first one's dataset.
  const actorOptions = (name: string, peer: string) => ({
    name,
    apiUrl: api.url,
    wallet: { path: join(home, 'wallets'), name, hotkey: 'default' },
    stateDir: stateOf(name),
    peer: { name: peer, stateDir: stateOf(peer) },
    say,
  });
  const victim = named('honest')[0]!;
  for (const copier of named('copier')) actors.push(await startCopier(actorOptions(copier.name, victim.name)));
  const world = { market: market.market, lookup, catalogue: api.deps.catalogue.zipcodes };
  for (const role of MARKET_ADVERSARIES) {
    const cast = named(role);
    for (const [place, adversary] of cast.entries()) {
      const peer = role === 'sybil' && place > 0 ? cast[0]!.name : victim.name;
      actors.push(await startAdversary(role, actorOptions(adversary.name, peer), world, place));
    }
  }
  for (const validator of validators)
    run(validator.name, validatorArgs(api.url, home, validator.name, market.endpoints('verify')));
  say(`${programs.length} programs started${firstEpochId ? `; the first leaderboard is epoch ${firstEpochId}'s` : ''}`);
}

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CredibilityState,
  EMPTY_CREDIBILITY,
  type StoredObject,
  type ValidationResultsFile,
  auditedZipcodes,
} from '@resi/core';
import { LocalObjectFetcher, type ObjectFetcher, TransientFetchError } from '../download/object-fetcher.js';
import { scoreEpochSubmissions } from '../pipeline/score-epoch.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { DEFAULT_MARKET_DRIFT, SimulatedMarket } from './market.js';
import { type SimRole, simulationCast } from './miners.js';
import { randomOf } from './random.js';
import {
  type SimEpoch,
  type UploadPlan,
  auditInstantOf,
  simEpochAt,
  simEpochResponse,
  simHotkey,
  simSourceFeeds,
  simSubmissionsResponse,
  writePlannedUpload,
} from './sim-epoch.js';

/**
 * The adversarial simulation (`npm run sim`): a market that drifts, honest miners scraping it
 * independently, the adversaries, and one validator running the real pipeline
 * (`scoreEpochSubmissions`: Parquet written with core's writer, downloaded through an object
 * fetcher, scanned with DuckDB, verified through production's source feeds against the market as it
 * stands after the grace period: its homes for sale and its listings closed since the epoch began)
 * epoch after epoch. Each adversary is run a second time as its honest self (its counterfactual)
 * with everything else unchanged, and the whole run once more without faults, so a fault's cost
 * to honest miners can be read off. Everything follows from the seed.
 */

export interface SimulationOptions {
  readonly seed: string;
  readonly epochs: number;
  readonly honestMiners: number;
  /** One knowing fabricator per share of invented rows. */
  readonly fabricatedShares: readonly number[];
  readonly realZipcodes: number;
  readonly emptyZipcodes: number;
  /** Real zipcodes assigned per epoch; plus `honeypotsPerEpoch` empty ones. */
  readonly zipcodesPerEpoch: number;
  readonly honeypotsPerEpoch: number;
  /** The epoch whose verification source is down, and the one where an honest miner's download fails. */
  readonly sourceDownEpoch: number | null;
  readonly downloadFailureEpoch: number | null;
  readonly listingsPerZipcode?: readonly [number, number];
  /** Scratch space for the bucket and the validator's downloads. */
  readonly workDirectory: string;
  /**
   * `each` (default): one run per adversary role playing honest, everything else unchanged (its
   * counterfactual). `together`: one run where every adversary plays honest at once, a cheaper
   * yardstick for the tests (honest competitors then share what the cheats lost).
   */
  readonly counterfactuals?: 'each' | 'together';
  /** Runs scored at once. */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}

export const FULL_SIMULATION = {
  epochs: 20,
  honestMiners: 3,
  fabricatedShares: [0.05, 0.25],
  realZipcodes: 30,
  emptyZipcodes: 8,
  zipcodesPerEpoch: 8,
  honeypotsPerEpoch: 1,
  sourceDownEpoch: 6,
  downloadFailureEpoch: 11,
} as const;

/** The honest miner whose download fails in the download-failure epoch. */
export const DOWNLOAD_FAULT_VICTIM = 'honest-2';

/**
 * Reasons that accuse a miner of something. Anything else in a results file (an overlap with an
 * earlier upload, an abstention for a fault on the validator's side) is information, not a flag.
 */
export const FINDING_CODES: ReadonlySet<string> = new Set([
  'honeypot_listings',
  'fabricated_listings',
  'late_upload',
  'listings_claim_exceeds_rows',
  'no_valid_listings',
  'invalid_listings',
  'modified_after_grace',
]);

/** What one epoch's results say of one hotkey. */
export interface MinerEpochRecord {
  /** Its share of the weights after the epoch (of the credibility vector, by default). */
  readonly share: number;
  /** Its credibility (the moving average weights come from) before and after the epoch. */
  readonly credibilityBefore: number;
  readonly credibilityAfter: number;
  readonly outcome: string;
  /** The reasons that flag it (outcome honeypot/fabricated/rejected, or a finding code). */
  readonly flags: readonly string[];
}

export interface EpochRecord {
  readonly index: number;
  readonly id: string;
  readonly miners: ReadonlyMap<string, MinerEpochRecord>;
  /**
   * Audited rows (distinct, every miner's) verified among the listings that closed since the
   * epoch began: real listings that went off the market between a scrape and the audit.
   */
  readonly rowsVerifiedClosed: number;
}

/** The weight each hotkey gets from one epoch's results, before normalisation and burn. */
export type WeightRule = (file: ValidationResultsFile) => ReadonlyMap<string, number>;

/**
 * The weights a validator sets (PROTOCOL.md §8, `credibilityByUid`): every hotkey's credibility
 * after the epoch, the moving average of its reward shares across epochs, whether it uploaded this
 * epoch or its credibility was carried.
 */
export const credibilityWeights: WeightRule = (file) =>
  new Map([
    ...Object.entries(file.credibility.carried).map(([hotkey, credibility]) => [hotkey, credibility.after] as const),
    ...Object.entries(file.validation_results).map(([hotkey, result]) => [hotkey, result.credibility.after] as const),
  ]);

/** Weights from the epoch alone (what validators set before credibility): each miner's reward. */
export const epochRewardWeights: WeightRule = (file) =>
  new Map(Object.entries(file.validation_results).map(([hotkey, result]) => [hotkey, result.weight]));

function flagsOf(result: ValidationResultsFile['validation_results'][string]): string[] {
  const flags = result.reasons.map((reason) => reason.code).filter((code) => FINDING_CODES.has(code));
  if (result.outcome !== 'scored' && (result.outcome as string) !== 'abstained') {
    const codes = result.reasons.map((reason) => reason.code);
    for (const code of codes.length > 0 ? codes : [result.outcome]) if (!flags.includes(code)) flags.push(code);
  }
  return flags;
}

/** Fails every download of `hotkey`'s listings files as a network outage would, whatever the retries. */
class FailingDownloads implements ObjectFetcher {
  constructor(
    private readonly inner: ObjectFetcher,
    private readonly hotkey: string,
  ) {}

  open(object: StoredObject, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    if (object.key.includes(`hotkey=${this.hotkey}/`) && object.key.endsWith('.parquet')) {
      return Promise.reject(new TransientFetchError(`GET ${object.key} failed: connect ECONNRESET`));
    }
    return this.inner.open(object, signal);
  }
}

/** The zipcodes of epoch `index`: real ones and honeypots, drawn from the seed. */
function assignmentOf(options: SimulationOptions, market: SimulatedMarket, index: number): SimEpoch['zipcodes'] {
  const random = randomOf(`${options.seed}:assignment:${index}`);
  const real = random.shuffle(market.zipcodes.filter((zipcode) => !zipcode.empty)).slice(0, options.zipcodesPerEpoch);
  const honeypots = random
    .shuffle(market.zipcodes.filter((zipcode) => zipcode.empty))
    .slice(0, options.honeypotsPerEpoch);
  return [...real, ...honeypots]
    .map((zipcode) => ({ zipcode: zipcode.zipcode, expectedListings: zipcode.estimate, isHoneypot: zipcode.empty }))
    .sort((a, b) => (a.zipcode < b.zipcode ? -1 : 1));
}

const FIRST_EPOCH_START_MS = Date.parse('2026-03-02T00:00:00Z');

export function marketOf(options: SimulationOptions): SimulatedMarket {
  return new SimulatedMarket({
    seed: options.seed,
    realZipcodes: options.realZipcodes,
    emptyZipcodes: options.emptyZipcodes,
    ...DEFAULT_MARKET_DRIFT,
    ...(options.listingsPerZipcode ? { listingsPerZipcode: options.listingsPerZipcode } : {}),
    fromMs: FIRST_EPOCH_START_MS,
    untilMs: FIRST_EPOCH_START_MS + (options.epochs + 1) * 4 * 3_600_000,
  });
}

/** One run of the simulation: every epoch scored, with the `honestRoles` playing honest. */
export async function runEpochs(
  options: SimulationOptions,
  run: {
    readonly name: string;
    readonly honestRoles?: readonly string[];
    readonly faults: boolean;
    readonly weights?: WeightRule;
  },
): Promise<EpochRecord[]> {
  const market = marketOf(options);
  const cast = simulationCast(options);
  const weightRule = run.weights ?? credibilityWeights;
  // The validator's credibility state, carried from epoch to epoch as the daemon keeps it.
  let credibility: CredibilityState = EMPTY_CREDIBILITY;
  const records: EpochRecord[] = [];
  const labelOf = new Map(cast.flatMap((role) => role.labels.map((label) => [simHotkey(label), label] as const)));
  for (let index = 0; index < options.epochs; index++) {
    const epoch = simEpochAt(options.seed, index, FIRST_EPOCH_START_MS, assignmentOf(options, market, index));
    const root = join(options.workDirectory, run.name.replaceAll(/[^a-z0-9-]+/gi, '_'), epoch.id);
    const bucket = join(root, 'bucket');
    const plans = new Map<string, UploadPlan>();
    for (const role of cast) {
      for (const plan of role.plan(
        { seed: options.seed, market, epoch, plans },
        run.honestRoles?.includes(role.name) ?? false,
      )) {
        plans.set(plan.label, plan);
      }
    }
    const submissions = [];
    for (const plan of plans.values()) submissions.push(await writePlannedUpload(bucket, epoch, plan));
    // The listing above is what storage held at the grace end; the seed is revealed after it.
    const revealed = simEpochResponse(epoch);
    const audited = auditedZipcodes(
      revealed.auditSeed!,
      epoch.zipcodes.filter((zipcode) => !zipcode.isHoneypot).map((zipcode) => zipcode.zipcode),
    );
    for (const plan of plans.values()) {
      if (plan.afterReveal === undefined || !audited.includes(plan.afterReveal.ifAudited)) continue;
      const { afterReveal, ...first } = plan;
      await writePlannedUpload(bucket, epoch, {
        ...first,
        files: afterReveal.files,
        uploadedAtMs: auditInstantOf(epoch),
      });
    }
    const sourceDown = run.faults && index === options.sourceDownEpoch;
    const downloadFails = run.faults && index === options.downloadFailureEpoch;
    const local = new LocalObjectFetcher(bucket);
    const verification = simSourceFeeds(market, auditInstantOf(epoch), { down: sourceDown });
    const outcome = await scoreEpochSubmissions(
      {
        epoch: revealed,
        submissions: simSubmissionsResponse(epoch, submissions),
        validatorHotkey: simHotkey('validator'),
        credibility,
      },
      {
        workDirectory: join(root, 'work'),
        fetcher: downloadFails ? new FailingDownloads(local, simHotkey(DOWNLOAD_FAULT_VICTIM)) : local,
        verification,
        downloadLimits: { maxFileBytes: 64 * 1024 * 1024, attempts: 2, timeoutMs: 10_000 },
        duckdb: { threads: 1 },
      },
    ).finally(() => verification.close());
    await rm(root, { recursive: true, force: true });
    credibility = outcome.credibility.state;
    const weights = weightRule(outcome.file);
    const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
    const miners = new Map<string, MinerEpochRecord>();
    for (const [hotkey, result] of Object.entries(outcome.file.validation_results)) {
      const label = labelOf.get(hotkey);
      if (label === undefined) continue;
      miners.set(label, {
        share: total > 0 ? (weights.get(hotkey) ?? 0) / total : 0,
        credibilityBefore: result.credibility.before,
        credibilityAfter: result.credibility.after,
        outcome: result.outcome,
        flags: flagsOf(result),
      });
    }
    records.push({ index, id: epoch.id, miners, rowsVerifiedClosed: outcome.audit.rowsVerifiedClosed });
    options.log?.(
      `${run.name}: epoch ${index + 1}/${options.epochs} (${epoch.id}) scored: ${Object.entries(outcome.timings)
        .map(([stage, ms]: [string, number]) => `${stage} ${Math.round(ms)} ms`)
        .join(', ')}`,
    );
  }
  return records;
}

/** One role's line of the table. */
export interface RoleSummary {
  readonly role: string;
  readonly adversary: boolean;
  readonly hotkeys: number;
  /** Mean over epochs of the role's summed weight share. */
  readonly meanShare: number;
  /** The same, from the run where the role played honest; null for honest miners. */
  readonly counterfactualShare: number | null;
  /** Epochs where any of its hotkeys was flagged, and with what. */
  readonly caughtEpochs: readonly number[];
  readonly caughtFor: readonly string[];
}

/**
 * A fault epoch: each honest miner's outcome and credibility there, and its weight share there
 * and in the same epoch of the run without faults.
 */
export interface FaultSummary {
  readonly fault: 'source down' | 'download failure';
  readonly epoch: number;
  readonly honest: readonly {
    readonly label: string;
    readonly outcome: string;
    readonly credibilityBefore: number;
    readonly credibilityAfter: number;
    readonly share: number;
    readonly withoutFault: number;
  }[];
}

export interface SimulationReport {
  readonly seed: string;
  readonly epochs: number;
  readonly roles: readonly RoleSummary[];
  /** Every time an honest miner was flagged. */
  readonly honestFlags: readonly {
    readonly label: string;
    readonly epoch: number;
    readonly flags: readonly string[];
  }[];
  readonly faults: readonly FaultSummary[];
  /** Audited rows of the run with faults verified among recently closed listings, over every epoch. */
  readonly rowsVerifiedClosed: number;
  /** Every epoch of the run with faults, as the results files said it. */
  readonly main: readonly EpochRecord[];
}

const roleShare = (records: readonly EpochRecord[], role: SimRole) =>
  records.reduce(
    (sum, record) => sum + role.labels.reduce((s, label) => s + (record.miners.get(label)?.share ?? 0), 0),
    0,
  ) / Math.max(1, records.length);

/**
 * The whole simulation: the run with faults, the run without, and one run per adversary role
 * playing honest. Runs go one after another (the machine is small and DuckDB has a thread).
 */
export async function runSimulation(options: SimulationOptions, weights?: WeightRule): Promise<SimulationReport> {
  const cast = simulationCast(options);
  const withWeights = weights ? { weights } : {};
  const hasFaults = options.sourceDownEpoch !== null || options.downloadFailureEpoch !== null;
  const adversaries = [...new Set(cast.filter((role) => role.adversary).map((role) => role.name))];
  const runs = [
    { name: 'main', faults: true },
    ...(hasFaults ? [{ name: 'without faults', faults: false }] : []),
    ...(options.counterfactuals === 'together'
      ? [{ name: 'honest adversaries', honestRoles: adversaries, faults: true }]
      : adversaries.map((name) => ({ name: `honest ${name}`, honestRoles: [name], faults: true }))),
  ];
  // Runs are independent; a few at once overlap DuckDB's and the file system's waits.
  const records = await mapWithConcurrency(runs, options.concurrency ?? 3, (run) =>
    runEpochs(options, { ...run, ...withWeights }),
  );
  const main = records[0]!;
  const withoutFaults = hasFaults ? records[1]! : main;
  const roleNames = [...new Set(cast.map((role) => role.name))];
  const first = hasFaults ? 2 : 1;
  const counterfactuals = new Map(
    adversaries.map((name, index) => [name, records[first + (options.counterfactuals === 'together' ? 0 : index)]!]),
  );
  const roles = roleNames.map((name): RoleSummary => {
    const members = cast.filter((role) => role.name === name);
    const labels = members.flatMap((role) => role.labels);
    const caught = main.filter((record) => labels.some((label) => (record.miners.get(label)?.flags.length ?? 0) > 0));
    const caughtFor = [
      ...new Set(main.flatMap((record) => labels.flatMap((label) => record.miners.get(label)?.flags ?? []))),
    ].sort();
    const adversary = members[0]!.adversary;
    const counterfactual = counterfactuals.get(name);
    return {
      role: name,
      adversary,
      hotkeys: labels.length,
      meanShare: members.reduce((sum, role) => sum + roleShare(main, role), 0),
      counterfactualShare: counterfactual
        ? members.reduce((sum, role) => sum + roleShare(counterfactual, role), 0)
        : null,
      caughtEpochs: caught.map((record) => record.index),
      caughtFor: name === 'honest' ? [] : caughtFor,
    };
  });
  const honestLabels = cast.filter((role) => !role.adversary).flatMap((role) => role.labels);
  const honestFlags = main.flatMap((record) =>
    honestLabels.flatMap((label) => {
      const flags = record.miners.get(label)?.flags ?? [];
      return flags.length > 0 ? [{ label, epoch: record.index, flags }] : [];
    }),
  );
  const faults: FaultSummary[] = [];
  for (const [fault, epoch] of [
    ['source down', options.sourceDownEpoch],
    ['download failure', options.downloadFailureEpoch],
  ] as const) {
    if (epoch === null || epoch >= options.epochs) continue;
    faults.push({
      fault,
      epoch,
      honest: honestLabels.map((label) => {
        const record = main[epoch]!.miners.get(label);
        return {
          label,
          outcome: record?.outcome ?? 'absent',
          credibilityBefore: record?.credibilityBefore ?? 0,
          credibilityAfter: record?.credibilityAfter ?? 0,
          share: record?.share ?? 0,
          withoutFault: withoutFaults[epoch]!.miners.get(label)?.share ?? 0,
        };
      }),
    });
  }
  const rowsVerifiedClosed = main.reduce((sum, record) => sum + record.rowsVerifiedClosed, 0);
  return { seed: options.seed, epochs: options.epochs, roles, honestFlags, faults, rowsVerifiedClosed, main };
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

/** Epoch numbers as ranges: `0-3, 7, 9-10`. */
function epochRanges(epochs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < epochs.length;) {
    let j = i;
    while (j + 1 < epochs.length && epochs[j + 1] === epochs[j]! + 1) j++;
    parts.push(i === j ? String(epochs[i]) : `${epochs[i]}-${epochs[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The report as the text `npm run sim` prints. */
export function formatSimulationReport(report: SimulationReport): string {
  const header = [
    'role',
    'hotkeys',
    'mean weight share',
    'honest counterfactual',
    'pays?',
    'epochs caught',
    'caught for',
  ];
  const lines = report.roles.map((role) => [
    role.role,
    String(role.hotkeys),
    percent(role.meanShare),
    role.counterfactualShare === null ? '-' : percent(role.counterfactualShare),
    role.counterfactualShare === null
      ? '-'
      : role.meanShare < role.counterfactualShare || (role.meanShare === 0 && role.counterfactualShare === 0)
        ? 'no'
        : role.meanShare === role.counterfactualShare
          ? 'equal'
          : 'YES',
    role.caughtEpochs.length === 0
      ? '-'
      : `${role.caughtEpochs.length}/${report.epochs}: ${epochRanges(role.caughtEpochs)}`,
    role.caughtFor.join(', ') || '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const out = [
    `adversarial simulation: seed ${report.seed}, ${report.epochs} epochs`,
    '',
    render(header),
    ...lines.map(render),
    '',
  ];
  out.push(
    report.honestFlags.length === 0
      ? 'honest miners flagged: none'
      : `honest miners flagged: ${report.honestFlags.map((flag) => `${flag.label} in epoch ${flag.epoch} (${flag.flags.join(', ')})`).join('; ')}`,
  );
  out.push(
    `audited rows verified among listings closed since their epoch began: ${report.rowsVerifiedClosed} ` +
      `(in ${report.main.filter((record) => record.rowsVerifiedClosed > 0).length}/${report.epochs} epochs)`,
  );
  for (const fault of report.faults) {
    out.push(
      `${fault.fault} in epoch ${fault.epoch}: ${fault.honest.map((h) => `${h.label} ${h.outcome}, credibility ${h.credibilityBefore.toFixed(4)} -> ${h.credibilityAfter.toFixed(4)}, weight share ${percent(h.share)} (without the fault ${percent(h.withoutFault)})`).join('; ')}`,
    );
  }
  return out.join('\n');
}

import { open, readFile, rename, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type CredibilityState, epochIdSchema, sha256HexSchema, ss58AddressSchema } from '@resi/core';
import { z } from 'zod';

/**
 * What the validator has done for each epoch, on disk, so a restart resumes where it stopped:
 * an epoch is scored once (its results file is kept and re-used), uploaded, reported and its
 * weights handled once, and an epoch that completed while the validator was down is still
 * processed. Written atomically (temporary file, fsync, rename). It also holds each miner's
 * credibility (the moving average weights come from), saved in the same write as the epoch that
 * changed it, so a crash can neither apply an epoch twice nor lose one.
 */

/** The steps of one epoch, in order. */
export const EPOCH_STAGES = ['scored', 'uploaded', 'reported', 'done'] as const;
export type EpochStage = (typeof EPOCH_STAGES)[number];

/** How an epoch's weights were handled. */
export const WEIGHT_OUTCOMES = ['set', 'committed', 'printed', 'superseded', 'refused'] as const;
export type WeightOutcome = (typeof WEIGHT_OUTCOMES)[number];

const epochRecordSchema = z.strictObject({
  stage: z.enum(EPOCH_STAGES),
  resultsSha256: sha256HexSchema,
  /** The results file as uploaded, byte for byte. */
  resultsPath: z.string().min(1),
  minersScored: z.int().nonnegative(),
  weights: z.enum(WEIGHT_OUTCOMES).nullable(),
  /** A step that failed for good (e.g. the upload refused); the rest of the epoch goes on. */
  notes: z.array(z.string()),
  updatedAt: z.iso.datetime(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

const credibilitySchema = z.strictObject({
  lastEpochId: epochIdSchema.nullable(),
  miners: z.record(
    ss58AddressSchema,
    z.strictObject({
      ema: z.number().min(0).max(1),
      uid: z.int().nonnegative().nullable(),
      penaltyEpochsLeft: z.int().nonnegative(),
      lastEpochId: epochIdSchema,
    }),
  ),
});

const stateSchema = z.strictObject({
  version: z.literal(1),
  hotkey: ss58AddressSchema,
  /** The first epoch this validator is responsible for; older ones are history. */
  firstEpochId: epochIdSchema.nullable(),
  epochs: z.record(z.string(), epochRecordSchema),
  /** Epochs the API has no record of (no epoch was created in that slot). */
  absentEpochs: z.array(epochIdSchema),
  /** Credibility after the last scored epoch; absent in files written before it existed. */
  credibility: credibilitySchema.default({ lastEpochId: null, miners: {} }),
});
export type ValidatorState = z.infer<typeof stateSchema>;

export class ValidatorStateError extends Error {
  override readonly name = 'ValidatorStateError';
}

/** The state file of one validator hotkey. */
export class ProcessedEpochStore {
  private state: ValidatorState | undefined;

  constructor(
    readonly path: string,
    private readonly hotkey: string,
  ) {}

  /** Reads the file (a missing file is a fresh start); refuses a damaged one or another hotkey's. */
  async load(): Promise<ValidatorState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.state = {
        version: 1,
        hotkey: this.hotkey,
        firstEpochId: null,
        epochs: {},
        absentEpochs: [],
        credibility: { lastEpochId: null, miners: {} },
      };
      return this.state;
    }
    let parsed;
    try {
      parsed = stateSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      throw new ValidatorStateError(
        `the validator state file ${this.path} is damaged; it records which epochs were processed, so it is not ` +
          'overwritten. Restore it, or move it away to start afresh from the newest completed epoch.',
      );
    }
    if (parsed.data.hotkey !== this.hotkey) {
      throw new ValidatorStateError(
        `${this.path} belongs to validator ${parsed.data.hotkey}, not ${this.hotkey}: use a --state.dir per hotkey`,
      );
    }
    this.state = parsed.data;
    return this.state;
  }

  get current(): ValidatorState {
    if (!this.state) throw new Error('load the validator state first');
    return this.state;
  }

  record(epochId: string): EpochRecord | undefined {
    return this.current.epochs[epochId];
  }

  async setFirstEpoch(epochId: string): Promise<void> {
    this.current.firstEpochId = epochId;
    await this.save();
  }

  /** Credibility after the last scored epoch. */
  get credibility(): CredibilityState {
    return this.current.credibility;
  }

  /** Records an epoch's step; `credibility`, when given, is saved in the same write. */
  async update(
    epochId: string,
    record: Omit<EpochRecord, 'updatedAt'>,
    credibility?: CredibilityState,
  ): Promise<EpochRecord> {
    const stored = { ...record, updatedAt: new Date().toISOString() };
    this.current.epochs[epochId] = stored;
    if (credibility) {
      this.current.credibility = {
        lastEpochId: credibility.lastEpochId,
        miners: Object.fromEntries(Object.entries(credibility.miners).map(([hotkey, entry]) => [hotkey, { ...entry }])),
      };
    }
    await this.save();
    return stored;
  }

  async markAbsent(epochId: string): Promise<void> {
    if (!this.current.absentEpochs.includes(epochId)) this.current.absentEpochs.push(epochId);
    await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(this.current, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }
}

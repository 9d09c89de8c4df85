import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CurrentAssignmentsResponse,
  EPOCH_ID_PATTERN,
  type Listing,
  type MinerStatus,
  currentAssignmentsResponseSchema,
  sha256Hex,
  zipcodeSchema,
} from '@resi/core';
import { z } from 'zod';
import { syncDirectory, writeFileAtomic } from './atomic-file.js';

/**
 * The miner's durable local state, one directory per epoch:
 *
 * ```
 * <root>/epochs/<epochId>/state.json          assignment, upload and status progress
 * <root>/epochs/<epochId>/zipcodes/<zip>.json  one finished zipcode: its listings and reject counts
 * <root>/epochs/<epochId>/upload/<file>        the frozen upload: listings.parquet, metadata.json
 * ```
 *
 * Why plain files: every change is one atomic replace (write, fsync, rename, fsync the
 * directory), so a kill at any instant leaves each file old or new, never torn; nothing needs a
 * native module or an install script, and an operator can read the state with `cat`. The bulky
 * part, listings, is written once per zipcode and never rewritten. Ordering gives the guarantees:
 * a zipcode file exists only once the zipcode is finished (so a restart never collects it
 * again); the upload files are written before `state.json` names them and never change after (so
 * a retried upload sends byte-identical files under the same keys); a file is marked uploaded
 * only after storage accepted it; the epoch is done once its final status is recorded.
 */

const zipcodeRecordSchema = z.object({
  zipcode: zipcodeSchema,
  completedAt: z.string(),
  /** The deadline stopped the source before it finished. */
  cutShort: z.boolean(),
  rejects: z.record(z.string(), z.int().nonnegative()),
  duplicates: z.int().nonnegative(),
  listings: z.array(z.record(z.string(), z.unknown())),
});

/** One finished zipcode as stored. */
export interface ZipcodeRecord {
  readonly zipcode: string;
  readonly completedAt: string;
  readonly cutShort: boolean;
  readonly rejects: Readonly<Record<string, number>>;
  readonly duplicates: number;
  readonly listings: readonly Listing[];
}

/** A file of the frozen upload. */
export interface PackagedFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

const packagedFileSchema = z.object({ name: z.string(), bytes: z.int().positive(), sha256: z.string() });

const epochStateSchema = z.object({
  version: z.literal(1),
  epochId: z.string().regex(EPOCH_ID_PATTERN),
  assignment: currentAssignmentsResponseSchema,
  miningStartTime: z.string(),
  /** IN_PROGRESS has been reported once (the first update of an epoch). */
  startReported: z.boolean(),
  /** Finished zipcodes at the last progress report. */
  zipcodesAtLastReport: z.int().nonnegative(),
  package: z.object({ files: z.array(packagedFileSchema), totalListings: z.int().nonnegative() }).nullable(),
  uploadedFiles: z.array(z.string()),
  uploadCompletedAt: z.string().nullable(),
  finalStatus: z
    .object({
      status: z.enum(['COMPLETED', 'FAILED', 'TIMEOUT']),
      reportedAt: z.string(),
      reason: z.string().nullable(),
    })
    .nullable(),
});
export type EpochState = z.infer<typeof epochStateSchema>;

/** The work of one epoch on disk. */
export class EpochWork {
  private records: Map<string, ZipcodeRecord> | undefined;

  private constructor(
    private readonly dir: string,
    private current: EpochState,
  ) {}

  /** Opens the epoch's directory, creating it for `assignment` when new. */
  static async open(root: string, assignment: CurrentAssignmentsResponse, now: Date): Promise<EpochWork> {
    const dir = join(root, 'epochs', assignment.epochId);
    const existing = await EpochWork.load(root, assignment.epochId);
    if (existing) return existing;
    await mkdir(join(dir, 'zipcodes'), { recursive: true });
    await mkdir(join(dir, 'upload'), { recursive: true });
    const state: EpochState = {
      version: 1,
      epochId: assignment.epochId,
      assignment,
      miningStartTime: now.toISOString(),
      startReported: false,
      zipcodesAtLastReport: 0,
      package: null,
      uploadedFiles: [],
      uploadCompletedAt: null,
      finalStatus: null,
    };
    const work = new EpochWork(dir, state);
    await work.persist();
    return work;
  }

  /** The epoch's stored work, or undefined when there is none. */
  static async load(root: string, epochId: string): Promise<EpochWork | undefined> {
    const dir = join(root, 'epochs', epochId);
    let text: string;
    try {
      text = await readFile(join(dir, 'state.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = epochStateSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`${join(dir, 'state.json')} is not a miner state file: ${parsed.error.message}`);
    return new EpochWork(dir, parsed.data);
  }

  get epochId(): string {
    return this.current.epochId;
  }

  get state(): Readonly<EpochState> {
    return this.current;
  }

  /** Finished zipcodes, read from their files (the source of truth), by zipcode. */
  async finishedZipcodes(): Promise<ReadonlyMap<string, ZipcodeRecord>> {
    if (this.records) return this.records;
    const records = new Map<string, ZipcodeRecord>();
    const names = await readdir(join(this.dir, 'zipcodes'));
    for (const name of names) {
      if (!/^\d{5}\.json$/.test(name)) continue;
      const record = zipcodeRecordSchema.parse(JSON.parse(await readFile(join(this.dir, 'zipcodes', name), 'utf8')));
      records.set(record.zipcode, record as unknown as ZipcodeRecord);
    }
    this.records = records;
    return records;
  }

  /** Records a finished zipcode durably; from then on a restart skips it. */
  async saveZipcode(record: ZipcodeRecord): Promise<void> {
    const records = await this.finishedZipcodes();
    await writeFileAtomic(join(this.dir, 'zipcodes', `${record.zipcode}.json`), JSON.stringify(record));
    (records as Map<string, ZipcodeRecord>).set(record.zipcode, record);
  }

  /** Every stored listing, zipcodes in assignment order. */
  async allListings(): Promise<Listing[]> {
    const records = await this.finishedZipcodes();
    return this.current.assignment.zipcodes.flatMap(({ zipcode }) => [...(records.get(zipcode)?.listings ?? [])]);
  }

  /**
   * Freezes the upload: writes each file, then records names, sizes and digests in the state. Any
   * earlier unfinished package is replaced; a recorded one never is.
   */
  async savePackage(files: readonly { name: string; content: Uint8Array }[], totalListings: number): Promise<void> {
    if (this.current.package) throw new Error(`epoch ${this.epochId} is already packaged`);
    for (const file of files) await writeFileAtomic(join(this.dir, 'upload', file.name), file.content);
    await this.update({
      package: {
        files: files.map((file) => ({
          name: file.name,
          bytes: file.content.byteLength,
          sha256: sha256Hex(file.content),
        })),
        totalListings,
      },
    });
  }

  /** A packaged file's bytes, checked against the digest recorded when it was frozen. */
  async readPackagedFile(name: string): Promise<Uint8Array> {
    const entry = this.current.package?.files.find((file) => file.name === name);
    if (!entry) throw new Error(`epoch ${this.epochId} has no packaged file ${name}`);
    const content = new Uint8Array(await readFile(join(this.dir, 'upload', name)));
    if (sha256Hex(content) !== entry.sha256) {
      throw new Error(`packaged file ${join(this.dir, 'upload', name)} changed on disk since it was frozen`);
    }
    return content;
  }

  async markStartReported(): Promise<void> {
    await this.update({ startReported: true });
  }

  async markProgressReported(zipcodes: number): Promise<void> {
    await this.update({ zipcodesAtLastReport: zipcodes });
  }

  async markUploaded(name: string): Promise<void> {
    if (this.current.uploadedFiles.includes(name)) return;
    await this.update({ uploadedFiles: [...this.current.uploadedFiles, name] });
  }

  async markUploadComplete(at: Date): Promise<void> {
    await this.update({ uploadCompletedAt: at.toISOString() });
  }

  async markFinal(status: Exclude<MinerStatus, 'IN_PROGRESS'>, at: Date, reason: string | null): Promise<void> {
    await this.update({ finalStatus: { status, reportedAt: at.toISOString(), reason } });
  }

  private async update(patch: Partial<EpochState>): Promise<void> {
    this.current = { ...this.current, ...patch };
    await this.persist();
  }

  private async persist(): Promise<void> {
    await writeFileAtomic(join(this.dir, 'state.json'), `${JSON.stringify(this.current, null, 2)}\n`);
  }
}

/** The root of the miner's local state; holds one directory per epoch. */
export class WorkStore {
  constructor(readonly root: string) {}

  async openEpoch(assignment: CurrentAssignmentsResponse, now: Date = new Date()): Promise<EpochWork> {
    await mkdir(join(this.root, 'epochs'), { recursive: true });
    const work = await EpochWork.open(this.root, assignment, now);
    await syncDirectory(join(this.root, 'epochs'));
    return work;
  }

  loadEpoch(epochId: string): Promise<EpochWork | undefined> {
    return EpochWork.load(this.root, epochId);
  }

  /** Epoch IDs with stored work, oldest first. */
  async epochIds(): Promise<string[]> {
    try {
      return (await readdir(join(this.root, 'epochs'))).filter((name) => EPOCH_ID_PATTERN.test(name)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Deletes the work of epochs other than the newest `keep` that are done. */
  async prune(keep: number): Promise<void> {
    const ids = await this.epochIds();
    for (const epochId of ids.slice(0, Math.max(0, ids.length - keep))) {
      const work = await this.loadEpoch(epochId);
      if (work?.state.finalStatus) await rm(join(this.root, 'epochs', epochId), { recursive: true, force: true });
    }
  }
}

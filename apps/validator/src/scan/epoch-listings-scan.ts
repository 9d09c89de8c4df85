import { basename } from 'node:path';
import {
  COPY_FINGERPRINT_COLUMNS,
  LISTING_COLUMNS,
  type Listing,
  type ListingColumnName,
  type ListingsSchemaInspection,
  type MinerListingsEvidence,
  type RowQualityReason,
} from '@resi/core';
import { type DuckDbSession } from './duckdb-session.js';
import {
  IDENTITY_HASH_SQL,
  type ListingRulesContext,
  columnFlagsSql,
  fingerprintSql,
  listingReasonPredicates,
  normalisedColumnSql,
  qualityMasks,
  sqlIdentifier,
  sqlString,
} from './listing-rules-sql.js';

/** A downloaded, verified listings file whose schema passed `inspectListingsParquetSchema`. */
export interface ScanListingsFile {
  readonly path: string;
  readonly inspection: ListingsSchemaInspection;
}

/** One miner's files, in canonical order (by file name). */
export interface ScanMiner {
  readonly hotkey: string;
  /** Server-observed upload time: the earlier of two identical rows is the original. */
  readonly uploadedAtMs: number;
  readonly files: readonly ScanListingsFile[];
}

/** The epoch facts the scan applies. */
export interface ScanEpoch extends ListingRulesContext {
  readonly honeypotZipcodes: readonly string[];
}

/** A miner file DuckDB could not decode. */
export interface UndecodableFile {
  /** The file's name, e.g. `listings-0002.parquet`. */
  readonly name: string;
  /** DuckDB's error, for the validator's log only: it names local paths and varies by version. */
  readonly detail: string;
}

/** What one scan found: evidence per miner, and the miners with a file DuckDB could not decode. */
export interface EpochScanResult {
  readonly evidence: Map<string, MinerListingsEvidence>;
  readonly corrupt: Map<string, UndecodableFile>;
}

/**
 * Text columns whose values repeat across miners (every honest miner uploads the same listing with
 * the same address, URL, zipcode, ...): their reason bits are computed once per distinct value and
 * joined back, which turns 2.5 M regular-expression matches into tens of thousands.
 */
const PER_VALUE_COLUMNS: readonly ListingColumnName[] = ['address', 'mls_id', 'source_url'];

/**
 * DuckDB errors that are the validator's trouble (resources, or a bug in its own SQL), never a
 * miner's file's: they stop the run rather than zero a miner.
 */
const ENVIRONMENT_FAILURE =
  /out of memory|no space left|could not allocate|interrupted|^(binder|parser|catalog|conversion|internal|not implemented) error/i;

function signatureOf(file: ScanListingsFile): string {
  return file.inspection.columns.map((entry) => entry.kind).join(',');
}

function pathList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

/**
 * One SELECT per distinct column layout over all files of that layout, each column normalised
 * (see `normalisedColumnSql`), UNION ALL'd: one scan of every file at once.
 */
function normalisedRowsSql(files: readonly ScanListingsFile[]): string {
  const groups = new Map<string, ScanListingsFile[]>();
  for (const file of files) {
    const signature = signatureOf(file);
    groups.set(signature, [...(groups.get(signature) ?? []), file]);
  }
  return [...groups.values()]
    .map((group) => {
      const kinds = new Map(group[0]!.inspection.columns.map((entry) => [entry.column.name, entry.kind] as const));
      const columns = LISTING_COLUMNS.map((column) => {
        const kind = kinds.get(column.name);
        if (kind === undefined)
          throw new Error(`column ${column.name} is not readable; refuse the file before scanning`);
        return `${normalisedColumnSql(column, kind)} AS ${sqlIdentifier(column.name)}`;
      });
      return (
        `SELECT filename AS path, file_row_number AS row_no, ${columns.join(', ')} ` +
        `FROM read_parquet(${pathList(group.map((file) => file.path))}, filename = true, file_row_number = true, binary_as_string = true)`
      );
    })
    .join(' UNION ALL ');
}

/**
 * Scans every miner's listings with DuckDB, all files in one vectorised pass, and derives what
 * scoring needs (`MinerListingsEvidence`): per-row reasons as a bit set, duplicates by identity,
 * copies by fingerprint against the earlier upload (server time, then hotkey), and the credited
 * listings per zipcode. Also reads back the rows an accuracy sample picks.
 */
export class EpochListingsScan {
  private readonly predicates;
  private miners: readonly ScanMiner[] = [];
  private filesByPath = new Map<string, ScanListingsFile>();

  constructor(
    private readonly session: DuckDbSession,
    private readonly epoch: ScanEpoch,
  ) {
    this.predicates = listingReasonPredicates(epoch);
  }

  async scan(miners: readonly ScanMiner[]): Promise<EpochScanResult> {
    const corrupt = new Map<string, UndecodableFile>();
    const byUpload = [...miners].sort(
      (a, b) => a.uploadedAtMs - b.uploadedAtMs || (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0),
    );
    this.miners = byUpload;
    this.filesByPath = new Map(miners.flatMap((miner) => miner.files.map((file) => [file.path, file] as const)));
    await this.session.run(`
      DROP TABLE IF EXISTS scan_miners; DROP TABLE IF EXISTS scan_files; DROP TABLE IF EXISTS scan_rows;
      CREATE TEMP TABLE scan_miners (miner_idx INTEGER, hotkey VARCHAR, upload_rank INTEGER);
      CREATE TEMP TABLE scan_files (path VARCHAR, miner_idx INTEGER, file_idx INTEGER);
      CREATE TEMP TABLE scan_rows (miner_idx INTEGER, file_idx INTEGER, row_no BIGINT, zipcode VARCHAR,
        flags BIGINT, identity UHUGEINT, fingerprint UHUGEINT);`);
    const minersAppender = await this.session.connection.createAppender('scan_miners');
    const filesAppender = await this.session.connection.createAppender('scan_files');
    byUpload.forEach((miner, index) => {
      minersAppender.appendInteger(index);
      minersAppender.appendVarchar(miner.hotkey);
      minersAppender.appendInteger(index);
      minersAppender.endRow();
      miner.files.forEach((file, fileIndex) => {
        filesAppender.appendVarchar(file.path);
        filesAppender.appendInteger(index);
        filesAppender.appendInteger(fileIndex);
        filesAppender.endRow();
      });
    });
    minersAppender.closeSync();
    filesAppender.closeSync();

    const withFiles = byUpload.filter((miner) => miner.files.length > 0);
    try {
      await this.insertRows(withFiles);
    } catch (error) {
      if (ENVIRONMENT_FAILURE.test((error as Error).message)) throw error;
      // Some file does not decode: find which miners' by scanning each alone.
      await this.session.run('DELETE FROM scan_rows');
      const firstFailure = error as Error;
      for (const miner of withFiles) {
        try {
          await this.insertRows([miner]);
        } catch (minerError) {
          const message = (minerError as Error).message;
          if (ENVIRONMENT_FAILURE.test(message)) throw minerError;
          await this.session.run(
            `DELETE FROM scan_rows WHERE miner_idx = (SELECT miner_idx FROM scan_miners WHERE hotkey = ${sqlString(miner.hotkey)})`,
          );
          corrupt.set(miner.hotkey, {
            name: await this.firstUndecodable(miner),
            detail: message.split('\n')[0] ?? message,
          });
        }
      }
      // When nobody's files decode alone either, the fault is not in the files.
      if (withFiles.length > 1 && corrupt.size === withFiles.length) throw firstFailure;
    }
    const evidence = await this.summarise(byUpload.filter((miner) => !corrupt.has(miner.hotkey)));
    return { evidence, corrupt };
  }

  /** The name of the miner's first file that does not decode on its own. */
  private async firstUndecodable(miner: ScanMiner): Promise<string> {
    for (const file of miner.files) {
      try {
        await this.session.run(`SELECT count(*) FROM (${normalisedRowsSql([file])}) AS raw WHERE raw.row_no >= 0`);
        await this.session.run(
          `SELECT max(${IDENTITY_HASH_SQL}), max(${fingerprintSql(COPY_FINGERPRINT_COLUMNS)}) FROM (${normalisedRowsSql([file])})`,
        );
      } catch {
        return basename(file.path);
      }
    }
    return basename(miner.files[0]?.path ?? 'listings.parquet');
  }

  private async insertRows(miners: readonly ScanMiner[]): Promise<void> {
    const files = miners.flatMap((miner) => miner.files);
    if (files.length === 0) return;
    const rows = normalisedRowsSql(files);
    const joins: string[] = [];
    const bits: string[] = [];
    for (const column of LISTING_COLUMNS) {
      const name = sqlIdentifier(column.name);
      const inline = columnFlagsSql(this.predicates, column.name);
      if (!PER_VALUE_COLUMNS.includes(column.name)) {
        bits.push(inline);
        continue;
      }
      const table = `scan_verdict_${column.name}`;
      // Only this column is read from the files for it (projection pushdown).
      await this.session.run(`
        CREATE OR REPLACE TEMP TABLE ${table} AS
        SELECT ${name} AS value, ${inline} AS bits
        FROM (SELECT DISTINCT ${name} FROM (${rows})) WHERE ${name} IS NOT NULL`);
      joins.push(`LEFT JOIN ${table} ON ${table}.value = raw.${name}`);
      // A NULL never joins: its bits come from the same predicates, evaluated on the row.
      bits.push(`(CASE WHEN raw.${name} IS NULL THEN ${inline} ELSE ${table}.bits END)`);
    }
    await this.session.run(`
      INSERT INTO scan_rows
      SELECT f.miner_idx, f.file_idx, raw.row_no, raw.zipcode,
        ${bits.join(' | ')},
        ${IDENTITY_HASH_SQL},
        ${fingerprintSql(COPY_FINGERPRINT_COLUMNS)}
      FROM (${rows}) AS raw
      JOIN scan_files AS f ON f.path = raw.path
      ${joins.join('\n      ')}`);
  }

  private async summarise(miners: readonly ScanMiner[]): Promise<Map<string, MinerListingsEvidence>> {
    const masks = qualityMasks(this.predicates);
    const reasonSums = this.predicates
      .map((_, bit) => `sum(((flags >> ${bit}) & 1)::INTEGER) AS reason_${bit}`)
      .join(', ');
    const totals = await this.session.rows<Record<string, number | bigint>>(`
      SELECT miner_idx, count(*) AS rows,
        count(*) FILTER (WHERE flags & ${masks.required_fields_present} <> 0) AS missing_required,
        count(*) FILTER (WHERE flags & ${masks.data_types_correct} <> 0) AS invalid_format,
        count(*) FILTER (WHERE flags & ${masks.reasonable_values} <> 0) AS unreasonable,
        count(*) FILTER (WHERE flags = 0) AS valid_rows,
        count(*) - count(DISTINCT identity) AS duplicate_rows,
        ${reasonSums}
      FROM scan_rows GROUP BY miner_idx`);

    const outsideHoneypots = this.epoch.honeypotZipcodes.length
      ? `zipcode NOT IN (${this.epoch.honeypotZipcodes.map(sqlString).join(', ')})`
      : 'true';
    // miner_idx is the upload rank: the smallest index holding a fingerprint uploaded it first.
    await this.session.run(`
      DROP TABLE IF EXISTS scan_marks;
      CREATE TEMP TABLE scan_marks AS
      SELECT r.miner_idx, r.zipcode, r.flags, r.identity, first.first_idx
      FROM scan_rows AS r
      JOIN (SELECT fingerprint, min(miner_idx) AS first_idx FROM scan_rows GROUP BY fingerprint) AS first USING (fingerprint)`);
    const byZipcode = await this.session.rows<{
      miner_idx: number;
      zipcode: string | null;
      rows: bigint;
      credited: bigint;
    }>(`
      SELECT miner_idx, zipcode, count(*) AS rows,
        count(DISTINCT identity) FILTER (WHERE flags = 0 AND miner_idx = first_idx AND ${outsideHoneypots}) AS credited
      FROM scan_marks GROUP BY miner_idx, zipcode`);
    const copies = await this.session.rows<{ miner_idx: number; copied: bigint; sources: number[] }>(`
      SELECT miner_idx, count(*) AS copied, list_sort(list_distinct(list(first_idx))) AS sources
      FROM scan_marks WHERE miner_idx > first_idx GROUP BY miner_idx`);

    const indexOf = new Map(this.miners.map((miner, index) => [miner.hotkey, index]));
    const totalsByIndex = new Map(totals.map((row) => [Number(row.miner_idx), row]));
    const copiesByIndex = new Map(copies.map((row) => [Number(row.miner_idx), row]));
    const zipcodesByIndex = new Map<number, { rows: Map<string, number>; credited: Map<string, number> }>();
    const zipcodeOf = (row: { zipcode: string | null }) => row.zipcode ?? '';
    const sortedZipcodes = [...byZipcode].sort((a, b) =>
      zipcodeOf(a) < zipcodeOf(b) ? -1 : zipcodeOf(a) > zipcodeOf(b) ? 1 : 0,
    );
    for (const row of sortedZipcodes) {
      const index = Number(row.miner_idx);
      const entry = zipcodesByIndex.get(index) ?? { rows: new Map(), credited: new Map() };
      const zipcode = zipcodeOf(row);
      entry.rows.set(zipcode, Number(row.rows));
      if (Number(row.credited) > 0) entry.credited.set(zipcode, Number(row.credited));
      zipcodesByIndex.set(index, entry);
    }

    const evidence = new Map<string, MinerListingsEvidence>();
    for (const miner of miners) {
      const index = indexOf.get(miner.hotkey)!;
      const total = totalsByIndex.get(index);
      const copy = copiesByIndex.get(index);
      const zipcodes = zipcodesByIndex.get(index);
      const reasonCounts: Partial<Record<RowQualityReason, number>> = {};
      this.predicates.forEach((predicate, bit) => {
        const count = Number(total?.[`reason_${bit}`] ?? 0);
        if (count > 0) reasonCounts[predicate.reason] = count;
      });
      evidence.set(miner.hotkey, {
        rows: Number(total?.rows ?? 0),
        rowsMissingRequired: Number(total?.missing_required ?? 0),
        rowsWithInvalidFormat: Number(total?.invalid_format ?? 0),
        rowsWithUnreasonableValues: Number(total?.unreasonable ?? 0),
        duplicateRows: Number(total?.duplicate_rows ?? 0),
        validRows: Number(total?.valid_rows ?? 0),
        rowsByZipcode: zipcodes?.rows ?? new Map(),
        creditedByZipcode: zipcodes?.credited ?? new Map(),
        copiedRows: Number(copy?.copied ?? 0),
        copiedFrom: (copy?.sources ?? []).map((source) => this.miners[Number(source)]!.hotkey).sort(),
        reasonCounts,
      });
    }
    return evidence;
  }

  /**
   * The listings at the given positions among each miner's valid rows (canonical order: files in
   * the order given to `scan`, rows in file order), as the accuracy sample picked them.
   */
  async sampledListings(positions: ReadonlyMap<string, readonly number[]>): Promise<Map<string, Listing[]>> {
    const wanted = [...positions].filter(([, list]) => list.length > 0);
    const result = new Map<string, Listing[]>(wanted.map(([hotkey]) => [hotkey, []]));
    if (wanted.length === 0) return result;
    await this.session.run(`
      DROP TABLE IF EXISTS scan_sample;
      CREATE TEMP TABLE scan_sample (miner_idx INTEGER, position BIGINT);`);
    const indexOf = new Map(this.miners.map((miner, index) => [miner.hotkey, index]));
    const appender = await this.session.connection.createAppender('scan_sample');
    for (const [hotkey, list] of wanted) {
      for (const position of list) {
        appender.appendInteger(indexOf.get(hotkey)!);
        appender.appendBigInt(BigInt(position));
        appender.endRow();
      }
    }
    appender.closeSync();
    await this.session.run(`
      DROP TABLE IF EXISTS scan_sample_rows;
      CREATE TEMP TABLE scan_sample_rows AS
      SELECT s.miner_idx, s.position, f.path, v.row_no
      FROM (SELECT miner_idx, file_idx, row_no,
              row_number() OVER (PARTITION BY miner_idx ORDER BY file_idx, row_no) - 1 AS position
            FROM scan_rows WHERE flags = 0) AS v
      JOIN scan_sample AS s USING (miner_idx, position)
      JOIN scan_files AS f USING (miner_idx, file_idx)`);
    const paths = await this.session.rows<{ path: string }>('SELECT DISTINCT path FROM scan_sample_rows ORDER BY path');
    const files = paths.map((row) => this.filesByPath.get(row.path)!);
    const columns = LISTING_COLUMNS.map((column) => `raw.${sqlIdentifier(column.name)}`).join(', ');
    const rows = await this.session.rows<Record<string, unknown>>(`
      SELECT s.miner_idx, s.position, ${columns}
      FROM (${normalisedRowsSql(files)}) AS raw
      JOIN scan_sample_rows AS s ON s.path = raw.path AND s.row_no = raw.row_no
      ORDER BY s.miner_idx, s.position`);
    for (const row of rows) {
      const hotkey = this.miners[Number(row.miner_idx)]!.hotkey;
      const listing = Object.fromEntries(LISTING_COLUMNS.map((column) => [column.name, row[column.name] ?? null]));
      result.get(hotkey)!.push(listing as Listing);
    }
    return result;
  }
}

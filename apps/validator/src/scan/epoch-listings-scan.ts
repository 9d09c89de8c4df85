import { basename } from 'node:path';
import {
  inCreditOrder,
  LISTING_COLUMNS,
  LISTING_COLUMN_NAMES,
  type Listing,
  type ListingColumnName,
  type ListingsSchemaInspection,
  type MinerListingsEvidence,
  type NoVerdictReason,
  NO_VERDICT_REASONS,
  type RowQualityReason,
  type RowVerdict,
  type ZipcodeAudit,
} from '@resi/core';
import { type DuckDbSession } from './duckdb-session.js';
import {
  ADDRESS_KEY_SQL,
  IDENTITY_HASH_SQL,
  type ListingRulesContext,
  URL_KEY_SQL,
  columnFlagsSql,
  fingerprintSql,
  keyHashSql,
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
  /** When its listings count from in the crediting order (core `fileCreditTimeMs`). */
  readonly creditFromMs: number;
}

/** One miner's files, in canonical order (by file name). */
export interface ScanMiner {
  readonly hotkey: string;
  /** Server-observed upload time (its last scored object). */
  readonly uploadedAtMs: number;
  readonly files: readonly ScanListingsFile[];
}

/** The epoch facts the scan applies. */
export interface ScanEpoch extends ListingRulesContext {
  readonly honeypotZipcodes: readonly string[];
  /** The revealed audit seed: it breaks ties in the crediting order (core `creditTieKey`). */
  readonly auditSeed: string;
}

/** A miner file DuckDB could not decode. */
export interface UndecodableFile {
  /** The file's name, e.g. `listings-0002.parquet`. */
  readonly name: string;
  /** DuckDB's error, for the validator's log only: it names local paths and varies by version. */
  readonly detail: string;
}

/** What scanning one miner's rows found before crediting (see `EpochListingsScan.credit`). */
export type ScannedListings = Omit<MinerListingsEvidence, 'listingsByZipcode' | 'creditedByZipcode' | 'overlapRows'>;

/** What one scan found: counts per miner, and the miners with a file DuckDB could not decode. */
export interface EpochScanResult {
  readonly evidence: Map<string, ScannedListings>;
  readonly corrupt: Map<string, UndecodableFile>;
}

/** A distinct row to verify in an audited zipcode: `fingerprint` stands for every row with these values. */
export interface AuditRow {
  readonly fingerprint: bigint;
  readonly listing: Listing;
}

/** What crediting found for one miner. */
export type CreditedListings = Pick<MinerListingsEvidence, 'listingsByZipcode' | 'creditedByZipcode' | 'overlapRows'>;

/**
 * The columns whose values a verification compares: every §7 column but `scraped_timestamp`, which
 * a miner writes freely. Rows agreeing on them get one verdict, so honest miners' common rows are
 * verified once however many miners uploaded them.
 */
export const AUDIT_FINGERPRINT_COLUMNS: readonly ListingColumnName[] = LISTING_COLUMN_NAMES.filter(
  (name) => name !== 'scraped_timestamp',
);

const AUDIT_FINGERPRINT_SQL = fingerprintSql(AUDIT_FINGERPRINT_COLUMNS);

/**
 * A row's place in the crediting order as one BIGINT: `credit_rank << 31 | row_no`, the file's
 * rank in core's `inCreditOrder` (below 2³²) and the row's number in its file (below 2³¹).
 */
const ORDER_SQL = `((f.credit_rank::BIGINT << 31) | r.row_no)`;

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
 * the identity keys (normalised URL, normalised address with zipcode) and a fingerprint of the
 * compared values. Then, in steps the pipeline drives: the distinct rows of the audited zipcodes
 * to verify, their verdicts counted per miner and zipcode, and the crediting of each listing once,
 * to the earliest file that holds it (core `inCreditOrder`; then row order).
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
      DROP TABLE IF EXISTS scan_verdicts;
      CREATE TEMP TABLE scan_verdicts (fingerprint UHUGEINT, verdict VARCHAR);
      CREATE TEMP TABLE scan_miners (miner_idx INTEGER, hotkey VARCHAR, upload_rank INTEGER);
      CREATE TEMP TABLE scan_files (path VARCHAR, miner_idx INTEGER, file_idx INTEGER, credit_rank INTEGER);
      CREATE TEMP TABLE scan_rows (miner_idx INTEGER, file_idx INTEGER, row_no BIGINT, zipcode VARCHAR,
        flags BIGINT, identity UHUGEINT, url_key UHUGEINT, addr_key UHUGEINT, fingerprint UHUGEINT);`);
    const minersAppender = await this.session.connection.createAppender('scan_miners');
    const filesAppender = await this.session.connection.createAppender('scan_files');
    byUpload.forEach((miner, index) => {
      minersAppender.appendInteger(index);
      minersAppender.appendVarchar(miner.hotkey);
      minersAppender.appendInteger(index);
      minersAppender.endRow();
    });
    const creditOrder = inCreditOrder(
      this.epoch.auditSeed,
      byUpload.flatMap((miner, minerIndex) =>
        miner.files.map((file, fileIndex) => ({
          hotkey: miner.hotkey,
          minerIndex,
          fileIndex,
          path: file.path,
          creditFromMs: file.creditFromMs,
        })),
      ),
    );
    creditOrder.forEach((file, rank) => {
      filesAppender.appendVarchar(file.path);
      filesAppender.appendInteger(file.minerIndex);
      filesAppender.appendInteger(file.fileIndex);
      filesAppender.appendInteger(rank);
      filesAppender.endRow();
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
          `SELECT max(${IDENTITY_HASH_SQL}), max(${AUDIT_FINGERPRINT_SQL}) FROM (${normalisedRowsSql([file])})`,
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
        ${keyHashSql(URL_KEY_SQL, 'resi-url')},
        ${keyHashSql(ADDRESS_KEY_SQL, 'resi-address')},
        ${AUDIT_FINGERPRINT_SQL}
      FROM (${rows}) AS raw
      JOIN scan_files AS f ON f.path = raw.path
      ${joins.join('\n      ')}`);
  }

  private async summarise(miners: readonly ScanMiner[]): Promise<Map<string, ScannedListings>> {
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

    const byZipcode = await this.session.rows<{ miner_idx: number; zipcode: string | null; rows: bigint }>(`
      SELECT miner_idx, zipcode, count(*) AS rows FROM scan_rows GROUP BY miner_idx, zipcode`);

    const indexOf = new Map(this.miners.map((miner, index) => [miner.hotkey, index]));
    const totalsByIndex = new Map(totals.map((row) => [Number(row.miner_idx), row]));
    const zipcodesByIndex = new Map<number, Map<string, number>>();
    const zipcodeOf = (row: { zipcode: string | null }) => row.zipcode ?? '';
    const sortedZipcodes = [...byZipcode].sort((a, b) =>
      zipcodeOf(a) < zipcodeOf(b) ? -1 : zipcodeOf(a) > zipcodeOf(b) ? 1 : 0,
    );
    for (const row of sortedZipcodes) {
      const index = Number(row.miner_idx);
      const entry = zipcodesByIndex.get(index) ?? new Map<string, number>();
      entry.set(zipcodeOf(row), Number(row.rows));
      zipcodesByIndex.set(index, entry);
    }

    const evidence = new Map<string, ScannedListings>();
    for (const miner of miners) {
      const index = indexOf.get(miner.hotkey)!;
      const total = totalsByIndex.get(index);
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
        rowsByZipcode: zipcodes ?? new Map(),
        reasonCounts,
      });
    }
    return evidence;
  }

  private indexesOf(hotkeys: Iterable<string>): number[] {
    const indexOf = new Map(this.miners.map((miner, index) => [miner.hotkey, index]));
    return [...hotkeys].map((hotkey) => indexOf.get(hotkey)).filter((index) => index !== undefined);
  }

  private static inList(values: readonly (string | number)[]): string {
    return values.length === 0
      ? '(NULL)'
      : `(${values.map((value) => (typeof value === 'number' ? String(value) : sqlString(value))).join(', ')})`;
  }

  /**
   * The distinct valid rows the given miners claim in the audited zipcodes, one per fingerprint
   * (rows agreeing on every compared value share a verdict), in fingerprint order. Reads only
   * those miners' files again, for the columns of those rows.
   */
  async auditRows(zipcodes: readonly string[], hotkeys: Iterable<string>): Promise<AuditRow[]> {
    const miners = this.indexesOf(hotkeys);
    if (zipcodes.length === 0 || miners.length === 0) return [];
    const zipcodeList = EpochListingsScan.inList(zipcodes);
    await this.session.run(`
      DROP TABLE IF EXISTS scan_audit_keys;
      CREATE TEMP TABLE scan_audit_keys AS
      SELECT DISTINCT fingerprint FROM scan_rows
      WHERE flags = 0 AND zipcode IN ${zipcodeList} AND miner_idx IN ${EpochListingsScan.inList(miners)}`);
    const files = this.miners.flatMap((miner, index) => (miners.includes(index) ? miner.files : []));
    if (files.length === 0) return [];
    const columns = LISTING_COLUMNS.map((column) => sqlIdentifier(column.name));
    const rows = await this.session.rows<Record<string, unknown>>(`
      SELECT fingerprint, ${columns.map((column) => `first(${column}) AS ${column}`).join(', ')}
      FROM (SELECT ${AUDIT_FINGERPRINT_SQL} AS fingerprint, ${columns.join(', ')}
            FROM (${normalisedRowsSql(files)}) WHERE zipcode IN ${zipcodeList})
      SEMI JOIN scan_audit_keys USING (fingerprint)
      GROUP BY fingerprint ORDER BY fingerprint`);
    return rows.map((row) => ({
      fingerprint: BigInt(row.fingerprint as bigint),
      listing: Object.fromEntries(LISTING_COLUMNS.map((column) => [column.name, row[column.name] ?? null])) as Listing,
    }));
  }

  /** Records the verdict of each audited fingerprint (see `auditRows`). */
  async recordVerdicts(verdicts: ReadonlyMap<bigint, RowVerdict>): Promise<void> {
    await this.session.run('DELETE FROM scan_verdicts');
    const appender = await this.session.connection.createAppender('scan_verdicts');
    for (const [fingerprint, verdict] of verdicts) {
      appender.appendUHugeInt(fingerprint);
      appender.appendVarchar(verdict);
      appender.endRow();
    }
    appender.closeSync();
  }

  /** Each miner's verdicts per audited zipcode, over its valid rows there (after `recordVerdicts`). */
  async auditCounts(zipcodes: readonly string[]): Promise<Map<string, ZipcodeAudit[]>> {
    const result = new Map<string, ZipcodeAudit[]>();
    if (zipcodes.length === 0) return result;
    const counts = await this.session.rows<{
      miner_idx: number;
      zipcode: string;
      verdict: string | null;
      rows: bigint;
    }>(`
      SELECT r.miner_idx, r.zipcode, v.verdict, count(*) AS rows
      FROM scan_rows AS r JOIN scan_verdicts AS v USING (fingerprint)
      WHERE r.flags = 0 AND r.zipcode IN ${EpochListingsScan.inList(zipcodes)}
      GROUP BY ALL ORDER BY r.miner_idx, r.zipcode, v.verdict`);
    const byKey = new Map<
      string,
      { hotkey: string; audit: { -readonly [K in keyof ZipcodeAudit]: ZipcodeAudit[K] } }
    >();
    for (const row of counts) {
      const hotkey = this.miners[Number(row.miner_idx)]!.hotkey;
      const key = `${hotkey}|${row.zipcode}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          hotkey,
          audit: { zipcode: row.zipcode, rows: 0, verified: 0, mismatched: 0, notFound: 0, noVerdict: {} },
        };
        byKey.set(key, entry);
      }
      const rows = Number(row.rows);
      const audit = entry.audit;
      audit.rows += rows;
      if (row.verdict === 'verified') audit.verified += rows;
      else if (row.verdict === 'mismatched') audit.mismatched += rows;
      else if (row.verdict === 'not_found') audit.notFound += rows;
      else if ((NO_VERDICT_REASONS as readonly string[]).includes(row.verdict ?? '')) {
        const reason = row.verdict as NoVerdictReason;
        audit.noVerdict = { ...audit.noVerdict, [reason]: (audit.noVerdict[reason] ?? 0) + rows };
      }
    }
    for (const { hotkey, audit } of byKey.values()) result.set(hotkey, [...(result.get(hotkey) ?? []), audit]);
    return result;
  }

  /**
   * Credits each listing once, to its earliest upload: among the valid rows of the `creditable`
   * miners that are verified or were not audited, a row is credited iff it
   * is the first (files in core's `inCreditOrder`, then row order) to hold its URL key and the first to hold
   * its address key. Per miner and zipcode: its own distinct listings (its rows that are the first
   * of its own to hold both keys: a listing repeated under another URL or spelling counts once),
   * those credited, and of its own listings those an earlier upload held first (overlap). Call after `recordVerdicts`. A row of an audited
   * zipcode without a verdict (`source_unavailable`, `budget_exhausted`, `source_unsupported`) is not
   * credited, and not penalised either: only what was checked pays. Were such rows credited, invented
   * rows would pass whenever a check could not run: under a site this validator does not verify, or
   * missing from the homes for sale while the recently-closed search failed (a site change breaking
   * that search for every validator at once would turn the audit off).
   */
  async credit(creditable: Iterable<string>): Promise<Map<string, CreditedListings>> {
    const miners = this.indexesOf(creditable);
    const result = new Map<string, CreditedListings>();
    for (const index of miners) {
      result.set(this.miners[index]!.hotkey, {
        listingsByZipcode: new Map(),
        creditedByZipcode: new Map(),
        overlapRows: 0,
      });
    }
    if (miners.length === 0) return result;
    await this.session.run(`
      DROP TABLE IF EXISTS scan_eligible;
      CREATE TEMP TABLE scan_eligible AS
      SELECT r.miner_idx, r.zipcode, r.url_key, r.addr_key, ${ORDER_SQL} AS ord
      FROM scan_rows AS r JOIN scan_files AS f USING (miner_idx, file_idx)
        LEFT JOIN scan_verdicts AS v USING (fingerprint)
      WHERE r.flags = 0 AND r.miner_idx IN ${EpochListingsScan.inList(miners)}
        AND (v.verdict IS NULL OR v.verdict = 'verified')`);
    const rows = await this.session.rows<{
      miner_idx: number;
      zipcode: string;
      own: bigint;
      credited: bigint;
      overlap: bigint;
    }>(`
      WITH first_url AS (SELECT url_key, min(ord) AS first FROM scan_eligible GROUP BY url_key),
           first_addr AS (SELECT addr_key, min(ord) AS first FROM scan_eligible GROUP BY addr_key),
           own_url AS (SELECT miner_idx, url_key, min(ord) AS first FROM scan_eligible GROUP BY ALL),
           own_addr AS (SELECT miner_idx, addr_key, min(ord) AS first FROM scan_eligible GROUP BY ALL)
      SELECT e.miner_idx, e.zipcode,
        count(*) FILTER (WHERE e.ord = ou.first AND e.ord = oa.first) AS own,
        count(*) FILTER (WHERE e.ord = u.first AND e.ord = a.first) AS credited,
        count(*) FILTER (WHERE e.ord = ou.first AND e.ord = oa.first
          AND (u.first < e.ord OR a.first < e.ord)) AS overlap
      FROM scan_eligible AS e JOIN first_url AS u USING (url_key) JOIN first_addr AS a USING (addr_key)
        JOIN own_url AS ou USING (miner_idx, url_key) JOIN own_addr AS oa USING (miner_idx, addr_key)
      GROUP BY e.miner_idx, e.zipcode ORDER BY e.miner_idx, e.zipcode`);
    for (const row of rows) {
      const entry = result.get(this.miners[Number(row.miner_idx)]!.hotkey)!;
      if (Number(row.own) > 0) (entry.listingsByZipcode as Map<string, number>).set(row.zipcode, Number(row.own));
      if (Number(row.credited) > 0)
        (entry.creditedByZipcode as Map<string, number>).set(row.zipcode, Number(row.credited));
      result.set(this.miners[Number(row.miner_idx)]!.hotkey, {
        ...entry,
        overlapRows: entry.overlapRows + Number(row.overlap),
      });
    }
    return result;
  }
}

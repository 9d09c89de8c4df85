import { availableParallelism } from 'node:os';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** How the embedded DuckDB may use the machine. */
export interface DuckDbSessionOptions {
  /** Worker threads; all cores by default. */
  readonly threads?: number;
  /** e.g. `1GB`; past it DuckDB spills to `tempDirectory` instead of growing. */
  readonly memoryLimit?: string;
  /** Where spilled intermediate results go (out-of-core scans of large epochs). */
  readonly tempDirectory?: string;
}

/**
 * One in-memory DuckDB database and connection for a validation run. Times are printed and
 * parsed in UTC whatever the host's zone, so two validators in different zones read the same
 * timestamps.
 */
export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(options: DuckDbSessionOptions = {}): Promise<DuckDbSession> {
    const config: Record<string, string> = {
      threads: String(options.threads ?? availableParallelism()),
      // Scans read only local files the validator downloaded; nothing is fetched or installed.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    // A session setting of the bundled ICU extension, so not accepted in the start-up config.
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckDbSession(instance, connection);
  }

  /** Runs statements whose result is not needed. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns its rows as plain JS objects (BIGINT as bigint). */
  async rows<Row extends Record<string, unknown>>(sql: string): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Row[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

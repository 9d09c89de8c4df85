/** Log levels, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

/** Where log lines go; a TTY progress bar uses `beforeWrite` to clear its line first. */
export interface LogSink {
  write(line: string): void;
  beforeWrite?(): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** One JSON object per line (for log collectors), else human-readable lines. */
  readonly json: boolean;
  readonly sink: LogSink;
  readonly now?: () => Date;
}

function humanValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value);
}

/**
 * Structured logs: `{"time","level","msg",...fields}` per line when `json`, otherwise
 * `HH:MM:SS level message key=value ...` for a person at a terminal.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const time = now().toISOString();
    let line: string;
    if (options.json) {
      const plain = Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? value.message : value]),
      );
      line = JSON.stringify({ time, level, msg: message, ...plain });
    } else {
      const extras = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${humanValue(value)}`)
        .join(' ');
      line = `${time.slice(11, 19)} ${level.padEnd(5)} ${message}${extras ? ` ${extras}` : ''}`;
    }
    options.sink.beforeWrite?.();
    options.sink.write(`${line}\n`);
  };
  return {
    error: (message, fields) => emit('error', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    info: (message, fields) => emit('info', message, fields),
    debug: (message, fields) => emit('debug', message, fields),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

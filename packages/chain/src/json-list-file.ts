import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';

/**
 * The records in a validator's JSON list file (pending or timelocked weight commits): none when the
 * file does not exist; a file that is not JSON or not the expected shape is an error naming it,
 * never an empty list, so a damaged file is not silently forgotten.
 */
export function readJsonListFile<T>(path: string, schema: z.ZodType<T>, what: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`the ${what} file ${path} is damaged: it is not JSON`);
  }
  const parsed = (schema.array() as z.ZodType<T[]>).safeParse(json);
  if (!parsed.success) {
    throw new Error(`the ${what} file ${path} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Writes the records to a temporary file renamed over the old one, so a crash never leaves half a
 * file; an empty list removes the file.
 */
export function writeJsonListFile(path: string, records: readonly unknown[]): void {
  if (records.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

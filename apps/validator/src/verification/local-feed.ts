import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readListingsParquet } from '@resi/core';
import type { SourceCandidate, ZipcodeListingFeed } from './verification-source.js';

/** Feed formats the local feed reads. */
export const LOCAL_FEED_EXTENSIONS = ['.parquet', '.json', '.jsonl', '.ndjson'] as const;

async function readRows(path: string): Promise<SourceCandidate[]> {
  const extension = extname(path).toLowerCase();
  const bytes = await readFile(path);
  if (extension === '.parquet') return (await readListingsParquet(bytes)).rows;
  const text = bytes.toString('utf8');
  if (extension === '.json') {
    const document = JSON.parse(text) as unknown;
    const rows = Array.isArray(document) ? document : (document as { listings?: unknown } | null)?.listings;
    if (!Array.isArray(rows)) throw new Error(`${path} must hold an array of listings or {"listings": [...]}`);
    return rows as SourceCandidate[];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SourceCandidate);
}

/**
 * `file`: a feed of listings with the §7 column names on local disk, as a verification source —
 * the operator's own data, a snapshot, or the devnet's market. `path` is one file (Parquet, JSON
 * array or `{listings}`, JSON lines) holding any zipcodes, or a directory of per-zipcode files
 * named `<zipcode>.<ext>`.
 */
export class LocalListingFeed implements ZipcodeListingFeed {
  readonly name = 'file';
  private wholeFile: Promise<Map<string, SourceCandidate[]>> | undefined;

  constructor(private readonly path: string) {}

  async *fetchZipcode(request: { readonly zipcode: string }): AsyncIterable<SourceCandidate[]> {
    const info = await stat(this.path);
    if (info.isDirectory()) {
      const names = await readdir(this.path);
      const name = LOCAL_FEED_EXTENSIONS.map((extension) => `${request.zipcode}${extension}`).find((candidate) =>
        names.includes(candidate),
      );
      if (name !== undefined) yield await readRows(join(this.path, name));
      return;
    }
    this.wholeFile ??= readRows(this.path).then((rows) => {
      const byZipcode = new Map<string, SourceCandidate[]>();
      for (const row of rows) {
        const zipcode = typeof row.zipcode === 'string' ? row.zipcode : '';
        byZipcode.set(zipcode, [...(byZipcode.get(zipcode) ?? []), row]);
      }
      return byZipcode;
    });
    yield (await this.wholeFile).get(request.zipcode) ?? [];
  }
}

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMinerUploadMetadata, readListingsParquet, sha256Hex } from '@resi/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EpochWork, WorkStore } from '../store/work-store.js';
import { sampleListing } from '../../../../packages/sources/src/testing/listing-fixtures.test-utils.js';
import { assignmentFixture, makeTestSigner } from '../testing/protocol-fixtures.test-utils.js';
import { listingsPartName, packageEpoch } from './package-epoch.js';

let root: string;
let hotkey: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'resi-package-'));
  hotkey = (await makeTestSigner()).address;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ZIPCODES = ['19103', '19104', '19105'];
const NOW = new Date('2025-10-01T19:00:00.000Z');

/** An epoch with `perZipcode` listings collected in each of its three zipcodes. */
async function collectedEpoch(perZipcode: number): Promise<EpochWork> {
  const work = await new WorkStore(root).openEpoch(
    assignmentFixture({ zipcodes: ZIPCODES }),
    new Date('2025-10-01T16:01:00Z'),
  );
  for (const zipcode of ZIPCODES) {
    await work.saveZipcode({
      zipcode,
      completedAt: '2025-10-01T16:30:00.000Z',
      cutShort: false,
      rejects: {},
      duplicates: 0,
      listings: Array.from({ length: perZipcode }, (_, index) => sampleListing(zipcode, index)),
    });
  }
  return work;
}

const uploadFile = (work: EpochWork, name: string) => readFile(join(root, 'epochs', work.epochId, 'upload', name));

describe('packageEpoch', () => {
  it('writes one listings.parquet while the rows fit in a file, described by metadata.json', async () => {
    const work = await collectedEpoch(2);
    await packageEpoch(work, hotkey, NOW, { maxRowsPerFile: 6 });
    expect(work.state.package?.files.map((file) => file.name)).toEqual(['listings.parquet', 'metadata.json']);
    const parquet = new Uint8Array(await uploadFile(work, 'listings.parquet'));
    const metadata = parseMinerUploadMetadata(await uploadFile(work, 'metadata.json'));
    expect(metadata).toMatchObject({
      miner_hotkey: hotkey,
      mining_start_time: '2025-10-01T16:01:00.000Z',
      mining_end_time: NOW.toISOString(),
      total_listings: 6,
      zipcodes_completed: 3,
      files: { 'listings.parquet': { sha256: sha256Hex(parquet), bytes: parquet.byteLength, rows: 6 } },
    });
    expect((await readListingsParquet(parquet)).rows).toEqual(await work.allListings());
  });

  it('splits the rows over listings-0001.parquet, ... in collection order, each listed in metadata.json', async () => {
    const work = await collectedEpoch(3);
    await packageEpoch(work, hotkey, NOW, { maxRowsPerFile: 4 });
    const parts = ['listings-0001.parquet', 'listings-0002.parquet', 'listings-0003.parquet'];
    expect(work.state.package).toEqual({
      files: [...parts, 'metadata.json'].map((name) => ({
        name,
        bytes: expect.any(Number),
        sha256: expect.any(String),
      })),
      totalListings: 9,
    });
    const metadata = parseMinerUploadMetadata(await uploadFile(work, 'metadata.json'));
    expect(metadata.total_listings).toBe(9);
    expect(Object.keys(metadata.files)).toEqual(parts);
    const rows = [];
    for (const name of parts) {
      const parquet = new Uint8Array(await uploadFile(work, name));
      const part = await readListingsParquet(parquet);
      expect(metadata.files[name]).toEqual({
        sha256: sha256Hex(parquet),
        bytes: parquet.byteLength,
        rows: part.rows.length,
      });
      rows.push(...part.rows);
    }
    expect(Object.values(metadata.files).map((entry) => entry.rows)).toEqual([4, 4, 1]);
    expect(rows).toEqual(await work.allListings());
  });

  it('keeps the frozen package on a second call, whatever the row limit then', async () => {
    const work = await collectedEpoch(3);
    await packageEpoch(work, hotkey, NOW, { maxRowsPerFile: 4 });
    const frozen = work.state.package;
    const bytes = await uploadFile(work, 'listings-0001.parquet');
    await packageEpoch(work, hotkey, new Date('2025-10-01T19:30:00.000Z'));
    const reopened = (await new WorkStore(root).loadEpoch(work.epochId))!;
    await packageEpoch(reopened, hotkey, new Date('2025-10-01T19:30:00.000Z'));
    expect(reopened.state.package).toEqual(frozen);
    expect(await uploadFile(work, 'listings-0001.parquet')).toEqual(bytes);
    expect((await readdir(join(root, 'epochs', work.epochId, 'upload'))).sort()).toEqual([
      'listings-0001.parquet',
      'listings-0002.parquet',
      'listings-0003.parquet',
      'metadata.json',
    ]);
  });

  it('refuses a row limit that is not a positive integer', async () => {
    const work = await collectedEpoch(1);
    await expect(packageEpoch(work, hotkey, NOW, { maxRowsPerFile: 0 })).rejects.toThrow(RangeError);
    await expect(packageEpoch(work, hotkey, NOW, { maxRowsPerFile: 2.5 })).rejects.toThrow(RangeError);
    expect(work.state.package).toBeNull();
  });

  it('names parts with four digits, as PROTOCOL.md §6 and the metadata schema expect', () => {
    expect([1, 12, 9_999].map(listingsPartName)).toEqual([
      'listings-0001.parquet',
      'listings-0012.parquet',
      'listings-9999.parquet',
    ]);
  });
});

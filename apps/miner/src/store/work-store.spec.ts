import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleListing } from '../../../../packages/sources/src/testing/listing-fixtures.test-utils.js';
import { assignmentFixture } from '../testing/protocol-fixtures.test-utils.js';
import { acquireStateLock } from './state-lock.js';
import { WorkStore } from './work-store.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'resi-store-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const assignment = assignmentFixture({ zipcodes: ['19103', '19104', '19105'] });
const record = (zipcode: string, count: number) => ({
  zipcode,
  completedAt: '2025-10-01T16:30:00.000Z',
  cutShort: false,
  rejects: { invalid_price: 1 },
  duplicates: 0,
  listings: Array.from({ length: count }, (_, index) => sampleListing(zipcode, index)),
});

describe('WorkStore', () => {
  it('keeps finished zipcodes across reopening, and lists listings in assignment order', async () => {
    const store = new WorkStore(root);
    const work = await store.openEpoch(assignment, new Date('2025-10-01T16:01:00Z'));
    await work.saveZipcode(record('19105', 1));
    await work.saveZipcode(record('19103', 2));
    const reopened = (await store.loadEpoch(assignment.epochId))!;
    expect([...(await reopened.finishedZipcodes()).keys()].sort()).toEqual(['19103', '19105']);
    expect((await reopened.allListings()).map((listing) => listing.zipcode)).toEqual(['19103', '19103', '19105']);
    expect(reopened.state.miningStartTime).toBe('2025-10-01T16:01:00.000Z');
    const reopenedByAssignment = await store.openEpoch(assignment, new Date('2025-10-01T17:00:00Z'));
    expect(reopenedByAssignment.state.miningStartTime).toBe('2025-10-01T16:01:00.000Z');
  });

  it('freezes the package: recorded digests, refusal to repackage, and detection of a changed file', async () => {
    const store = new WorkStore(root);
    const work = await store.openEpoch(assignment);
    const content = new TextEncoder().encode('parquet bytes');
    await work.savePackage([{ name: 'listings.parquet', content }], 3);
    const reopened = (await store.loadEpoch(assignment.epochId))!;
    expect(reopened.state.package).toEqual({
      files: [{ name: 'listings.parquet', bytes: 13, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      totalListings: 3,
    });
    expect(await reopened.readPackagedFile('listings.parquet')).toEqual(content);
    await expect(reopened.savePackage([{ name: 'listings.parquet', content }], 3)).rejects.toThrow('already packaged');
    await writeFile(join(root, 'epochs', assignment.epochId, 'upload', 'listings.parquet'), 'tampered');
    await expect(reopened.readPackagedFile('listings.parquet')).rejects.toThrow('changed on disk');
  });

  it('records uploads and the final status, and leaves no temporary files behind', async () => {
    const store = new WorkStore(root);
    const work = await store.openEpoch(assignment);
    await work.markUploaded('listings.parquet');
    await work.markUploaded('listings.parquet');
    await work.markFinal('COMPLETED', new Date('2025-10-01T19:00:00Z'), null);
    const state = JSON.parse(await readFile(join(root, 'epochs', assignment.epochId, 'state.json'), 'utf8'));
    expect(state.uploadedFiles).toEqual(['listings.parquet']);
    expect(state.finalStatus).toEqual({ status: 'COMPLETED', reportedAt: '2025-10-01T19:00:00.000Z', reason: null });
    expect((await readdir(join(root, 'epochs', assignment.epochId))).filter((name) => name.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('prunes old finished epochs only', async () => {
    const store = new WorkStore(root);
    const done = await store.openEpoch(assignmentFixture({ epochId: '2025-10-01T08-00-00' }));
    await done.markFinal('COMPLETED', new Date(), null);
    await store.openEpoch(assignmentFixture({ epochId: '2025-10-01T12-00-00' }));
    await store.openEpoch(assignment);
    await store.prune(1);
    expect(await store.epochIds()).toEqual(['2025-10-01T12-00-00', '2025-10-01T16-00-00']);
  });
});

describe('acquireStateLock', () => {
  it('refuses a directory a live miner holds and takes over one left by a dead process', async () => {
    await writeFile(join(root, 'miner.lock'), `${process.ppid}\n`);
    await expect(acquireStateLock(root)).rejects.toThrow(`pid ${process.ppid}`);
    await writeFile(join(root, 'miner.lock'), '999999999\n');
    const release = await acquireStateLock(root);
    expect((await readFile(join(root, 'miner.lock'), 'utf8')).trim()).toBe(String(process.pid));
    await release();
    expect(await readdir(root)).toEqual([]);
  });
});

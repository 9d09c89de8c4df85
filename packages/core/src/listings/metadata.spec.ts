import { describe, expect, it } from 'vitest';
import { ResiError } from '../errors.js';
import {
  DATA_FORMAT_VERSION,
  listingsFileEntryOf,
  type MinerUploadMetadata,
  minerUploadMetadataSchema,
  parseMinerUploadMetadata,
  parseUploadMetadata,
  serializeMinerUploadMetadata,
  sha256Hex,
} from './metadata.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

const metadata: MinerUploadMetadata = {
  epoch_id: '2025-10-01T16-00-00',
  miner_hotkey: ALICE,
  epoch_nonce: '376ce532f42cf2a5',
  mining_start_time: '2025-10-01T16:05:00.000Z',
  mining_end_time: '2025-10-01T19:45:00.000Z',
  total_listings: 1250,
  zipcodes_completed: 25,
  data_format_version: DATA_FORMAT_VERSION,
  files: {
    'listings.parquet': { sha256: 'a'.repeat(64), bytes: 48_213, rows: 1000 },
    'listings-0001.parquet': { sha256: 'b'.repeat(64), bytes: 12_007, rows: 250 },
  },
};

function issuePaths(value: unknown): string[] {
  const result = minerUploadMetadataSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes only the view, not the whole underlying buffer', () => {
    const buffer = new TextEncoder().encode('xxabcxx');
    expect(sha256Hex(buffer.subarray(2, 5))).toBe(sha256Hex(new TextEncoder().encode('abc')));
  });
});

describe('listingsFileEntryOf', () => {
  it('records digest, size and row count', () => {
    const bytes = new TextEncoder().encode('abc');
    expect(listingsFileEntryOf(bytes, 7)).toEqual({ sha256: sha256Hex(bytes), bytes: 3, rows: 7 });
  });
});

describe('minerUploadMetadataSchema', () => {
  it('accepts the seed example extended with nonce and files', () => {
    expect(issuePaths(metadata)).toEqual([]);
  });

  it.each([
    ['epoch_id', '2025-10-01T16:00:00'],
    ['miner_hotkey', '5H2WNbNfkRmHWJGdEUzZyVd7jZuP3BkwNDYgZQF8a1BcKwGy'],
    ['epoch_nonce', ''],
    ['mining_start_time', '2025-10-01T16:05:00.000'],
    ['mining_end_time', 1759345500],
    ['total_listings', -1],
    ['zipcodes_completed', 2.5],
    ['data_format_version', '1.0'],
  ])('rejects a bad %s', (field, value) => {
    expect(issuePaths({ ...metadata, [field]: value })).toContain(field);
  });

  it('rejects a missing field', () => {
    const { epoch_nonce: _omitted, ...withoutNonce } = metadata;
    expect(issuePaths(withoutNonce)).toEqual(['epoch_nonce']);
  });

  it('requires at least one file, named as §6 allows, with a well-formed entry', () => {
    expect(issuePaths({ ...metadata, total_listings: 0, files: {} })).toEqual(['files']);
    expect(issuePaths({ ...metadata, files: { 'data.parquet': metadata.files['listings.parquet'] } })).toContain(
      'files.data.parquet',
    );
    const badDigest = { ...metadata.files, 'listings.parquet': { sha256: 'A'.repeat(64), bytes: 1, rows: 1000 } };
    expect(issuePaths({ ...metadata, files: badDigest })).toEqual(['files.listings.parquet.sha256']);
  });

  it('requires total_listings to equal the rows of the files', () => {
    expect(issuePaths({ ...metadata, total_listings: 1249 })).toEqual(['total_listings']);
  });

  it('rejects a mining window that ends before it starts', () => {
    expect(issuePaths({ ...metadata, mining_end_time: '2025-10-01T16:00:00Z' })).toEqual(['mining_end_time']);
  });
});

describe('parseMinerUploadMetadata / serializeMinerUploadMetadata', () => {
  it('round-trips through text and through UTF-8 bytes', () => {
    const text = serializeMinerUploadMetadata(metadata);
    expect(text).toContain('\n  "epoch_id": "2025-10-01T16-00-00",\n');
    expect(parseMinerUploadMetadata(text)).toEqual(metadata);
    expect(parseMinerUploadMetadata(new TextEncoder().encode(text))).toEqual(metadata);
  });

  it('throws VALIDATION_FAILED naming the broken field', () => {
    const text = JSON.stringify({ ...metadata, zipcodes_completed: 'all' });
    expect(() => parseMinerUploadMetadata(text)).toThrow(ResiError);
    expect(() => parseMinerUploadMetadata(text)).toThrow(/zipcodes_completed/);
  });

  it('throws VALIDATION_FAILED for text that is not JSON', () => {
    let thrown: unknown;
    try {
      parseMinerUploadMetadata('{"epoch_id": ');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResiError);
    expect((thrown as ResiError).code).toBe('VALIDATION_FAILED');
    expect((thrown as ResiError).message).toMatch(/not JSON/);
  });

  it('refuses to serialise metadata validators would reject', () => {
    expect(() => serializeMinerUploadMetadata({ ...metadata, total_listings: 1 })).toThrow(/total_listings/);
  });
});

describe('parseUploadMetadata', () => {
  // The seed's example, as the deployed Python miner writes it (isoformat() has no zone).
  const seed = {
    epoch_id: '2025-10-01T16-00-00',
    miner_hotkey: ALICE,
    mining_start_time: '2025-10-01T16:05:00.123456',
    mining_end_time: '2025-10-01T19:45:00',
    total_listings: 1250,
    zipcodes_completed: 25,
    data_format_version: '2.0',
  };

  it("reads the seed's metadata.json as the seed format, its free fields as they are", () => {
    expect(parseUploadMetadata(JSON.stringify(seed))).toEqual({ format: 'seed', metadata: seed });
    const { total_listings: _total, mining_start_time: _start, ...minimal } = seed;
    expect(parseUploadMetadata(JSON.stringify(minimal)).format).toBe('seed');
  });

  it("reads a document with a nonce or a file list as this protocol's, whole", () => {
    expect(parseUploadMetadata(serializeMinerUploadMetadata(metadata))).toEqual({ format: 'resi', metadata });
    // Naming epoch_nonce without files (or files without a nonce) never falls back to the seed's format.
    for (const document of [
      { ...seed, epoch_nonce: '376ce532f42cf2a5' },
      { ...seed, files: metadata.files },
      { ...seed, epoch_nonce: null },
    ]) {
      expect(() => parseUploadMetadata(JSON.stringify(document))).toThrow(/metadata\.json is invalid/);
    }
  });

  it('still requires the identity fields of the seed format', () => {
    const { miner_hotkey: _hotkey, ...anonymous } = seed;
    expect(() => parseUploadMetadata(JSON.stringify(anonymous))).toThrow(/miner_hotkey/);
    expect(() => parseUploadMetadata(JSON.stringify({ ...seed, epoch_id: 'today' }))).toThrow(/epoch_id/);
    expect(() => parseUploadMetadata('[1, 2]')).toThrow(ResiError);
    expect(() => parseUploadMetadata('{')).toThrow(/not JSON/);
  });
});

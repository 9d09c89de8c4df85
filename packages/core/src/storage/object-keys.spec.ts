import { describe, expect, it } from 'vitest';
import { uploadFileNameSchema } from '../schemas/storage.js';
import {
  hotkeyOfMinerStorageFolder,
  isStorageFileName,
  minerEpochStorageFolder,
  minerObjectKey,
  minerStorageFolder,
  validationResultsObjectKey,
  validatorEpochStorageFolder,
} from './object-keys.js';

const HOTKEY = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const EPOCH = '2025-10-01T16-00-00';

describe('storage object keys (PROTOCOL.md §6)', () => {
  it('builds the miner and validator keys of the protocol', () => {
    expect(minerStorageFolder(HOTKEY)).toBe(`data/hotkey=${HOTKEY}/`);
    expect(minerEpochStorageFolder(HOTKEY, EPOCH)).toBe(`data/hotkey=${HOTKEY}/epoch=${EPOCH}/`);
    expect(minerObjectKey(HOTKEY, EPOCH, 'listings-0001.parquet')).toBe(
      `data/hotkey=${HOTKEY}/epoch=${EPOCH}/listings-0001.parquet`,
    );
    expect(validatorEpochStorageFolder(HOTKEY, EPOCH)).toBe(`validators/hotkey=${HOTKEY}/epoch=${EPOCH}/`);
    expect(validationResultsObjectKey(HOTKEY, EPOCH)).toBe(
      `validators/hotkey=${HOTKEY}/epoch=${EPOCH}/validation_results.json`,
    );
  });

  it('refuses parts that would escape or blur the folder', () => {
    expect(() => minerStorageFolder('5Fx/../other')).toThrow(RangeError);
    expect(() => minerEpochStorageFolder(HOTKEY, '2025-10-01T16-00-00/..')).toThrow(RangeError);
    for (const name of ['../listings.parquet', 'a/b.parquet', '.hidden', 'x..y', '', 'a'.repeat(129)]) {
      expect(() => minerObjectKey(HOTKEY, EPOCH, name), name).toThrow(RangeError);
    }
  });

  it('agrees with the wire schema on which file names are plain', () => {
    for (const name of ['listings.parquet', 'metadata.json', 'a_b-c.d', '../x', 'x/y', '.x', 'a..b', 'a'.repeat(128)]) {
      expect(isStorageFileName(name), name).toBe(uploadFileNameSchema.safeParse(name).success);
    }
  });

  it('reads the hotkey back from a listed miner folder, and nothing else', () => {
    expect(hotkeyOfMinerStorageFolder(`data/hotkey=${HOTKEY}/`)).toBe(HOTKEY);
    expect(hotkeyOfMinerStorageFolder(`data/hotkey=${HOTKEY}`)).toBeUndefined();
    expect(hotkeyOfMinerStorageFolder('data/hotkey=not-a-key/')).toBeUndefined();
    expect(hotkeyOfMinerStorageFolder(`validators/hotkey=${HOTKEY}/`)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_METADATA_BYTES, minerEpochUploadCaps, withinUploadCaps } from './upload-caps.js';

const key = (name: string) => `data/hotkey=H/epoch=E/${name}`;

describe('minerEpochUploadCaps', () => {
  it('derives listings, objects and bytes from the target', () => {
    expect(minerEpochUploadCaps(10_000)).toEqual({
      maxListings: 100_000,
      maxObjects: 17,
      maxBytes: 100_000 * 1024 + MAX_METADATA_BYTES,
    });
    // A large target allows more parts: one per 10,000 rows of its listing cap.
    expect(minerEpochUploadCaps(1_000_000).maxObjects).toBe(1001);
    expect(() => minerEpochUploadCaps(0)).toThrow(RangeError);
  });
});

describe('withinUploadCaps', () => {
  const caps = { maxListings: 10, maxObjects: 3, maxBytes: 1000 };

  it('keeps metadata.json first, then keys in order, and says what it ignored past the object cap', () => {
    const objects = ['listings-0003.parquet', 'listings-0001.parquet', 'listings-0002.parquet', 'metadata.json'].map(
      (name) => ({ key: key(name), size: 10 }),
    );
    const { kept, ignored } = withinUploadCaps(objects, caps);
    expect(kept.map((o) => o.key)).toEqual([
      key('listings-0001.parquet'),
      key('listings-0002.parquet'),
      key('metadata.json'),
    ]);
    expect(ignored).toMatchObject({ objects: 1, bytes: 10 });
    expect(ignored!.reason).toContain('more than 3 objects');
  });

  it('ignores what would pass the byte cap', () => {
    const objects = [
      { key: key('metadata.json'), size: 100 },
      { key: key('listings-0001.parquet'), size: 800 },
      { key: key('listings-0002.parquet'), size: 200 },
    ];
    const { kept, ignored } = withinUploadCaps(objects, caps);
    expect(kept.map((o) => o.size)).toEqual([800, 100]);
    expect(ignored).toMatchObject({ objects: 1, bytes: 200 });
    expect(ignored!.reason).toContain('more than 1000 bytes');
    expect(withinUploadCaps(objects.slice(0, 2), caps).ignored).toBeNull();
  });
});

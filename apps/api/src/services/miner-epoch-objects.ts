import {
  type MinerEpochUploadCaps,
  minerEpochStorageFolder,
  minerObjectKey,
  withinUploadCaps,
  type CappedObjects,
} from '@resi/core';
import type { StorageObjectInfo, StorageRepository } from '../repositories/storage.repository.js';

/** Objects listed past a miner's cap, so `ignored` says there were more without listing them all. */
const LISTED_PAST_CAP = 1;

/**
 * One miner's objects of one epoch as validators may see them: a listing that stops a little past
 * the epoch's object cap (a miner storing millions of objects costs one page), `metadata.json`
 * always included (keys sorting before it may fill the listing), then `withinUploadCaps`. Every
 * route that shows validators a miner's objects goes through here, so they all apply core's caps.
 */
export async function minerEpochObjects(
  s3: StorageRepository,
  hotkey: string,
  epochId: string,
  caps: MinerEpochUploadCaps,
): Promise<CappedObjects<StorageObjectInfo>> {
  const objects = await s3.listObjects(minerEpochStorageFolder(hotkey, epochId), caps.maxObjects + LISTED_PAST_CAP);
  const metadataKey = minerObjectKey(hotkey, epochId, 'metadata.json');
  if (objects.length > caps.maxObjects && !objects.some((object) => object.key === metadataKey)) {
    const metadata = await s3.headObject(metadataKey);
    if (metadata) objects.push(metadata);
  }
  return withinUploadCaps(objects, caps);
}

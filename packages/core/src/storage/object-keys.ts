import { isSs58Address } from '../crypto/ss58.js';
import { EPOCH_ID_PATTERN } from '../epochs/epoch-id.js';

/**
 * Object keys of the shared bucket (PROTOCOL.md §6). The API scopes presigned grants to these
 * prefixes, miners upload under them and validators read them back, so all three build keys here.
 *
 * - miner objects: `data/hotkey={hotkey}/epoch={epochId}/{fileName}`
 * - validator objects: `validators/hotkey={hotkey}/epoch={epochId}/validation_results.json`
 */
export const MINER_STORAGE_ROOT = 'data/';
export const VALIDATOR_STORAGE_ROOT = 'validators/';
/** What every miner folder starts with; list it with delimiter `/` to find every miner that uploaded. */
export const MINER_STORAGE_HOTKEY_PREFIX = `${MINER_STORAGE_ROOT}hotkey=`;
export const VALIDATION_RESULTS_FILE_NAME = 'validation_results.json';

/** A plain file name: the last key segment, never `/` or a leading dot (`..` is refused separately). */
export const STORAGE_FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkHotkey(hotkey: string): string {
  if (!isSs58Address(hotkey)) throw new RangeError(`not an SS58 hotkey: ${JSON.stringify(hotkey)}`);
  return hotkey;
}

function checkEpochId(epochId: string): string {
  if (!EPOCH_ID_PATTERN.test(epochId)) throw new RangeError(`not an epoch ID: ${JSON.stringify(epochId)}`);
  return epochId;
}

/** Whether `name` may be the last segment of a storage key (`listings.parquet`, `metadata.json`, ...). */
export function isStorageFileName(name: string): boolean {
  return STORAGE_FILE_NAME_PATTERN.test(name) && !name.includes('..');
}

/** `data/hotkey={hotkey}/`: everything a miner may write. Throws RangeError on a non-SS58 hotkey. */
export function minerStorageFolder(hotkey: string): string {
  return `${MINER_STORAGE_HOTKEY_PREFIX}${checkHotkey(hotkey)}/`;
}

/** `data/hotkey={hotkey}/epoch={epochId}/`: one miner's submission for one epoch. */
export function minerEpochStorageFolder(hotkey: string, epochId: string): string {
  return `${minerStorageFolder(hotkey)}epoch=${checkEpochId(epochId)}/`;
}

/** `data/hotkey={hotkey}/epoch={epochId}/{fileName}`. Throws RangeError when a part cannot be a key segment. */
export function minerObjectKey(hotkey: string, epochId: string, fileName: string): string {
  if (!isStorageFileName(fileName)) throw new RangeError(`not a plain file name: ${JSON.stringify(fileName)}`);
  return `${minerEpochStorageFolder(hotkey, epochId)}${fileName}`;
}

/** `validators/hotkey={hotkey}/epoch={epochId}/`. */
export function validatorEpochStorageFolder(hotkey: string, epochId: string): string {
  return `${VALIDATOR_STORAGE_ROOT}hotkey=${checkHotkey(hotkey)}/epoch=${checkEpochId(epochId)}/`;
}

/** `validators/hotkey={hotkey}/epoch={epochId}/validation_results.json`. */
export function validationResultsObjectKey(hotkey: string, epochId: string): string {
  return `${validatorEpochStorageFolder(hotkey, epochId)}${VALIDATION_RESULTS_FILE_NAME}`;
}

/** The hotkey of a miner folder prefix such as `data/hotkey=5F…/`; undefined for anything else. */
export function hotkeyOfMinerStorageFolder(prefix: string): string | undefined {
  if (!prefix.startsWith(MINER_STORAGE_HOTKEY_PREFIX) || !prefix.endsWith('/')) return undefined;
  const hotkey = prefix.slice(MINER_STORAGE_HOTKEY_PREFIX.length, -1);
  return isSs58Address(hotkey) ? hotkey : undefined;
}

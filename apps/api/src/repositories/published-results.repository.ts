import { Inject, Injectable } from '@nestjs/common';
import {
  parseValidationResultsFile,
  VALIDATOR_STORAGE_ROOT,
  validationResultsObjectKey,
  type ValidationResultsFile,
} from '@resi/core';
import type { StorageRepository } from './storage.repository.js';
import { STORAGE } from '../tokens.js';

/** A results file larger than this is not read (250 miners × every zipcode stays far below it). */
export const MAX_RESULTS_FILE_BYTES = 32 * 1024 * 1024;
const PRESIGN_SECONDS = 60;
const VALIDATOR_FOLDER = new RegExp(`^${VALIDATOR_STORAGE_ROOT}hotkey=([^/]+)/$`);

/** A results file one validator published for an epoch, or why it could not be used. */
export type PublishedResults =
  { validator: string; file: ValidationResultsFile } | { validator: string; file: null; problem: string };

/**
 * The `validation_results.json` files validators uploaded to their own storage prefix
 * (`validators/hotkey={hotkey}/epoch={epochId}/`, PROTOCOL.md §6). The bucket only accepts
 * validator uploads through grants scoped to that prefix, so a file there is its validator's.
 */
@Injectable()
export class PublishedResultsRepository {
  constructor(@Inject(STORAGE) private readonly storage: StorageRepository) {}

  /** Every validator's results file for `epochId`, checked (schema, digest, epoch, hotkey). */
  async forEpoch(epochId: string): Promise<PublishedResults[]> {
    const folders = await this.storage.listFolders(VALIDATOR_STORAGE_ROOT);
    const validators = folders.flatMap((folder) => VALIDATOR_FOLDER.exec(folder)?.[1] ?? []);
    const found = await Promise.all(validators.map((validator) => this.forValidator(validator, epochId)));
    return found.filter((entry): entry is PublishedResults => entry !== undefined);
  }

  /** One validator's results file for `epochId`, checked like the others; undefined when it published none. */
  async forValidator(validator: string, epochId: string): Promise<PublishedResults | undefined> {
    let key: string;
    try {
      key = validationResultsObjectKey(validator, epochId);
    } catch {
      return undefined; // a folder that is not an SS58 hotkey holds nothing of a validator
    }
    const head = await this.storage.headObject(key);
    if (!head) return undefined;
    if (head.size > MAX_RESULTS_FILE_BYTES) {
      return { validator, file: null, problem: `results file of ${head.size} bytes exceeds ${MAX_RESULTS_FILE_BYTES}` };
    }
    // The storage repository hands out presigned URLs rather than bodies; the API reads like any client.
    const response = await fetch(await this.storage.presignGet(key, PRESIGN_SECONDS));
    if (!response.ok) return { validator, file: null, problem: `storage answered HTTP ${response.status}` };
    try {
      const file = parseValidationResultsFile(await response.text());
      if (file.epoch_id !== epochId || file.validator_hotkey !== validator) {
        return { validator, file: null, problem: 'file names another epoch or validator than its key' };
      }
      return { validator, file };
    } catch (error) {
      return { validator, file: null, problem: (error as Error).message };
    }
  }
}

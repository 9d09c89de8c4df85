import { createHash } from 'node:crypto';
import {
  CREDIBILITY_DEFAULTS,
  EMPTY_CREDIBILITY,
  applyCredibility,
  buildValidationResultsFile,
  credibilityMinersOf,
  type EpochScoringContext,
  type MinerEvidence,
  scoreEpoch,
  serializeValidationResults,
  type ValidationResultsFile,
  validationResultsObjectKey,
} from '@resi/core';
import type { StorageRepository } from '../src/repositories/storage.repository.js';

/** Scores `evidence` as a validator would and builds its results file. */
export function resultsFileFor(
  context: EpochScoringContext,
  evidence: readonly MinerEvidence[],
  validatorHotkey: string,
): ValidationResultsFile {
  const sheet = scoreEpoch(context, evidence);
  const { changes } = applyCredibility(EMPTY_CREDIBILITY, {
    epochId: context.epochId,
    abstained: false,
    miners: credibilityMinersOf(sheet),
  });
  return buildValidationResultsFile({
    context,
    evidence,
    sheet,
    validatorHotkey,
    credibility: { params: CREDIBILITY_DEFAULTS, changes },
  });
}

/** Puts a results file where a validator's upload grant would (its own prefix), bytes as it writes them. */
export async function publishResultsFile(storage: StorageRepository, file: ValidationResultsFile): Promise<void> {
  const body = Buffer.from(serializeValidationResults(file));
  const grant = await storage.presignPut({
    key: validationResultsObjectKey(file.validator_hotkey, file.epoch_id),
    bytes: body.length,
    sha256Hex: createHash('sha256').update(body).digest('hex'),
    expiresInSeconds: 60,
  });
  const response = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body });
  if (!response.ok)
    throw new Error(`storage refused the results file: HTTP ${response.status} ${await response.text()}`);
}

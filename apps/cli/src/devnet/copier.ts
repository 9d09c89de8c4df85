import { setTimeout as delay } from 'node:timers/promises';
import { type WalletLocation, loadHotkey, signerFromKeypair } from '@resi/core';
import { type EpochWork, MinerApiClient, Uploader, WorkStore, collectionSnapshot, packageEpoch } from '@resi/miner';
import type { Say } from './narration.js';

export interface CopierOptions {
  readonly name: string;
  readonly apiUrl: string;
  readonly wallet: WalletLocation;
  /** The copier's own work store. */
  readonly stateDir: string;
  /** The work store of the honest miner it copies. */
  readonly victimStateDir: string;
  readonly victimName: string;
  readonly pollMs?: number;
  readonly say: Say;
}

export interface Copier {
  stop(): Promise<void>;
}

/**
 * The devnet's copier: it collects nothing. Once the miner it copies has uploaded an epoch, it
 * takes that miner's rows value for value and submits them as its own — its own assignment
 * nonce, its own metadata, the API's own upload route and status reports, all through the miner's
 * real client, packaging and uploader. What the validators must notice is that the same rows
 * reached storage earlier under another hotkey.
 */
export async function startCopier(options: CopierOptions): Promise<Copier> {
  const hotkey = await loadHotkey(options.wallet);
  const api = new MinerApiClient({ baseUrl: options.apiUrl, signer: signerFromKeypair(hotkey.keypair) });
  const uploader = new Uploader(api, { method: 'per-file' });
  const own = new WorkStore(options.stateDir);
  const victim = new WorkStore(options.victimStateDir);
  const controller = new AbortController();
  /** Epochs settled this run (done, or no longer the current one). */
  const settled = new Set<string>();

  const copyNewest = async (): Promise<void> => {
    const epochId = (await victim.epochIds()).at(-1);
    if (epochId === undefined || settled.has(epochId)) return;
    const mine = await own.loadEpoch(epochId);
    if (mine?.state.finalStatus) {
      settled.add(epochId);
      return;
    }
    const source = await victim.loadEpoch(epochId);
    if (!source?.state.uploadCompletedAt) return;
    const work = mine ?? (await openCurrent(epochId));
    if (!work) {
      settled.add(epochId);
      return;
    }
    await copyEpoch(source, work);
    settled.add(epochId);
  };

  const openCurrent = async (epochId: string): Promise<EpochWork | undefined> => {
    const assignment = await api.currentAssignments(controller.signal);
    return assignment.epochId === epochId ? own.openEpoch(assignment) : undefined;
  };

  const copyEpoch = async (source: EpochWork, work: EpochWork): Promise<void> => {
    if (!work.state.package) {
      const done = await work.finishedZipcodes();
      const assigned = new Set(work.state.assignment.zipcodes.map((zipcode) => zipcode.zipcode));
      for (const record of (await source.finishedZipcodes()).values()) {
        if (assigned.has(record.zipcode) && !done.has(record.zipcode)) await work.saveZipcode(record);
      }
      await packageEpoch(work, api.hotkey, new Date());
    }
    if (!work.state.uploadCompletedAt) {
      await uploader.upload(work, controller.signal);
      await work.markUploadComplete(new Date());
    }
    const snapshot = await collectionSnapshot(work);
    await api.updateStatus(
      {
        epochId: work.epochId,
        nonce: work.state.assignment.nonce,
        status: 'COMPLETED',
        listingsScraped: snapshot.listingsScraped,
        ...(snapshot.zipcodesCompleted.length > 0 ? { zipcodesCompleted: snapshot.zipcodesCompleted } : {}),
        s3UploadComplete: true,
        s3UploadTimestamp: work.state.uploadCompletedAt ?? new Date().toISOString(),
      },
      controller.signal,
    );
    await work.markFinal('COMPLETED', new Date(), null);
    options.say(
      `${options.name} re-uploaded ${snapshot.listingsScraped} listings of ${options.victimName} as its own`,
      work.epochId,
    );
  };

  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await copyNewest();
      } catch (error) {
        if (!controller.signal.aborted) options.say(`${options.name}: ${(error as Error).message}; retrying`);
      }
      await delay(options.pollMs ?? 2_000, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();

  return {
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}

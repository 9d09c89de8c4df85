import { setTimeout as delay } from 'node:timers/promises';
import { type Listing, type WalletLocation, loadHotkey, signerFromKeypair } from '@resi/core';
import { type EpochWork, MinerApiClient, Uploader, WorkStore, collectionSnapshot, packageEpoch } from '@resi/miner';
import type { Say } from './narration.js';

/** What an in-process devnet miner submits for an epoch. */
export interface ActorSubmission {
  /** Rows by the assigned zipcode they are filed under (the rows themselves may claim any zipcode). */
  readonly rowsByZipcode: ReadonlyMap<string, readonly Listing[]>;
  /** Listings its status report claims; default the rows it uploads. */
  readonly claimedListings?: number;
  /** Rows per listings file (another split of the same rows); default the miner's. */
  readonly maxRowsPerFile?: number;
  /** What the devnet says once it is submitted. */
  readonly line: string;
}

/** What an actor builds its submission from: the epoch its peer uploaded, and its own. */
export interface ActorEpoch {
  /** The peer's work for the epoch, uploaded. */
  readonly peer: EpochWork;
  /** The actor's own work for the epoch (its assignment, nonce, zipcodes). */
  readonly own: EpochWork;
}

export interface MinerActorOptions {
  readonly name: string;
  readonly apiUrl: string;
  readonly wallet: WalletLocation;
  /** The actor's own work store. */
  readonly stateDir: string;
  /** The miner whose upload starts the actor's turn each epoch. */
  readonly peer: { readonly name: string; readonly stateDir: string };
  readonly pollMs?: number;
  readonly say: Say;
}

export interface MinerActor {
  stop(): Promise<void>;
}

/**
 * A devnet miner played in-process, without a miner process of its own (the devnet's misbehaving
 * miners: copier, sybils, fabricators that know the protocol, ...). Each epoch, once its peer has
 * uploaded, it builds its rows (`build`) and submits them as a miner does: its own assignment nonce
 * and metadata, the API's upload route and status reports, all through the miner's real client,
 * packaging and uploader, its progress kept in a work store so a restart resumes it. Only what it
 * uploads is its own; how it is caught is the validators' business.
 */
export async function startMinerActor(
  options: MinerActorOptions,
  build: (epoch: ActorEpoch) => Promise<ActorSubmission>,
): Promise<MinerActor> {
  const hotkey = await loadHotkey(options.wallet);
  const api = new MinerApiClient({ baseUrl: options.apiUrl, signer: signerFromKeypair(hotkey.keypair) });
  const uploader = new Uploader(api, { method: 'per-file' });
  const own = new WorkStore(options.stateDir);
  const peer = new WorkStore(options.peer.stateDir);
  const controller = new AbortController();
  /** Epochs settled this run (done, or no longer the current one). */
  const settled = new Set<string>();

  const submitNewest = async (): Promise<void> => {
    const epochId = (await peer.epochIds()).at(-1);
    if (epochId === undefined || settled.has(epochId)) return;
    const mine = await own.loadEpoch(epochId);
    if (mine?.state.finalStatus) {
      settled.add(epochId);
      return;
    }
    const peerWork = await peer.loadEpoch(epochId);
    if (!peerWork?.state.uploadCompletedAt) return;
    const work = mine ?? (await openCurrent(epochId));
    if (!work) {
      settled.add(epochId);
      return;
    }
    await submit(work, work.state.package ? undefined : await build({ peer: peerWork, own: work }));
    settled.add(epochId);
  };

  const openCurrent = async (epochId: string): Promise<EpochWork | undefined> => {
    const assignment = await api.currentAssignments(controller.signal);
    return assignment.epochId === epochId ? own.openEpoch(assignment) : undefined;
  };

  /** Packages `submission` (none: packaged before a restart), uploads, reports COMPLETED. */
  const submit = async (work: EpochWork, submission: ActorSubmission | undefined): Promise<void> => {
    if (submission) {
      const done = await work.finishedZipcodes();
      const completedAt = new Date().toISOString();
      for (const [zipcode, listings] of submission.rowsByZipcode) {
        if (done.has(zipcode)) continue;
        await work.saveZipcode({ zipcode, completedAt, cutShort: false, rejects: {}, duplicates: 0, listings });
      }
      await packageEpoch(
        work,
        api.hotkey,
        new Date(),
        submission.maxRowsPerFile ? { maxRowsPerFile: submission.maxRowsPerFile } : {},
      );
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
        listingsScraped: submission?.claimedListings ?? snapshot.listingsScraped,
        ...(snapshot.zipcodesCompleted.length > 0 ? { zipcodesCompleted: snapshot.zipcodesCompleted } : {}),
        s3UploadComplete: true,
        s3UploadTimestamp: work.state.uploadCompletedAt ?? new Date().toISOString(),
      },
      controller.signal,
    );
    await work.markFinal('COMPLETED', new Date(), null);
    options.say(
      `${options.name} ${submission?.line ?? `submitted ${snapshot.listingsScraped} listings`}`,
      work.epochId,
    );
  };

  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await submitNewest();
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

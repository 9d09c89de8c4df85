import type { Listing } from '@resi/core';
import { type MinerActor, type MinerActorOptions, startMinerActor } from './miner-actor.js';

/**
 * The devnet's copier: it collects nothing. Once the miner it copies (its peer) has uploaded an
 * epoch, it takes that miner's rows value for value and submits them as its own. What the
 * validators must notice is that the same rows reached storage earlier under another hotkey.
 */
export function startCopier(options: MinerActorOptions): Promise<MinerActor> {
  return startMinerActor(options, async ({ peer, own }) => {
    const assigned = new Set(own.state.assignment.zipcodes.map((zipcode) => zipcode.zipcode));
    const rowsByZipcode = new Map<string, readonly Listing[]>();
    for (const record of (await peer.finishedZipcodes()).values())
      if (assigned.has(record.zipcode)) rowsByZipcode.set(record.zipcode, record.listings);
    const rows = [...rowsByZipcode.values()].reduce((sum, listings) => sum + listings.length, 0);
    return { rowsByZipcode, line: `re-uploaded ${rows} listings of ${options.peer.name} as its own` };
  });
}

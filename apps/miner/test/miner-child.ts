/**
 * The miner as its own process, configured only by environment variables (as `resi miner` with
 * no flags): what the crash and end-to-end tests start, kill and restart. Run with
 * `node --import tsx apps/miner/test/miner-child.ts` from the repository root.
 */
import { resolveWalletLocation } from '@resi/core';
import { parseMinerConfig, startMiner } from '@resi/miner';

const miner = await startMiner(parseMinerConfig({}, process.env), resolveWalletLocation({}, process.env));
process.on('SIGTERM', () => miner.stop());
await miner.done;

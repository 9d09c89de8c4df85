import { z } from 'zod';
import { isSs58Address } from './crypto/ss58.js';

const ss58 = z.string().refine(isSs58Address, 'must be an SS58 address with prefix 42');

/** One registered neuron, as the API needs it for authorisation. */
export const neuronSchema = z.object({
  uid: z.number().int().min(0),
  hotkey: ss58,
  coldkey: ss58,
  validatorPermit: z.boolean(),
  /**
   * The hotkey's stake on this subnet in whole units of the subnet's token (alpha, 1 = 10^9 rao),
   * as subtensor reports it (TotalHotkeyAlpha, the metagraph runtime API's total stake); TAO only
   * on an old runtime without subnet tokens. `VALIDATOR_MIN_STAKE` is in the same unit.
   */
  stake: z.number().min(0),
});
export type Neuron = z.infer<typeof neuronSchema>;

/**
 * The metagraph file (`METAGRAPH_FILE`) that stands in for the chain on a local devnet and in
 * tests: the same facts the chain-backed metagraph reads from subtensor.
 */
export const metagraphFileSchema = z.object({
  netuid: z.number().int().min(0).default(46),
  block: z.number().int().min(0).optional(),
  neurons: z.array(neuronSchema).refine((list) => new Set(list.map((n) => n.hotkey)).size === list.length, {
    message: 'a hotkey appears twice',
  }),
});
export type MetagraphFile = z.infer<typeof metagraphFileSchema>;

/** Validators must hold a permit and at least `minStake` of stake, in the unit of `Neuron.stake` (alpha) (PROTOCOL.md §2). */
export function isValidatorNeuron(neuron: Neuron, minStake: number): boolean {
  return neuron.validatorPermit && neuron.stake >= minStake;
}

/** How fresh a metagraph source is; the API's health check reports it. */
export interface MetagraphHealth {
  status: 'ok' | 'stale' | 'unavailable';
  /** `kind:detail`, e.g. `file:/path/metagraph.json` or `chain:wss://…#46`. */
  source: string;
  neurons: number;
  /** Seconds since the last successful load or sync. */
  ageSeconds: number | null;
  error?: string;
}

/**
 * Who is registered on the subnet: the answers authorisation needs. Implemented by the file
 * metagraph (local use) and the chain metagraph (`@resi/chain`).
 */
export interface MetagraphSource {
  byHotkey(hotkey: string): Neuron | undefined;
  all(): readonly Neuron[];
  health(): MetagraphHealth;
  close(): Promise<void>;
}

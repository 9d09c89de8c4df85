/**
 * @resi/core — the resi protocol in one place (PROTOCOL.md). Pure functions and zod schemas; the
 * API server, the miner and the validator import these rather than re-implementing a rule.
 */
export * from './errors.js';
export * from './crypto/ss58.js';
export * from "./metagraph.js";
export * from "./epochs/index.js";
export * from "./listings/listing.js";

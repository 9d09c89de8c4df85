/**
 * @resi/core — the resi protocol in one place (PROTOCOL.md). Pure functions and zod schemas; the
 * API server, the miner and the validator import these rather than re-implementing a rule.
 */
export * from './errors.js';
export * from './protocol-version.js';
export * from './epochs/index.js';
export * from './auth/index.js';
export * from './crypto/ss58.js';
export * from './crypto/signatures.js';
export * from './wallet/keyfile.js';
export * from './wallet/sr25519-keys.js';
export * from './wallet/wallet.js';
export * from './wallet/dev-wallet.js';
export * from './metagraph.js';
export * from './schemas/index.js';
export * from './listings/listing.js';
export * from './listings/metadata.js';
export * from './listings/parquet.js';
export * from './storage/object-keys.js';
export * from './storage/upload-caps.js';
export * from './weights/weights.js';
export * from './scoring/index.js';

/**
 * @resi/chain — Bittensor access: the metagraph read from subtensor and weight setting, over
 * `@polkadot/api`. The pure weight maths lives in `@resi/core` (the validator prints it too).
 */
export * from './networks.js';
export * from './connect.js';
export * from './metadata-check.js';
export * from './metagraph-reader.js';
export * from './chain-metagraph.js';
export * from './commit-reveal.js';
export * from './keyring-pair.js';
export * from './submit.js';
export * from './weight-setter.js';
export * from './timelock.js';
export * from './timelocked-commits.js';

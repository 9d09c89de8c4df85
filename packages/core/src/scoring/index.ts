/** Scoring a miner's epoch, rewards per zipcode and the results file (PROTOCOL.md §8). */
export * from './score-components.js';
export * from './data-quality.js';
export * from './listing-identity.js';
export * from './accuracy.js';
export * from './audit.js';
export * from './credibility.js';
export * from './completeness.js';
export * from './timeliness.js';
export * from './rewards.js';
export * from './epoch-scoring.js';
export * from './results-file.js';
export * from './closed-listings.js';
export * from './credit-order.js';

/** zod schemas for every request and response body of the wire protocol (PROTOCOL.md §1-10). */
export * from './primitives.js';
export * from './error-body.js';
export * from './signed-request.js';
export * from './assignments.js';
export * from './status.js';
export * from './storage.js';
export * from './submissions.js';
export * from './validation-results.js';
export * from './health.js';
export * from './stats.js';
export * from './commitment-formats.js';
export * from './wire-schemas.js';
export * from './miner-labels.js';
export * from './dashboard.js';

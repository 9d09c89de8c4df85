import { ensureBuilt } from '../apps/api/test/e2e/processes.js';

/**
 * vitest global setup: builds the workspace once, before any worker starts, so the end-to-end files
 * run the real built programs (`apps/cli/dist/main.js`) and never build concurrently.
 */
export default function setup(): void {
  ensureBuilt();
}

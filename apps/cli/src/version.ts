import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The `resi` program's version (apps/cli/package.json). */
export const RESI_VERSION: string = pkg.version;

#!/usr/bin/env node
// The `resi` command. This file is committed, not built, so `npm install` on a fresh clone links
// `npx resi` before the first build; the program itself is the built apps/cli/dist/main.js.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('resi is not built yet: run `npm run build` (or `npm start`) in the repository first.');
  process.exit(1);
}
await import(main.href);

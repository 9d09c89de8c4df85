import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config apps/api/drizzle.config.ts` writes a new migration after a
// change to src/schema; migrations are committed and applied at start-up.
export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/api/src/schema/tables.ts',
  out: './apps/api/migrations',
});

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // swc, not esbuild: NestJS dependency injection needs emitDecoratorMetadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // Tests run against sources, never against a stale dist/.
    alias: {
      '@resi/core': src('./packages/core/src/index.ts'),
      '@resi/chain': src('./packages/chain/src/index.ts'),
      '@resi/client': src('./packages/client/src/index.ts'),
      '@resi/sources': src('./packages/sources/src/index.ts'),
      '@resi/api': src('./apps/api/src/index.ts'),
      '@resi/miner': src('./apps/miner/src/index.ts'),
      // Before '@resi/validator', which would otherwise match it as a prefix.
      '@resi/validator/config': src('./apps/validator/src/config/validator-config.ts'),
      '@resi/validator': src('./apps/validator/src/index.ts'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.spec.ts',
      'apps/*/src/**/*.spec.ts',
      'packages/*/test/**/*.spec.ts',
      'apps/*/test/**/*.spec.ts',
      // The repository itself: its scripts, documents and package settings.
      'test/**/*.spec.ts',
    ],
    // End-to-end files run the built programs; building once here keeps workers from racing on dist/.
    globalSetup: ['scripts/build-before-tests.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker per core, at least two: the end-to-end files mostly wait (the devnet's epochs, real
    // processes starting), and vitest's default of cores - 1 ran them one after another on 2 cores.
    maxWorkers: Math.max(2, availableParallelism()),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

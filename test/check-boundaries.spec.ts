import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries, importSpecifiers } from '../scripts/check-boundaries.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A workspace tree: packages core and sources, apps miner, validator and cli, every import declared. */
const CLEAN_TREE: Record<string, string> = {
  'packages/core/package.json': manifest('@resi/core', {}),
  'packages/core/src/index.ts': 'export const core = 1;\n',
  'packages/sources/package.json': manifest('@resi/sources', { '@resi/core': '0.1.0' }),
  'packages/sources/src/index.ts': "import { core } from '@resi/core';\nexport const sources = core;\n",
  'apps/miner/package.json': manifest('@resi/miner', { '@resi/core': '0.1.0', '@resi/sources': '0.1.0' }),
  'apps/miner/src/index.ts': "export { sources } from '@resi/sources';\nimport './local.js';\n",
  'apps/miner/src/local.ts': 'export {};\n',
  'apps/validator/package.json': manifest(
    '@resi/validator',
    { '@resi/sources': '0.1.0' },
    { '@resi/miner': '0.1.0' },
    { '.': {}, './config': {} },
  ),
  'apps/validator/src/index.ts': "import type { sources } from '@resi/sources';\nexport type S = typeof sources;\n",
  // Test code may start another app and reach another workspace's fixtures by path.
  'apps/validator/test/e2e.spec.ts':
    "import { sources } from '@resi/miner';\nimport { core } from '../../../packages/core/src/index.js';\n",
  'apps/cli/package.json': manifest('@resi/cli', { '@resi/miner': '0.1.0', '@resi/validator': '0.1.0' }),
  'apps/cli/src/main.ts':
    "import { sources } from '@resi/miner';\nconst config = await import('@resi/validator/config');\n",
};

function manifest(
  name: string,
  dependencies: Record<string, string>,
  devDependencies: Record<string, string> = {},
  exports: Record<string, unknown> = { '.': {} },
): string {
  return JSON.stringify({ name, version: '0.1.0', exports, dependencies, devDependencies });
}

describe('checkBoundaries', () => {
  let root: string | undefined;

  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  async function treeWith(overrides: Record<string, string>): Promise<string> {
    root = await mkdtemp(join(tmpdir(), 'resi-boundaries-'));
    for (const [path, text] of Object.entries({ ...CLEAN_TREE, ...overrides })) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  }

  it('passes a tree where apps import packages only and the cli composes the programs', async () => {
    expect(await checkBoundaries(await treeWith({}))).toEqual([]);
  });

  it('fails when an app imports another app', async () => {
    const violations = await checkBoundaries(
      await treeWith({
        'apps/validator/package.json': manifest(
          '@resi/validator',
          { '@resi/miner': '0.1.0', '@resi/sources': '0.1.0' },
          {},
          { '.': {}, './config': {} },
        ),
        'apps/validator/src/verify.ts': "import { sources } from '@resi/miner';\n",
      }),
    );
    expect(violations).toEqual([
      expect.objectContaining({
        file: 'apps/validator/src/verify.ts',
        specifier: '@resi/miner',
        rule: 'app-imports-app',
      }),
    ]);
  });

  it('fails when a package imports an app, even one it declares', async () => {
    const violations = await checkBoundaries(
      await treeWith({
        'packages/sources/package.json': manifest('@resi/sources', { '@resi/core': '0.1.0', '@resi/miner': '0.1.0' }),
        'packages/sources/src/logger.ts': "export { sources } from '@resi/miner';\n",
      }),
    );
    expect(violations.map((violation) => violation.rule)).toEqual(['package-imports-app']);
  });

  it("fails on another workspace's src/ or dist/, by name or by relative path", async () => {
    const violations = await checkBoundaries(
      await treeWith({
        'apps/miner/src/deep.ts': [
          "import { x } from '@resi/sources/src/realtor-source.js';",
          "import { y } from '@resi/core/dist/index.js';",
          "import { z } from '../../../packages/core/src/index.js';",
          '',
        ].join('\n'),
      }),
    );
    expect(violations.map((violation) => [violation.specifier, violation.rule])).toEqual([
      ['@resi/sources/src/realtor-source.js', 'internal-path'],
      ['@resi/core/dist/index.js', 'internal-path'],
      ['../../../packages/core/src/index.js', 'internal-path'],
    ]);
  });

  it('fails on an import the package.json does not declare (production code needs dependencies)', async () => {
    const violations = await checkBoundaries(
      await treeWith({ 'apps/validator/src/core-use.ts': "import { core } from '@resi/core';\n" }),
    );
    expect(violations).toEqual([expect.objectContaining({ specifier: '@resi/core', rule: 'undeclared-dependency' })]);
  });

  it('holds for this repository', async () => {
    expect(await checkBoundaries(REPO_ROOT)).toEqual([]);
  });
});

describe('importSpecifiers', () => {
  it('reads static, type-only, re-export, side-effect and dynamic imports, and skips comments', () => {
    const text = [
      "import { a } from 'one';",
      "import type { B } from 'two';",
      "export { c } from 'three';",
      "export * from 'four';",
      "import 'five';",
      "const six = await import('six');",
      "import {\n  d,\n  e,\n} from 'seven';",
      "// import { f } from 'commented';",
      "/* import { g } from 'blocked'; */",
      "const text = 'import nothing';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['one', 'two', 'three', 'four', 'five', 'six', 'seven']);
  });
});

// The workspace's import boundaries, checked on every `npm run lint` (Vendure runs the same kind of
// check). The rules:
//  1. A package (packages/*) imports only packages, never an app.
//  2. An app (apps/*) imports only packages. The one exception is apps/cli, the single `resi`
//     program: it composes the program apps (api, miner, validator), each of which exports its
//     start function and option table from its entry for that purpose.
//  3. A workspace is imported through its entry or a subpath its package.json `exports` declares,
//     never through another workspace's `src/` or `dist/` (by `@resi/x/src/...` or by a relative
//     path that leaves the workspace).
//  4. Every `@resi/*` import is declared in the importer's package.json: production code in
//     `dependencies`, test code in `dependencies` or `devDependencies`, so `npm ls` draws the true
//     picture.
// Test code (`*.spec.ts`, `*.test-utils.ts`, anything under a workspace's `test/`) never ships, so it
// cannot couple one program to another: it may start another app through its entry to run end to
// end, and reach another workspace's files by path (shared fixtures, a provider to set a scenario
// up). Rules 3 (for `@resi/x/...` subpaths) and 4 hold for it too.
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BoundaryViolation {
  /** The importing file, relative to the root. */
  readonly file: string;
  readonly specifier: string;
  readonly rule: 'app-imports-app' | 'package-imports-app' | 'internal-path' | 'undeclared-dependency';
  readonly message: string;
}

interface Workspace {
  readonly name: string;
  /** Relative to the root, e.g. `apps/miner`. */
  readonly directory: string;
  readonly kind: 'app' | 'package';
  /** Subpaths its `exports` declares, `.` included. */
  readonly exportedSubpaths: ReadonlySet<string>;
  readonly dependencies: ReadonlySet<string>;
  readonly devDependencies: ReadonlySet<string>;
}

/** The app that may compose the program apps. */
const COMPOSING_APP = 'apps/cli';
const SOURCE_EXTENSIONS = /\.(ts|tsx|mts|cts)$/;
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.resi', 'coverage']);
const IMPORT_SPECIFIER =
  /(?:^|[^\w.$])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|(?:^|[^\w.$])import\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Every module specifier a TypeScript file imports or re-exports, comments ignored. */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const specifiers: string[] = [];
  for (const match of code.matchAll(IMPORT_SPECIFIER)) specifiers.push((match[1] ?? match[2])!);
  return specifiers;
}

function isTestFile(workspaceRelativePath: string): boolean {
  return (
    /\.(spec|test-utils)\.tsx?$/.test(workspaceRelativePath) ||
    workspaceRelativePath.startsWith(`test${sep}`) ||
    workspaceRelativePath.includes(`${sep}test${sep}`)
  );
}

async function readWorkspaces(root: string): Promise<Workspace[]> {
  const workspaces: Workspace[] = [];
  for (const group of ['apps', 'packages'] as const) {
    let entries: string[];
    try {
      entries = await readdir(join(root, group));
    } catch {
      continue;
    }
    for (const entry of entries.sort()) {
      let manifest: {
        name?: string;
        exports?: Record<string, unknown> | string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      try {
        manifest = JSON.parse(await readFile(join(root, group, entry, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      if (!manifest.name) continue;
      const exportsField = manifest.exports;
      const exportedSubpaths = new Set(
        exportsField === undefined || typeof exportsField === 'string' ? ['.'] : Object.keys(exportsField),
      );
      workspaces.push({
        name: manifest.name,
        directory: `${group}/${entry}`,
        kind: group === 'apps' ? 'app' : 'package',
        exportedSubpaths,
        dependencies: new Set(Object.keys(manifest.dependencies ?? {})),
        devDependencies: new Set(Object.keys(manifest.devDependencies ?? {})),
      });
    }
  }
  return workspaces;
}

async function sourceFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await sourceFiles(join(directory, entry.name))));
    } else if (SOURCE_EXTENSIONS.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(join(directory, entry.name));
    }
  }
  return files;
}

/** `@resi/miner/src/x.js` → [`@resi/miner`, `./src/x.js`]; `@resi/miner` → [`@resi/miner`, `.`]. */
function splitWorkspaceSpecifier(specifier: string): [string, string] {
  const [scope, name, ...rest] = specifier.split('/');
  return [`${scope}/${name}`, rest.length === 0 ? '.' : `./${rest.join('/')}`];
}

/** Every boundary the workspace under `root` crosses wrongly; empty when it keeps them all. */
export async function checkBoundaries(root: string): Promise<BoundaryViolation[]> {
  const workspaces = await readWorkspaces(root);
  const byName = new Map(workspaces.map((workspace) => [workspace.name, workspace]));
  const violations: BoundaryViolation[] = [];
  for (const workspace of workspaces) {
    const workspaceRoot = resolve(root, workspace.directory);
    for (const file of await sourceFiles(workspaceRoot)) {
      const test = isTestFile(relative(workspaceRoot, file));
      const shown = relative(root, file).split(sep).join('/');
      const report = (specifier: string, rule: BoundaryViolation['rule'], message: string) =>
        violations.push({ file: shown, specifier, rule, message });
      for (const specifier of importSpecifiers(await readFile(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (target === workspaceRoot || target.startsWith(workspaceRoot + sep)) continue;
          const targetWorkspace = workspaces.find((other) => {
            const otherRoot = resolve(root, other.directory);
            return target.startsWith(otherRoot + sep);
          });
          if (!targetWorkspace || test) continue; // repository files (openapi.json, scripts) are not workspaces
          report(
            specifier,
            'internal-path',
            `reaches into ${targetWorkspace.name}'s files by path; import '${targetWorkspace.name}' instead`,
          );
          continue;
        }
        if (!specifier.startsWith('@resi/')) continue;
        const [targetName, subpath] = splitWorkspaceSpecifier(specifier);
        const target = byName.get(targetName);
        if (!target || target === workspace) continue;
        if (!target.exportedSubpaths.has(subpath)) {
          report(
            specifier,
            'internal-path',
            `${targetName} does not export '${subpath}'; import its entry (internals under src/ and dist/ are private)`,
          );
        }
        if (target.kind === 'app' && !test) {
          if (workspace.kind === 'package') {
            report(
              specifier,
              'package-imports-app',
              `a package imports the app ${targetName}; packages import packages only`,
            );
          } else if (workspace.directory !== COMPOSING_APP) {
            report(
              specifier,
              'app-imports-app',
              `the app ${workspace.name} imports the app ${targetName}; move what they share into a package`,
            );
          }
        }
        const declared = test
          ? workspace.dependencies.has(targetName) || workspace.devDependencies.has(targetName)
          : workspace.dependencies.has(targetName);
        if (!declared) {
          report(
            specifier,
            'undeclared-dependency',
            `${targetName} is not in ${workspace.directory}/package.json ${test ? 'dependencies or devDependencies' : 'dependencies'}`,
          );
        }
      }
    }
  }
  return violations;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const violations = await checkBoundaries(root);
  for (const violation of violations)
    console.error(`${violation.file}: '${violation.specifier}' ${violation.message} [${violation.rule}]`);
  if (violations.length > 0) {
    console.error(`${violations.length} import boundary violation(s); the rules are in scripts/check-boundaries.ts`);
    process.exit(1);
  }
  console.log('import boundaries: every app imports packages only (the cli composes the programs)');
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) =>
  JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, unknown>;

/**
 * No install-time telemetry. swagger-ui-dist depends on @scarf/scarf, whose postinstall script
 * reports the installing project to scarf.sh unless the root package.json opts out.
 */
describe('install-time telemetry', () => {
  it('the root package.json opts out of scarf', () => {
    expect(read('../package.json').scarfSettings).toEqual({ enabled: false });
  });

  it('no dependency has an install script beyond the known ones', () => {
    const lock = read('../package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    // esbuild and @swc/core pick their platform binary (shipped as optional dependencies);
    // @scarf/scarf is the telemetry script the opt-out above silences. A new entry needs a look.
    expect([...new Set(withScripts)]).toEqual(['@scarf/scarf', '@swc/core', 'esbuild']);
  });

  it("npm's allowScripts reviews every one of them: scarf's script denied, the binary pickers allowed", () => {
    // npm 11 warns at every install about scripts allowScripts does not cover; npm 12 skips them.
    const lock = read('../package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = new Set(
      Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript)
        .map(([path]) => path.replace(/^.*node_modules\//, '')),
    );
    const allowScripts = read('../package.json').allowScripts as Record<string, boolean>;
    expect(Object.keys(allowScripts).sort()).toEqual([...withScripts].sort());
    expect(allowScripts).toEqual({ '@scarf/scarf': false, '@swc/core': true, esbuild: true });
  });
});

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebAssets } from './web-assets.js';

describe('WebAssets', () => {
  const roots: string[] = [];
  const build = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'resi-web-'));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };
  afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('says no build when the folder or index.html is missing', () => {
    expect(new WebAssets(join(tmpdir(), 'resi-web-does-not-exist')).built()).toBe(false);
    expect(new WebAssets(build({ 'assets/a.js': 'x' })).get('/assets/a.js')).toBeUndefined();
  });

  it('serves exactly the built files by path, with their types and a gzip copy of text', () => {
    const script = 'console.log("dashboard");\n'.repeat(50);
    const assets = new WebAssets(build({ 'index.html': '<!doctype html>', 'assets/index-abc.js': script }));
    expect(assets.built()).toBe(true);
    expect(assets.get('/')).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
    const js = assets.get('/assets/index-abc.js');
    expect(js).toMatchObject({ contentType: 'application/javascript; charset=utf-8', immutable: true });
    expect(gunzipSync(js!.gzipped!).toString()).toBe(script);
  });

  it('never resolves a path outside the allow-list', () => {
    const root = build({ 'index.html': 'i', 'assets/a.js': 'a', 'notes.md': 'secret', '.env': 'X=1' });
    writeFileSync(join(root, '..', `${root.split('/').pop()}-sibling.js`), 'outside');
    const assets = new WebAssets(root);
    for (const path of [
      '/notes.md',
      '/.env',
      '/assets/../index.html',
      '/../sibling.js',
      '/assets/%2e%2e/x',
      '//etc/passwd',
    ]) {
      expect(assets.get(path), path).toBeUndefined();
    }
    rmSync(join(root, '..', `${root.split('/').pop()}-sibling.js`));
  });

  it('picks up a rebuild without a restart', () => {
    const root = build({ 'index.html': 'old', 'assets/old.js': 'o' });
    const assets = new WebAssets(root);
    expect(assets.get('/assets/old.js')).toBeDefined();
    rmSync(join(root, 'assets/old.js'));
    writeFileSync(join(root, 'assets/new.js'), 'n');
    writeFileSync(join(root, 'index.html'), 'new');
    utimesSync(join(root, 'index.html'), new Date(), new Date(Date.now() + 5_000));
    expect(assets.get('/assets/old.js')).toBeUndefined();
    expect(assets.get('/')!.body.toString()).toBe('new');
    expect(assets.get('/assets/new.js')).toBeDefined();
  });
});

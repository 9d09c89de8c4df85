import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Where `npm run build -w @resi/web` writes the dashboard (the same from `src/` and from `dist/`). */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** The file types a Vite build produces; anything else in the folder is not served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A served file: its bytes, a gzip copy when that is smaller, and its type. */
export interface WebAsset {
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  /** Vite names everything under assets/ by content hash, so those never change. */
  readonly immutable: boolean;
}

/** Shown at `/` when the dashboard has not been built, so a fresh API still explains itself. */
export const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>resi</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
  <h1>resi API</h1>
  <p>The dashboard has not been built. From the repository root run <code>npm run build</code>
  (or <code>npm run build -w @resi/web</code>), then reload this page.</p>
  <p>Meanwhile: <a href="/docs">API documentation</a> · <a href="/healthcheck">health</a> ·
  <a href="/api/v1/zipcode-assignments/stats">statistics</a></p>
</body>
</html>
`;

/**
 * The built dashboard, read into memory by URL path. Only the files found in the build folder are
 * served (an allow-list keyed by exact path), so a request can never name a file outside it. The
 * listing is refreshed when `index.html` changes, so a rebuild shows up without a restart.
 */
export class WebAssets {
  private assets = new Map<string, WebAsset>();
  private indexStamp: number | null | undefined;

  constructor(private readonly root: string = WEB_DIST_DIR) {}

  /** The asset at URL path `path` (`/`, `/assets/index-abc.js`); undefined when not in the build. */
  get(path: string): WebAsset | undefined {
    this.refresh();
    return this.assets.get(path === '/' ? '/index.html' : path);
  }

  /** Whether a build is present. */
  built(): boolean {
    this.refresh();
    return this.assets.has('/index.html');
  }

  private refresh(): void {
    const stamp = modifiedAt(join(this.root, 'index.html'));
    if (stamp === this.indexStamp) return;
    this.indexStamp = stamp;
    this.assets = stamp === null ? new Map<string, WebAsset>() : load(this.root);
  }
}

function modifiedAt(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function load(root: string): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  for (const entry of files) {
    const path = join(entry.parentPath, entry.name);
    const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()];
    if (!contentType) continue;
    const urlPath = `/${relative(root, path).split(sep).join('/')}`;
    const body = readFileSync(path);
    const gzipped = contentType.startsWith('image/png') ? undefined : gzipSync(body);
    assets.set(urlPath, {
      contentType,
      body,
      gzipped: gzipped && gzipped.length < body.length ? gzipped : undefined,
      immutable: urlPath.startsWith('/assets/'),
    });
  }
  return assets;
}

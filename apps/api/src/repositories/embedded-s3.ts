import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import S3rver from 's3rver';

/**
 * The only access key s3rver knows. It checks that a request names a known key but verifies no
 * signature and no POST policy, which is why embedded storage is for local use only.
 */
export const EMBEDDED_S3_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

export interface EmbeddedS3 {
  /** `http://127.0.0.1:{port}`: reachable from this machine only. */
  endpoint: string;
  directory: string;
  close(): Promise<void>;
}

/**
 * Starts s3rver in this process on 127.0.0.1 (a free port unless `port` is given), storing objects
 * under `directory` (kept across restarts) and creating `bucket` if it is missing.
 */
export async function startEmbeddedS3(options: {
  directory: string;
  bucket: string;
  port?: number;
}): Promise<EmbeddedS3> {
  const directory = resolve(options.directory);
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory,
    silent: true,
    // Requests name the bucket in the path (forcePathStyle); never guess it from the Host header.
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  listNestedKeysUnderCommonPrefixes(server as unknown as { store: S3rverStore });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    close: () => server.close(),
  };
}

interface S3rverListOptions {
  delimiter?: string | undefined;
  prefix?: string | undefined;
  startAfter?: string | undefined;
  maxKeys?: number | undefined;
}

interface S3rverListResult {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

interface S3rverStore {
  listObjects(bucket: string, options: S3rverListOptions): Promise<S3rverListResult>;
}

/**
 * s3rver 3.7.1 stops walking its directories at the delimiter, so a listing with a delimiter misses
 * every common prefix whose objects sit deeper (`data/hotkey=X/` when the objects are under
 * `data/hotkey=X/epoch=E/`). List without the delimiter and group the keys as S3 does. The local
 * store stays small, so such listings come back whole rather than paged.
 */
function listNestedKeysUnderCommonPrefixes(server: { store: S3rverStore }): void {
  const store = server.store;
  const listEverything = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const { delimiter } = options;
    if (!delimiter) return listEverything(bucket, options);
    const prefix = options.prefix ?? '';
    const all = await listEverything(bucket, { ...options, delimiter: undefined, maxKeys: Infinity });
    const commonPrefixes = new Set<string>();
    const objects = all.objects.filter((object) => {
      const at = object.key.indexOf(delimiter, prefix.length);
      if (at === -1) return true;
      commonPrefixes.add(object.key.slice(0, at + delimiter.length));
      return false;
    });
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
  };
}

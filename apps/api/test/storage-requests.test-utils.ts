import { type FolderAccessResponse, folderAccessResponseSchema } from '@resi/core';
import type { TestApi, TestIdentity } from './test-api.js';

/** Unix seconds of `date`, as signed requests carry them. */
export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** What the deployed Python miner sends to /get-folder-access (`upload_utils/s3_utils.py`), at the API's clock. */
export function requestFolderAccess(
  sut: TestApi,
  who: TestIdentity,
  options: { coldkey?: string; expiry?: number } = {},
) {
  const ts = unixSeconds(sut.clock.now());
  const coldkey = options.coldkey ?? who.coldkey;
  return sut.inject({
    method: 'POST',
    url: '/get-folder-access',
    payload: {
      coldkey,
      hotkey: who.hotkey,
      timestamp: ts,
      signature: who.sign(`s3:data:access:${coldkey}:${who.hotkey}:${ts}`),
      expiry: options.expiry ?? ts + 86400,
    },
  });
}

/** A folder grant for `who`, parsed; throws unless the API granted it. */
export async function folderGrant(sut: TestApi, who: TestIdentity): Promise<FolderAccessResponse> {
  const res = await requestFolderAccess(sut, who);
  if (res.statusCode !== 200) throw new Error(`folder grant refused: ${res.statusCode} ${res.body}`);
  return folderAccessResponseSchema.parse(res.json());
}

/** The Python miner's upload: `post_data = dict(fields); post_data['key'] = folder + path`, then the file. */
export async function postLikePythonMiner(grant: FolderAccessResponse, path: string, content: Uint8Array) {
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
  form.append('key', `${grant.folder}${path}`);
  form.append('file', new Blob([content]), path.split('/').pop());
  return fetch(grant.url, { method: 'POST', body: form });
}

/**
 * A validator's signed read of an epoch (`zipcode:validation:{epochId}:{ts}` at the API's clock):
 * `assignment` is GET /api/v1/zipcode-assignments/epoch/{epochId}, `submissions` is
 * GET /api/v1/epochs/{epochId}/submissions.
 */
export function validatorRead(sut: TestApi, who: TestIdentity, route: 'assignment' | 'submissions', epochId: string) {
  const ts = unixSeconds(sut.clock.now());
  return sut.inject({
    method: 'GET',
    url:
      route === 'assignment' ? `/api/v1/zipcode-assignments/epoch/${epochId}` : `/api/v1/epochs/${epochId}/submissions`,
    query: { hotkey: who.hotkey, signature: who.sign(`zipcode:validation:${epochId}:${ts}`), timestamp: String(ts) },
  });
}

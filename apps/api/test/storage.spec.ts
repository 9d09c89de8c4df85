import { createHash, randomBytes } from 'node:crypto';
import {
  epochSubmissionsResponseSchema,
  folderAccessResponseSchema,
  minerEpochUploadCaps,
  minerSpecificAccessResponseSchema,
  minerUploadResponseSchema,
  type MinerUploadResponse,
  statusCommitment,
  validatorAccessResponseSchema,
  validatorUploadResponseSchema,
} from '@resi/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE } from '../src/tokens.js';
import type { StorageRepository } from '../src/repositories/storage.repository.js';
import { EpochService } from '../src/services/epoch.service.js';
import { decodePostPolicy, postPolicyViolations } from './post-policy.js';
import { postLikePythonMiner, requestFolderAccess } from './storage-requests.test-utils.js';
import { createTestApi, makeIdentity, neuronOf, type TestApi, type TestIdentity } from './test-api.js';

// 17:00 UTC: inside the production epoch 2025-10-01T16-00-00 (16:00–20:00, grace until 20:15).
const NOW = new Date('2025-10-01T17:00:00Z');
const EPOCH = '2025-10-01T16-00-00';
const NEXT_EPOCH = '2025-10-01T20-00-00';
/** The epoch's grace end: miners' objects are readable from here on. */
const AFTER_GRACE = new Date('2025-10-01T20:15:00Z');
/**
 * Earlier slots of the same day, for tests that upload and then read: the first read after an
 * epoch's grace end records what its folders hold for good, so each such test takes a slot of its own.
 */
const MANIFEST_EPOCH = {
  id: '2025-10-01T12-00-00',
  during: new Date('2025-10-01T13:00:00Z'),
  afterGrace: new Date('2025-10-01T16:15:00Z'),
};
const CAPS_EPOCH = {
  id: '2025-10-01T08-00-00',
  during: new Date('2025-10-01T09:00:00Z'),
  afterGrace: new Date('2025-10-01T12:15:00Z'),
};
const GiB = 1024 ** 3;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function requestMinerUpload(
  sut: TestApi,
  who: TestIdentity,
  body: { epochId: string; files: unknown },
  options: { hotkey?: string } = {},
) {
  const ts = seconds(sut.clock.now());
  const hotkey = options.hotkey ?? who.hotkey;
  return sut.inject({
    method: 'POST',
    url: '/api/v1/s3-access/miner-upload',
    payload: { hotkey, timestamp: ts, signature: who.sign(`s3:miner:upload:${hotkey}:${body.epochId}:${ts}`), ...body },
  });
}

/** The submissions route as a validator calls it at `at` (after the grace end unless told). */
async function readSubmissions(sut: TestApi, who: TestIdentity, epochId = EPOCH, at = AFTER_GRACE) {
  const before = sut.clock.now();
  sut.clock.set(at);
  try {
    const ts = seconds(at);
    return await sut.inject({
      method: 'GET',
      url: `/api/v1/epochs/${epochId}/submissions`,
      query: { hotkey: who.hotkey, signature: who.sign(`zipcode:validation:${epochId}:${ts}`), timestamp: String(ts) },
    });
  } finally {
    sut.clock.set(before);
  }
}

function signedValidatorPost(sut: TestApi, who: TestIdentity, url: string, commitment: string, body: object) {
  const ts = seconds(sut.clock.now());
  return sut.inject({
    method: 'POST',
    url,
    payload: {
      hotkey: who.hotkey,
      timestamp: ts,
      signature: who.sign(commitment.replace('{ts}', String(ts))),
      ...body,
    },
  });
}

describe('storage routes on the embedded s3rver (POST policies)', () => {
  let sut: TestApi;
  let miner: TestIdentity;
  let quietMiner: TestIdentity;
  let otherMiner: TestIdentity;
  let validator: TestIdentity;

  beforeAll(async () => {
    [miner, quietMiner, otherMiner, validator] = await Promise.all([
      makeIdentity(),
      makeIdentity(),
      makeIdentity(),
      makeIdentity(),
    ]);
    sut = await createTestApi({
      now: NOW,
      neurons: [neuronOf(validator, 0, true), neuronOf(miner, 1), neuronOf(quietMiner, 2), neuronOf(otherMiner, 3)],
    });
    await sut.app.get(EpochService).ensure(EPOCH);
  });
  afterAll(() => sut.close());
  afterEach(() => sut.clock.set(NOW));

  it('takes a Python-miner upload (fields + key, 204) and serves it to validators with a working download URL', async () => {
    const res = await requestFolderAccess(sut, quietMiner);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('20');
    const grant = folderAccessResponseSchema.parse(res.json());
    expect(grant.folder).toBe(`data/hotkey=${quietMiner.hotkey}/`);
    expect(grant.url).toBe(grant.uploadUrl);
    expect(grant.metadata).toMatchObject({ folderPath: grant.folder, maxFileSize: 5 * GiB });
    expect(grant.fields).not.toHaveProperty('key');

    const content = randomBytes(4096);
    const upload = await postLikePythonMiner(grant, `epoch=${EPOCH}/listings.parquet`, content);
    expect(upload.status).toBe(204);

    // While miners can still upload, nobody reads their data: not even a validator.
    const early = await readSubmissions(sut, validator, EPOCH, new Date(AFTER_GRACE.getTime() - 1000));
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'EPOCH_NOT_OPEN' });
    expect(early.headers['retry-after']).toBe('1');

    // This miner never reported a status: it is found by listing the epoch's folders.
    const read = await readSubmissions(sut, validator);
    expect(read.statusCode).toBe(200);
    const body = epochSubmissionsResponseSchema.parse(read.json());
    expect(body).toMatchObject({ epochId: EPOCH, status: 'COMPLETED', graceEnd: '2025-10-01T20:15:00.000Z' });
    const mine = body.submissions.find((s) => s.hotkey === quietMiner.hotkey);
    expect(mine).toMatchObject({ uid: 2, status: null, lastUpdateAt: null, manifest: null, listingsClaimed: 0 });
    expect(mine!.objects).toHaveLength(1);
    const [object] = mine!.objects;
    expect(object).toMatchObject({
      key: `data/hotkey=${quietMiner.hotkey}/epoch=${EPOCH}/listings.parquet`,
      size: 4096,
      etag: `"${createHash('md5').update(content).digest('hex')}"`,
    });
    // Server-observed upload time: the store's real clock, not the API's test clock.
    expect(Math.abs(new Date(object!.lastModified).getTime() - Date.now())).toBeLessThan(120_000);
    expect(new URL(object!.url).searchParams.get('X-Amz-Expires')).toBe(String(3 * 3600));

    const download = await fetch(object!.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
  });

  it('signs a folder policy limited to the prefix, 1 B..5 GiB and at most 24 h, which refuses anything else', async () => {
    const grant = folderAccessResponseSchema.parse((await requestFolderAccess(sut, miner)).json());
    const policy = decodePostPolicy(grant.fields);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['starts-with', '$key', `data/hotkey=${miner.hotkey}/`],
        ['content-length-range', 1, 5 * GiB],
      ]),
    );
    const signedAt = parseAmzDate(grant.fields['X-Amz-Date']!);
    const expiresAt = new Date(policy.expiration);
    expect(expiresAt.getTime() - signedAt.getTime()).toBe(24 * 3600 * 1000);
    expect(grant.expiry).toBe(expiresAt.toISOString());

    const form = (key: string) => ({ ...grant.fields, key });
    const ownKey = `data/hotkey=${miner.hotkey}/epoch=${EPOCH}/listings.parquet`;
    expect(postPolicyViolations(policy, form(ownKey), 4096, signedAt)).toEqual([]);
    // A real miner's metadata.json is about 500 bytes: the grant must admit it.
    const metadataKey = `data/hotkey=${miner.hotkey}/epoch=${EPOCH}/metadata.json`;
    expect(postPolicyViolations(policy, form(metadataKey), 480, signedAt)).toEqual([]);
    // Outside the prefix: another miner's folder, a look-alike hotkey, the validators' area.
    for (const key of [
      `data/hotkey=${otherMiner.hotkey}/epoch=${EPOCH}/listings.parquet`,
      `data/hotkey=${miner.hotkey}x/epoch=${EPOCH}/listings.parquet`,
      `validators/hotkey=${miner.hotkey}/epoch=${EPOCH}/validation_results.json`,
    ]) {
      expect(postPolicyViolations(policy, form(key), 4096, signedAt), key).toEqual([
        `$key must start with "data/hotkey=${miner.hotkey}/"`,
      ]);
    }
    expect(postPolicyViolations(policy, form(ownKey), 5 * GiB + 1, signedAt)).toEqual([
      `file size ${5 * GiB + 1} outside 1..${5 * GiB}`,
    ]);
    expect(postPolicyViolations(policy, form(ownKey), 0, signedAt)).toHaveLength(1);
    expect(postPolicyViolations(policy, form(ownKey), 4096, expiresAt)).toEqual([`expired at ${policy.expiration}`]);
    // A field the policy does not name (e.g. an ACL) is refused too.
    expect(postPolicyViolations(policy, { ...form(ownKey), acl: 'public-read' }, 4096, signedAt)).toEqual([
      'field acl is not covered by the policy',
    ]);
  });

  it('shortens the grant to the requested expiry, caps it at 24 h and refuses an expiry in the past', async () => {
    const ts = seconds(NOW);
    const oneHour = folderAccessResponseSchema.parse(
      (await requestFolderAccess(sut, miner, { expiry: ts + 3600 })).json(),
    );
    const policy = decodePostPolicy(oneHour.fields);
    expect(new Date(policy.expiration).getTime() - parseAmzDate(oneHour.fields['X-Amz-Date']!).getTime()).toBe(
      3600_000,
    );

    const twoDays = folderAccessResponseSchema.parse(
      (await requestFolderAccess(sut, miner, { expiry: ts + 2 * 86400 })).json(),
    );
    const capped = decodePostPolicy(twoDays.fields);
    expect(new Date(capped.expiration).getTime() - parseAmzDate(twoDays.fields['X-Amz-Date']!).getTime()).toBe(
      86400_000,
    );

    const expired = await requestFolderAccess(sut, miner, { expiry: ts - 1 });
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('expiry') as string,
    });
  });

  it('needs the coldkey that owns the hotkey', async () => {
    const res = await requestFolderAccess(sut, miner, { coldkey: otherMiner.coldkey });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'COLDKEY_MISMATCH' });
  });

  it('grants one exact-key, exact-size POST per declared file and stores the manifest', async () => {
    const EPOCH = MANIFEST_EPOCH.id;
    await sut.app.get(EpochService).ensure(EPOCH);
    sut.clock.set(MANIFEST_EPOCH.during);
    const listings = randomBytes(3000);
    const metadata = Buffer.from(JSON.stringify({ epoch_id: EPOCH, miner_hotkey: miner.hotkey }));
    const files = [
      { name: 'listings.parquet', bytes: listings.length, sha256: sha256(listings) },
      { name: 'metadata.json', bytes: metadata.length, sha256: sha256(metadata) },
    ];
    const res = await requestMinerUpload(sut, miner, { epochId: EPOCH, files });
    expect(res.statusCode).toBe(200);
    const body: MinerUploadResponse = minerUploadResponseSchema.parse(res.json());
    expect(body.folder).toBe(`data/hotkey=${miner.hotkey}/epoch=${EPOCH}/`);
    expect(body.uploads.map((u) => [u.method, u.key])).toEqual([
      ['POST', `${body.folder}listings.parquet`],
      ['POST', `${body.folder}metadata.json`],
    ]);

    for (const [index, content] of [listings, metadata].entries()) {
      const grant = body.uploads[index]!;
      if (grant.method !== 'POST') throw new Error('expected a POST grant');
      const policy = decodePostPolicy(grant.fields);
      expect(policy.conditions).toEqual(
        expect.arrayContaining([{ key: grant.key }, ['content-length-range', content.length, content.length]]),
      );
      const signedAt = parseAmzDate(grant.fields['X-Amz-Date']!);
      expect(postPolicyViolations(policy, grant.fields, content.length, signedAt)).toEqual([]);
      expect(postPolicyViolations(policy, grant.fields, content.length + 1, signedAt)).toHaveLength(1);
      expect(
        postPolicyViolations(policy, { ...grant.fields, key: `${body.folder}other.parquet` }, content.length, signedAt),
      ).toEqual([`key must equal ${JSON.stringify(grant.key)}`]);
      const form = new FormData();
      for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
      form.append('file', new Blob([content]), grant.name);
      expect((await fetch(grant.url, { method: 'POST', body: form })).status).toBe(204);
    }

    // Declaring a file again replaces its entry; the others stay.
    const again = await requestMinerUpload(sut, miner, {
      epochId: EPOCH,
      files: [{ name: 'listings.parquet', bytes: 5000, sha256: 'a'.repeat(64) }],
    });
    expect(again.statusCode).toBe(200);

    const read = epochSubmissionsResponseSchema.parse(
      (await readSubmissions(sut, validator, EPOCH, MANIFEST_EPOCH.afterGrace)).json(),
    );
    const mine = read.submissions.find((s) => s.hotkey === miner.hotkey)!;
    expect(mine.manifest).toEqual([{ name: 'listings.parquet', bytes: 5000, sha256: 'a'.repeat(64) }, files[1]]);
    // Declared but never reported: no status until the miner sends one.
    expect(mine.status).toBeNull();
    expect(mine.objects.map((o) => [o.key.split('/').pop(), o.size])).toEqual([
      ['listings.parquet', 3000],
      ['metadata.json', metadata.length],
    ]);
  });

  it('lists a miner that reported a status, with its zipcodes, claims and uid', async () => {
    const epoch = await sut.app.get(EpochService).get(EPOCH);
    const zipcode = epoch.zipcodes[0]!.zipcode;
    const ts = seconds(NOW);
    const status = await sut.inject({
      method: 'POST',
      url: '/api/v1/zipcode-assignments/status',
      payload: {
        hotkey: miner.hotkey,
        signature: miner.sign(statusCommitment(EPOCH, ts)),
        timestamp: ts,
        epochId: EPOCH,
        nonce: epoch.epoch.nonce,
        status: 'COMPLETED',
        listingsScraped: 42,
        zipcodesCompleted: [{ zipcode, listingsScraped: 42, completedAt: '2025-10-01T16:30:00Z' }],
        s3UploadComplete: true,
      },
    });
    expect(status.statusCode).toBe(200);
    const read = epochSubmissionsResponseSchema.parse((await readSubmissions(sut, validator)).json());
    expect(read.submissions.map((s) => s.hotkey)).toEqual([miner.hotkey, quietMiner.hotkey].sort());
    expect(read.submissions.find((s) => s.hotkey === miner.hotkey)).toMatchObject({
      uid: 1,
      status: 'COMPLETED',
      listingsClaimed: 42,
      zipcodesCompleted: [{ zipcode, listingsScraped: 42, completedAt: '2025-10-01T16:30:00.000Z' }],
      s3UploadComplete: true,
      lastUpdateAt: NOW.toISOString(),
    });
  });

  it('refuses the submissions route to miners and for an unknown epoch', async () => {
    expect((await readSubmissions(sut, miner)).json()).toMatchObject({ code: 'NOT_A_VALIDATOR' });
    const unknown = await readSubmissions(sut, validator, '2025-09-01T16-00-00');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'EPOCH_NOT_FOUND' });
  });

  describe('miner upload refusals', () => {
    const file = { name: 'listings.parquet', bytes: 2048, sha256: 'b'.repeat(64) };

    it('before the epoch starts: EPOCH_NOT_OPEN', async () => {
      await sut.app.get(EpochService).ensure(NEXT_EPOCH);
      const res = await requestMinerUpload(sut, otherMiner, { epochId: NEXT_EPOCH, files: [file] });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'EPOCH_NOT_OPEN',
        message: expect.stringContaining(NEXT_EPOCH) as string,
      });
    });

    it('in the grace period: accepted, with grants that end with it; after grace: EPOCH_CLOSED', async () => {
      try {
        sut.clock.set(new Date('2025-10-01T20:10:00Z'));
        const late = await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files: [file] });
        expect(late.statusCode).toBe(200);
        const grant = minerUploadResponseSchema.parse(late.json()).uploads[0]!;
        if (grant.method !== 'POST') throw new Error('expected a POST grant');
        const policy = decodePostPolicy(grant.fields);
        // Five minutes of grace were left: the policy lives five minutes.
        expect(new Date(policy.expiration).getTime() - parseAmzDate(grant.fields['X-Amz-Date']!).getTime()).toBe(
          300_000,
        );

        // A second and a half left: a one-second grant. Half a second: none, it would outlive the grace end.
        sut.clock.set(new Date('2025-10-01T20:14:58.500Z'));
        const last = minerUploadResponseSchema.parse(
          (await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files: [file] })).json(),
        ).uploads[0]!;
        if (last.method !== 'POST') throw new Error('expected a POST grant');
        expect(
          new Date(decodePostPolicy(last.fields).expiration).getTime() -
            parseAmzDate(last.fields['X-Amz-Date']!).getTime(),
        ).toBe(1000);
        sut.clock.set(new Date('2025-10-01T20:14:59.500Z'));
        const tooLate = await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files: [file] });
        expect(tooLate.statusCode).toBe(409);
        expect(tooLate.json()).toMatchObject({ code: 'EPOCH_CLOSED' });

        sut.clock.set(new Date('2025-10-01T20:15:00Z'));
        const closed = await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files: [file] });
        expect(closed.statusCode).toBe(409);
        expect(closed.json()).toMatchObject({ code: 'EPOCH_CLOSED' });
      } finally {
        sut.clock.set(NOW);
      }
    });

    it("for another miner's folder: the hotkey is the signer's, and names cannot leave the folder", async () => {
      const asOther = await requestMinerUpload(
        sut,
        otherMiner,
        { epochId: EPOCH, files: [file] },
        { hotkey: miner.hotkey },
      );
      expect(asOther.statusCode).toBe(401);
      expect(asOther.json()).toMatchObject({ code: 'SIGNATURE_INVALID' });

      const escape = await requestMinerUpload(sut, otherMiner, {
        epochId: EPOCH,
        files: [{ ...file, name: `../../hotkey=${miner.hotkey}/epoch=${EPOCH}/listings.parquet` }],
      });
      expect(escape.statusCode).toBe(400);
      expect(escape.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('files.0.name') as string,
      });

      const own = minerUploadResponseSchema.parse(
        (await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files: [file] })).json(),
      );
      expect(own.uploads.every((u) => u.key.startsWith(`data/hotkey=${otherMiner.hotkey}/epoch=${EPOCH}/`))).toBe(true);
    });

    it.each([
      ['no files', [], /files: must declare at least one file/],
      ['a digest that is not lowercase hex SHA-256', [{ ...file, sha256: 'B'.repeat(64) }], /files\.0\.sha256/],
      ['an empty file', [{ ...file, bytes: 0 }], /files\.0\.bytes/],
      ['a fractional size', [{ ...file, bytes: 10.5 }], /files\.0\.bytes/],
      ['the same name twice', [file, file], /files\.1\.name: duplicate file name/],
      ['files that is not a list', { 'listings.parquet': file }, /files: /],
    ])('with a malformed manifest (%s): VALIDATION_FAILED naming the field', async (_case, files, message) => {
      const res = await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.json<{ message: string }>().message).toMatch(message);
    });
  });

  it('gives validators an upload policy for their own results folder, capped at 100 MB', async () => {
    const commitment = 's3:validator:upload:{ts}';
    const body = { epochId: EPOCH, purpose: 'epoch_validation_results', estimatedDataSizeMb: 25, retentionDays: 90 };
    const asMiner = await signedValidatorPost(sut, miner, '/api/v1/s3-access/validator-upload', commitment, body);
    expect(asMiner.json()).toMatchObject({ code: 'NOT_A_VALIDATOR' });

    const res = await signedValidatorPost(sut, validator, '/api/v1/s3-access/validator-upload', commitment, body);
    expect(res.statusCode).toBe(200);
    const grant = validatorUploadResponseSchema.parse(res.json());
    const folder = `validators/hotkey=${validator.hotkey}/epoch=${EPOCH}/`;
    expect(grant).toMatchObject({ folder, key: `${folder}validation_results.json`, url: grant.uploadUrl });
    const policy = decodePostPolicy(grant.fields);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['starts-with', '$key', folder],
        ['content-length-range', 1, 100 * 1024 * 1024],
      ]),
    );
    const results = Buffer.from(JSON.stringify({ epochId: EPOCH, miners: [] }));
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
    form.append('key', grant.key);
    form.append('file', new Blob([results]), 'validation_results.json');
    expect((await fetch(grant.url, { method: 'POST', body: form })).status).toBe(204);
    const stored = await sut.app.get<StorageRepository>(STORAGE).headObject(grant.key);
    expect(stored?.size).toBe(results.length);
  });

  it('gives validators listing URLs and per-object download URLs of a miner folder', async () => {
    const access = await signedValidatorPost(sut, validator, '/get-validator-access', 's3:validator:access:{ts}', {
      coldkey: validator.coldkey,
      expiry: seconds(NOW) + 3600,
    });
    expect(access.statusCode).toBe(200);
    const urls = validatorAccessResponseSchema.parse(access.json());
    expect(urls).toMatchObject({ bucket: 'resi-data', validator_hotkey: validator.hotkey, expiry_seconds: 3600 });
    const miners = await (await fetch(urls.urls.miners.list_all_miners)).text();
    expect(miners).toContain(`<Prefix>data/hotkey=${quietMiner.hotkey}/</Prefix>`);

    const specific = await signedValidatorPost(
      sut,
      validator,
      '/get-miner-specific-access',
      `s3:validator:miner:${quietMiner.hotkey}:{ts}`,
      { miner_hotkey: quietMiner.hotkey, coldkey: validator.coldkey, expiry: seconds(NOW) + 3600 },
    );
    expect(specific.statusCode).toBe(200);
    const body = minerSpecificAccessResponseSchema.parse(specific.json());
    expect(body.prefix).toBe(`data/hotkey=${quietMiner.hotkey}/`);
    // The epoch still takes uploads: no download URL for any of its objects.
    expect(body.objects).toEqual([]);

    sut.clock.set(AFTER_GRACE);
    try {
      const later = await signedValidatorPost(
        sut,
        validator,
        '/get-miner-specific-access',
        `s3:validator:miner:${quietMiner.hotkey}:{ts}`,
        { miner_hotkey: quietMiner.hotkey, coldkey: validator.coldkey, expiry: seconds(AFTER_GRACE) + 3600 },
      );
      const after = minerSpecificAccessResponseSchema.parse(later.json());
      expect(after.objects?.map((o) => o.key)).toEqual([
        `data/hotkey=${quietMiner.hotkey}/epoch=${EPOCH}/listings.parquet`,
      ]);
      expect((await fetch(after.objects![0]!.url)).status).toBe(200);
      expect(await (await fetch(after.miner_url)).text()).toContain('<Key>');
    } finally {
      sut.clock.set(NOW);
    }
  });

  it("caps a miner's objects per epoch from the target: more files are refused, more objects ignored with a reason", async () => {
    const EPOCH = CAPS_EPOCH.id;
    await sut.app.get(EpochService).ensure(EPOCH);
    sut.clock.set(CAPS_EPOCH.during);
    const caps = minerEpochUploadCaps(10_000);
    expect(caps).toEqual({ maxListings: 100_000, maxObjects: 17, maxBytes: 100_000 * 1024 + 1024 * 1024 });
    const tooMany = Array.from({ length: caps.maxObjects + 1 }, (_, i) => ({
      name: `listings-${String(i + 1).padStart(4, '0')}.parquet`,
      bytes: 100,
      sha256: 'd'.repeat(64),
    }));
    const refused = await requestMinerUpload(sut, otherMiner, { epochId: EPOCH, files: tooMany });
    expect(refused.statusCode).toBe(413);
    expect(refused.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(refused.json<{ message: string }>().message).toContain(`at most ${caps.maxObjects} files`);

    // A folder grant cannot count objects: the excess is stored, and validators never see it.
    const grant = folderAccessResponseSchema.parse((await requestFolderAccess(sut, otherMiner)).json());
    for (const name of [...tooMany.map((f) => f.name), 'metadata.json']) {
      expect((await postLikePythonMiner(grant, `epoch=${EPOCH}/${name}`, randomBytes(100))).status).toBe(204);
    }
    const response = await readSubmissions(sut, validator, EPOCH, CAPS_EPOCH.afterGrace);
    expect(response.statusCode).toBe(200);
    const read = epochSubmissionsResponseSchema.parse(response.json());
    const theirs = read.submissions.find((s) => s.hotkey === otherMiner.hotkey)!;
    // metadata.json always counts (it names the files); then parts in key order up to the cap.
    expect(theirs.objects.map((o) => o.key.split('/').pop())).toEqual([
      ...tooMany.slice(0, caps.maxObjects - 1).map((f) => f.name),
      'metadata.json',
    ]);
    expect(theirs.objectsIgnored).toMatchObject({ objects: 2, bytes: 200 });
    expect(theirs.objectsIgnored!.reason).toContain(`more than ${caps.maxObjects} objects`);

    // The legacy per-miner route hands out the same capped objects, and nothing outside an
    // ended epoch's folder, however much the folder holds.
    expect((await postLikePythonMiner(grant, 'loose-file.parquet', randomBytes(100))).status).toBe(204);
    expect(
      (await postLikePythonMiner(grant, 'epoch=2099-01-01T00-00-00/listings.parquet', randomBytes(100))).status,
    ).toBe(204);
    sut.clock.set(AFTER_GRACE);
    try {
      const legacy = await signedValidatorPost(
        sut,
        validator,
        '/get-miner-specific-access',
        `s3:validator:miner:${otherMiner.hotkey}:{ts}`,
        { miner_hotkey: otherMiner.hotkey, coldkey: validator.coldkey, expiry: seconds(AFTER_GRACE) + 3600 },
      );
      expect(legacy.statusCode).toBe(200);
      const body = minerSpecificAccessResponseSchema.parse(legacy.json());
      expect(body.objects?.map((o) => o.key)).toEqual(theirs.objects.map((o) => o.key));
    } finally {
      sut.clock.set(NOW);
    }
  });
});

describe('storage routes with presigned PUTs (S3_UPLOAD_METHOD=put, as for Cloudflare R2)', () => {
  let sut: TestApi;
  let miner: TestIdentity;
  let validator: TestIdentity;

  beforeAll(async () => {
    [miner, validator] = await Promise.all([makeIdentity(), makeIdentity()]);
    sut = await createTestApi({
      now: NOW,
      neurons: [neuronOf(validator, 0, true), neuronOf(miner, 1)],
      env: { S3_UPLOAD_METHOD: 'put', S3_MAX_UPLOAD_BYTES: '8192' },
    });
    await sut.app.get(EpochService).ensure(EPOCH);
  });
  afterAll(() => sut.close());

  it('grants PUTs signed over the exact length and SHA-256, which upload and show up for validators', async () => {
    const content = randomBytes(5000);
    const res = await requestMinerUpload(sut, miner, {
      epochId: EPOCH,
      files: [{ name: 'listings.parquet', bytes: content.length, sha256: sha256(content) }],
    });
    expect(res.statusCode).toBe(200);
    const grant = minerUploadResponseSchema.parse(res.json()).uploads[0]!;
    if (grant.method !== 'PUT') throw new Error('expected a PUT grant');
    expect(grant.headers).toEqual({
      'content-length': '5000',
      'x-amz-checksum-sha256': createHash('sha256').update(content).digest('base64'),
    });
    expect(new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;host;x-amz-checksum-sha256',
    );
    // It expires with the epoch's grace period (20:15), 3 h 15 min from now.
    expect(new URL(grant.url).searchParams.get('X-Amz-Expires')).toBe(String(3 * 3600 + 15 * 60));

    const put = await fetch(grant.url, {
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': grant.headers['x-amz-checksum-sha256']! },
      body: content,
    });
    expect(put.status).toBe(200);
    const read = epochSubmissionsResponseSchema.parse((await readSubmissions(sut, validator)).json());
    expect(read.submissions[0]).toMatchObject({ hotkey: miner.hotkey, objects: [{ key: grant.key, size: 5000 }] });
  });

  it('refuses a declared file over the size cap, and folder grants a PUT-only store cannot express', async () => {
    const big = await requestMinerUpload(sut, miner, {
      epochId: EPOCH,
      files: [{ name: 'listings.parquet', bytes: 8193, sha256: 'c'.repeat(64) }],
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('listings.parquet (8193 bytes)') as string,
    });

    const folder = await requestFolderAccess(sut, miner);
    expect(folder.statusCode).toBe(503);
    expect(folder.json()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('/api/v1/s3-access/miner-upload') as string,
    });
  });
});

/** `20251124T225123Z` → Date. */
function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) throw new Error(`not an X-Amz-Date: ${value}`);
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

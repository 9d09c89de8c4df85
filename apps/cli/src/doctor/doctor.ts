import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  API_VERSIONS,
  assignmentCurrentCommitment,
  currentAssignmentsResponseSchema,
  errorBodySchema,
  folderAccessCommitment,
  folderAccessResponseSchema,
  healthcheckResponseSchema,
  isCompatibleProtocol,
  loadColdkeyAddress,
  loadHotkey,
  PROTOCOL_VERSION,
  signCommitment,
  type Sr25519Keypair,
  TIMESTAMP_MAX_AGE_SECONDS,
  TIMESTAMP_MAX_FUTURE_SECONDS,
  validationCommitment,
  validatorUploadCommitment,
  validatorUploadResponseSchema,
  WalletError,
  type WalletLocation,
} from '@resi/core';
import { type AdapterConfig, type SourceCheckResult, checkSource } from '@resi/sources';

/** Which program the setup is for: a validator also needs a permit and stake, and more disk. */
export type DoctorRole = 'miner' | 'validator';

/** One check's outcome: one line, and for a failure what to do about it. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** The setup under test. */
export interface DoctorSetup {
  readonly role: DoctorRole;
  readonly wallet: WalletLocation;
  readonly apiUrl: string;
  readonly netuid: number;
  readonly network: string;
  /** The directory the miner or validator keeps its state in (it may not exist yet). */
  readonly stateDir: string;
  /** The configured sources: the miner's own, or the validator's verification sources. */
  readonly sources: readonly AdapterConfig[];
}

/** What the checks reach the world through; tests replace each. */
export interface DoctorEnvironment {
  readonly fetch: typeof fetch;
  /** Milliseconds since the epoch, as this machine's clock reads. */
  readonly now: () => number;
  /** Free bytes on the file system holding `path` (which exists). */
  readonly freeBytes: (path: string) => Promise<number>;
  readonly requestTimeoutMs: number;
  readonly sourceTimeoutMs: number;
  /** One live request to a source: the sources package's check, as `resi sources check` runs it. */
  readonly checkSource: (config: AdapterConfig, zipcode: string, timeoutMs: number) => Promise<SourceCheckResult>;
}

export const DEFAULT_DOCTOR_ENVIRONMENT: DoctorEnvironment = {
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  freeBytes: async (path) => {
    const stats = await statfs(path);
    return stats.bavail * stats.bsize;
  },
  requestTimeoutMs: 10_000,
  sourceTimeoutMs: 30_000,
  checkSource: (config, zipcode, timeoutMs) => checkSource(config, zipcode, { timeoutMs }),
};

/**
 * Free space a state directory needs. A miner keeps each finished zipcode and one epoch's Parquet
 * (up to 1,000,000 rows a file, ~100 MB); a validator downloads every miner's files of an epoch
 * (256 MB per file at most) and spills DuckDB scans to disk.
 */
export const MIN_FREE_BYTES: Readonly<Record<DoctorRole, number>> = {
  miner: 1024 ** 3,
  validator: 10 * 1024 ** 3,
};

/** A zipcode every source has listings in, for the source check: Manhattan's 10001. */
export const SOURCE_CHECK_ZIPCODE = '10001';

interface ApiCall {
  readonly status: number;
  readonly body: unknown;
}

/** What the API told us about itself, shared by the checks after it. */
interface ApiFacts {
  /** Server clock minus ours, in seconds. */
  readonly offsetSeconds: number;
}

/**
 * `resi doctor`: checks a miner's or validator's setup before it runs, one line per check, each
 * failure with its fix. The checks run in order; one that needs an earlier one's result (the
 * wallet, the API) says so instead of failing for the same reason twice.
 */
/**
 * A wallet that does not load as the doctor's detail and fix: a WalletError's message says what is
 * wrong with the file and then what to do (which differs: create it, decrypt it, read it as its
 * owner), so it is cut after the sentence naming the file; `fallback` is the fix when it says none.
 */
export function walletProblem(error: unknown, fallback: string): { detail: string; fix: string } {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const path = error instanceof WalletError ? error.path : undefined;
  const cut =
    path === undefined || !message.includes(path) ? -1 : message.indexOf('. ', message.indexOf(path) + path.length);
  if (cut < 0) return { detail: message, fix: fallback };
  const fix = message.slice(cut + 2).trim();
  return { detail: message.slice(0, cut), fix: fix.charAt(0).toLowerCase() + fix.slice(1) };
}

export async function runDoctor(
  setup: DoctorSetup,
  environment: DoctorEnvironment = DEFAULT_DOCTOR_ENVIRONMENT,
  report: (result: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = (result: CheckResult) => {
    results.push(result);
    report(result);
  };
  const env = environment;
  const walletFlags = `--wallet.name ${setup.wallet.name} --wallet.hotkey ${setup.wallet.hotkey}`;

  // 1. The wallet.
  let hotkey: { address: string; keypair: Sr25519Keypair } | undefined;
  let coldkey: string | undefined;
  try {
    const loaded = await loadHotkey(setup.wallet);
    hotkey = { address: loaded.address, keypair: loaded.keypair };
    coldkey = await loadColdkeyAddress(setup.wallet).catch(() => undefined);
    record({
      name: 'wallet',
      ok: true,
      detail: `hotkey ${loaded.address} (${setup.wallet.name}/${setup.wallet.hotkey})`,
    });
  } catch (error) {
    record({
      name: 'wallet',
      ok: false,
      ...walletProblem(
        error,
        `create or import it (btcli wallet new-hotkey, or resi keys create ${walletFlags}), or point --wallet.path/--wallet.name/--wallet.hotkey at it`,
      ),
    });
  }

  // 2. The API: reachable, a resi API, a protocol we speak. Its clock comes with the answer.
  let facts: ApiFacts | undefined;
  const healthUrl = `${setup.apiUrl}/healthcheck`;
  try {
    const sentAt = env.now();
    const response = await call(env, 'GET', healthUrl);
    const receivedAt = env.now();
    const health = healthcheckResponseSchema.safeParse(response.body);
    if (response.status !== 200 || !health.success) {
      record({
        name: 'api',
        ok: false,
        detail: `${healthUrl} answered ${response.status} without a resi health report`,
        fix: 'check --api.url (RESI_API_URL): it must be the subnet API, e.g. https://api.resilabs.ai',
      });
    } else {
      const server = health.data;
      // The server read its clock about halfway through the round trip.
      const localMidpoint = (sentAt + receivedAt) / 2;
      facts = { offsetSeconds: (Date.parse(server.timestamp) - localMidpoint) / 1000 };
      const announced = server.protocolVersion;
      const compatible = isCompatibleProtocol(announced) && (server.apiVersions ?? ['v1']).includes(API_VERSIONS[0]!);
      const what = `${server.service} ${server.version}, protocol ${announced ?? '1 (not announced)'}, status ${server.status}`;
      if (!compatible)
        record({
          name: 'api',
          ok: false,
          detail: `${setup.apiUrl}: ${what}; this resi speaks protocol ${PROTOCOL_VERSION}, API ${API_VERSIONS.join(', ')}`,
          fix: 'upgrade resi (git pull && npm install && npm run build), or point --api.url at an API of your version',
        });
      else record({ name: 'api', ok: true, detail: `${setup.apiUrl}: ${what}` });
    }
  } catch (error) {
    record({
      name: 'api',
      ok: false,
      detail: `${healthUrl} is unreachable: ${describe(error)}`,
      fix: 'check --api.url (RESI_API_URL), your network and any proxy; the API may also be down for a while',
    });
  }

  // 3. The clock, against the API's: a signature's timestamp must be within the window.
  if (facts) {
    const skew = -facts.offsetSeconds; // ours minus the server's
    const ahead = skew > 0;
    const amount = `${Math.abs(skew).toFixed(1)} s ${ahead ? 'ahead of' : 'behind'} the API`;
    const withinWindow = skew < TIMESTAMP_MAX_FUTURE_SECONDS && -skew < TIMESTAMP_MAX_AGE_SECONDS;
    record(
      withinWindow
        ? {
            name: 'clock',
            ok: true,
            detail: `${amount} (signatures allow ${TIMESTAMP_MAX_AGE_SECONDS} s behind, ${TIMESTAMP_MAX_FUTURE_SECONDS} s ahead)`,
          }
        : {
            name: 'clock',
            ok: false,
            detail: `${amount}: the API refuses signatures more than ${TIMESTAMP_MAX_AGE_SECONDS} s behind or ${TIMESTAMP_MAX_FUTURE_SECONDS} s ahead`,
            fix: 'synchronise the clock: timedatectl set-ntp true (or run chrony/ntpd), then check with timedatectl',
          },
    );
  } else record(skipped('clock', 'needs the API'));

  // The signed checks sign with the API's time, so a wrong clock does not hide what they test.
  const serverSeconds = () => Math.floor(env.now() / 1000 + (facts?.offsetSeconds ?? 0));
  const signedReady = hotkey !== undefined && facts !== undefined;
  const sign = (commitment: string) => signCommitment(commitment, hotkey!.keypair);

  // 4. Registration (and for a validator its permit and stake), as the API's metagraph sees it.
  let currentEpochId: string | undefined;
  if (signedReady) {
    const ts = serverSeconds();
    const query = new URLSearchParams({
      hotkey: hotkey!.address,
      signature: sign(assignmentCurrentCommitment(ts)),
      timestamp: String(ts),
    });
    try {
      const response = await call(env, 'GET', `${setup.apiUrl}/api/v1/zipcode-assignments/current?${query.toString()}`);
      const current = currentAssignmentsResponseSchema.safeParse(response.body);
      const code = errorCode(response.body);
      if (response.status === 200 && current.success) {
        currentEpochId = current.data.epochId;
        record({
          name: 'registration',
          ok: true,
          detail: `${hotkey!.address} is registered on netuid ${setup.netuid} (${setup.network})`,
        });
      } else if (code === 'HOTKEY_NOT_REGISTERED')
        record({
          name: 'registration',
          ok: false,
          detail: `${hotkey!.address} is not registered on netuid ${setup.netuid} (${setup.network})`,
          fix: `register it: btcli subnet register --netuid ${setup.netuid} --subtensor.network ${setup.network} ${walletFlags}`,
        });
      else if (code === 'EPOCH_NOT_FOUND')
        record({
          name: 'registration',
          ok: true,
          detail: `${hotkey!.address} is registered (the API has no active epoch right now)`,
        });
      else
        record({
          name: 'registration',
          ok: false,
          detail: `the API answered ${response.status}${code ? ` ${code}` : ''}: ${errorMessage(response.body)}`,
          fix: 'read the message above; run resi doctor again in a minute if it was rate limited',
        });
    } catch (error) {
      record({
        name: 'registration',
        ok: false,
        detail: `the signed request failed: ${describe(error)}`,
        fix: 'check the network path to the API',
      });
    }
    if (setup.role === 'validator') {
      if (currentEpochId) {
        const vts = serverSeconds();
        const vquery = new URLSearchParams({
          hotkey: hotkey!.address,
          signature: sign(validationCommitment(currentEpochId, vts)),
          timestamp: String(vts),
        });
        const response = await call(
          env,
          'GET',
          `${setup.apiUrl}/api/v1/zipcode-assignments/epoch/${currentEpochId}?${vquery.toString()}`,
        ).catch((error: unknown) => ({ status: 0, body: { message: describe(error) } }));
        const code = errorCode(response.body);
        record(
          response.status === 200
            ? {
                name: 'validator permit',
                ok: true,
                detail: 'the API accepts this hotkey as a validator (permit and stake)',
              }
            : {
                name: 'validator permit',
                ok: false,
                detail: `${code ?? response.status}: ${errorMessage(response.body)}`,
                fix:
                  code === 'NOT_A_VALIDATOR'
                    ? `a validator needs a validator permit and enough stake on netuid ${setup.netuid}: stake to this hotkey (btcli stake add ${walletFlags}) and wait for the next metagraph sync`
                    : 'read the message above',
              },
        );
      } else record(skipped('validator permit', 'needs registration and an active epoch'));
    }
  } else {
    record(skipped('registration', hotkey ? 'needs the API' : 'needs the wallet'));
    if (setup.role === 'validator') record(skipped('validator permit', 'needs the wallet and the API'));
  }

  // 5. Storage: the API grants this hotkey an upload, and the storage it points at answers.
  if (signedReady)
    record(await storageCheck(setup, env, hotkey!.address, coldkey, currentEpochId, serverSeconds, sign));
  else record(skipped('storage', 'needs the wallet and the API'));

  // 6. Each configured source answers a real request.
  for (const source of setup.sources) record(await sourceCheck(source, env));

  // 7. Disk space where the state lives.
  record(await diskCheck(setup, env));
  return results;
}

async function storageCheck(
  setup: DoctorSetup,
  env: DoctorEnvironment,
  hotkey: string,
  coldkey: string | undefined,
  epochId: string | undefined,
  serverSeconds: () => number,
  sign: (commitment: string) => string,
): Promise<CheckResult> {
  const ts = serverSeconds();
  let grantUrl: string;
  let what: string;
  try {
    if (setup.role === 'miner') {
      if (!coldkey)
        return {
          name: 'storage',
          ok: false,
          detail: 'the wallet has no coldkeypub.txt, which a storage grant is signed over',
          fix: 'copy the coldkey public file (coldkeypub.txt) into the wallet directory (btcli regen_coldkeypub)',
        };
      const response = await call(env, 'POST', `${setup.apiUrl}/get-folder-access`, {
        coldkey,
        hotkey,
        timestamp: ts,
        signature: sign(folderAccessCommitment(coldkey, hotkey, ts)),
      });
      const grant = folderAccessResponseSchema.safeParse(response.body);
      if (!grant.success) return grantRefused(response);
      if (grant.data.folder !== `data/hotkey=${hotkey}/`)
        return {
          name: 'storage',
          ok: false,
          detail: `the grant is for ${grant.data.folder}, not this hotkey's folder`,
          fix: 'report this to the API operator',
        };
      grantUrl = grant.data.url;
      what = `upload grant for ${grant.data.folder}`;
    } else {
      if (!epochId) return skipped('storage', 'needs an active epoch');
      const response = await call(env, 'POST', `${setup.apiUrl}/api/v1/s3-access/validator-upload`, {
        hotkey,
        timestamp: ts,
        signature: sign(validatorUploadCommitment(ts)),
        epochId,
        purpose: 'resi doctor',
      });
      const grant = validatorUploadResponseSchema.safeParse(response.body);
      if (!grant.success) return grantRefused(response);
      grantUrl = grant.data.url;
      what = `results upload grant for ${dirname(grant.data.key)}/`;
    }
  } catch (error) {
    return {
      name: 'storage',
      ok: false,
      detail: `asking for a grant failed: ${describe(error)}`,
      fix: 'check the network path to the API',
    };
  }
  // The grant is only as good as the storage behind it: any HTTP answer shows it is reachable.
  try {
    const answer = await call(env, 'HEAD', grantUrl);
    return { name: 'storage', ok: true, detail: `${what}; ${new URL(grantUrl).host} answers (HTTP ${answer.status})` };
  } catch (error) {
    return {
      name: 'storage',
      ok: false,
      detail: `the API granted an upload but ${safeHost(grantUrl)} is unreachable: ${describe(error)}`,
      fix: 'allow outbound HTTPS to that host (firewall, proxy); if it persists, tell the API operator',
    };
  }
}

function grantRefused(response: ApiCall): CheckResult {
  const code = errorCode(response.body);
  return {
    name: 'storage',
    ok: false,
    detail: `the API refused a grant: ${response.status}${code ? ` ${code}` : ''}: ${errorMessage(response.body)}`,
    fix:
      code === 'RATE_LIMITED'
        ? 'wait for the limit to reset (the message says when); doctor asks for one grant per run'
        : code === 'SERVICE_UNAVAILABLE'
          ? 'the API cannot reach its storage right now: try later, or tell the API operator'
          : 'read the message above',
  };
}

/**
 * A source answers: the sources package's check (one page, no retry), so doctor and
 * `resi sources check` report the same outcome (ok, empty, blocked, rate_limited, changed_shape,
 * unreachable, failed) with the same fix.
 */
async function sourceCheck(source: AdapterConfig, env: DoctorEnvironment): Promise<CheckResult> {
  const name = `source ${source.source}`;
  let result: SourceCheckResult;
  try {
    result = await env.checkSource(source, SOURCE_CHECK_ZIPCODE, env.sourceTimeoutMs);
  } catch (error) {
    // The adapter could not even be built (an unknown name, a missing key).
    return { name, ok: false, detail: `failed: ${describe(error)}`, fix: 'check the source options in --help' };
  }
  return result.ok
    ? { name, ok: true, detail: `ok: ${result.detail}` }
    : { name, ok: false, detail: `${result.outcome}: ${result.detail}`, ...(result.fix ? { fix: result.fix } : {}) };
}

async function diskCheck(setup: DoctorSetup, env: DoctorEnvironment): Promise<CheckResult> {
  const needed = MIN_FREE_BYTES[setup.role];
  // The state directory may not exist before the first run: measure the nearest directory that does.
  let probe = resolve(setup.stateDir);
  for (;;) {
    try {
      const free = await env.freeBytes(probe);
      const ok = free >= needed;
      return {
        name: 'disk',
        ok,
        detail: `${gib(free)} free at ${probe}${ok ? '' : `; a ${setup.role} needs at least ${gib(needed)}`}`,
        ...(ok ? {} : { fix: `free space there, or choose another --state.dir with at least ${gib(needed)} free` }),
      };
    } catch (error) {
      const parent = dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe)
        return {
          name: 'disk',
          ok: false,
          detail: `cannot read ${probe}: ${describe(error)}`,
          fix: 'check --state.dir and its permissions',
        };
      probe = parent;
    }
  }
}

function skipped(name: string, because: string): CheckResult {
  return { name, ok: false, detail: `not checked: ${because}`, fix: 'fix the failure above first' };
}

async function call(env: DoctorEnvironment, method: string, url: string, body?: unknown): Promise<ApiCall> {
  const response = await env.fetch(url, {
    method,
    signal: AbortSignal.timeout(env.requestTimeoutMs),
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = method === 'HEAD' ? '' : await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: kept as text, reported as is.
  }
  return { status: response.status, body: parsed };
}

function errorCode(body: unknown): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.code : undefined;
}

function errorMessage(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  return typeof body === 'string' ? body.slice(0, 200) : 'no message';
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = (error as Error).message ?? String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The report as printed: one line per check, `ok` or `FAIL`, a failure's fix after it. */
export function formatCheck(result: CheckResult): string {
  const head = `${result.ok ? 'ok  ' : 'FAIL'}  ${result.name.padEnd(16)} ${result.detail}`;
  return result.ok || !result.fix ? head : `${head} -> fix: ${result.fix}`;
}

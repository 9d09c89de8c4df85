import { resolveSubtensorTarget, type SubtensorTarget } from '@resi/chain';
import { createEpochConfig, type EpochConfig } from '@resi/core';
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();

/**
 * Which proxies may set the client address through `X-Forwarded-For` (Fastify's `trustProxy`):
 * none (the default: the socket's peer is the client), the number of proxy hops in front of the
 * API, or a comma-separated list of proxy addresses and CIDRs. Trusting every sender would let
 * any client pick the address its per-IP limits are counted under.
 */
export type TrustProxy = false | number | string[];

export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === '' || text === 'false' || text === '0' || text === 'none') return false;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === 'true') {
    throw new ConfigError(
      'TRUST_PROXY: "true" would let any client choose its address with X-Forwarded-For; set the number of proxies in front of the API (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)',
    );
  }
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || rest.length > 0) {
      throw new ConfigError(
        `TRUST_PROXY: "${entry}" is not an IP address or CIDR; use a hop count (e.g. 1) or addresses/CIDRs such as 10.0.0.0/8,127.0.0.1`,
      );
    }
  }
  return entries;
}

/**
 * Every environment variable the API reads, in one place. Parsed once at start-up; a bad value
 * stops the process with a sentence naming the variable (see `loadApiConfig`).
 */
export const apiEnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL, used in log lines and the docs. */
  PUBLIC_URL: z.url().optional(),
  /** PostgreSQL connection string. Unset: embedded PGlite in RESI_HOME/db. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  /** Redis connection string. Unset: in-process memory (one API process only). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Prefix for every Redis key, to share one Redis between deployments. */
  REDIS_KEY_PREFIX: z.string().default('resi:'),
  /** Local state directory for the embedded defaults. */
  RESI_HOME: z.string().default('.resi'),
  /** Secret behind zipcode selection and nonces. Required in production (NODE_ENV=production). */
  ZIPCODE_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Where the metagraph comes from: a JSON file (local use) or subtensor, synced every METAGRAPH_SYNC_SECONDS. */
  METAGRAPH_SOURCE: z.enum(['file', 'chain']).default('file'),
  METAGRAPH_FILE: z.string().optional(),
  /** METAGRAPH_SOURCE=chain: finney (subnet 46), test (subnet 428) or local; unset with no endpoint: finney. */
  SUBTENSOR_NETWORK: z.enum(['finney', 'test', 'local']).optional(),
  /** METAGRAPH_SOURCE=chain: a websocket URL that overrides the network's endpoint. */
  SUBTENSOR_CHAIN_ENDPOINT: z
    .string()
    .regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL')
    .optional(),
  /** METAGRAPH_SOURCE=chain: the subnet; defaults to the network's, required for local or a bare endpoint. */
  NETUID: z.coerce.number().int().min(0).max(65_535).optional(),
  METAGRAPH_SYNC_SECONDS: positiveInt.default(300),
  /** Stake a validator needs besides its permit, in the metagraph's unit: the subnet's alpha (see `Neuron.stake`). */
  VALIDATOR_MIN_STAKE: z.coerce.number().min(0).default(1000),
  EPOCH_DURATION_MINUTES: positiveInt.default(240),
  EPOCH_PENDING_LEAD_MINUTES: positiveInt.default(15),
  EPOCH_VALIDATION_WINDOW_MINUTES: positiveInt.default(30),
  EPOCH_GRACE_MINUTES: z.coerce.number().int().min(0).default(15),
  EPOCH_TARGET_LISTINGS: positiveInt.default(10_000),
  EPOCH_TOLERANCE_PERCENT: z.coerce.number().min(1).max(50).default(10),
  EPOCH_COOLDOWN_EPOCHS: z.coerce.number().int().min(0).default(6),
  /** Comma-separated STATE=weight pairs, e.g. "CA=1.5,TX=1.3". */
  STATE_PRIORITY: z.string().default(''),
  SCHEDULER_ENABLED: bool.default(true),
  SCHEDULER_INTERVAL_SECONDS: positiveInt.default(5),
  RATE_LIMIT_ASSIGNMENTS_PER_MINUTE: positiveInt.default(10),
  RATE_LIMIT_STATUS_PER_MINUTE: positiveInt.default(5),
  RATE_LIMIT_MINER_S3_PER_DAY: positiveInt.default(20),
  RATE_LIMIT_VALIDATOR_UPLOAD_PER_HOUR: positiveInt.default(5),
  RATE_LIMIT_VALIDATOR_READS_PER_MINUTE: positiveInt.default(60),
  RATE_LIMIT_STATS_PER_MINUTE: positiveInt.default(30),
  /**
   * Failed authentications (bad signature, stale timestamp, unregistered hotkey, ...) allowed per
   * client IP, and bad signatures per claimed hotkey, per minute; past either, requests are refused
   * with 429 before any signature is verified.
   */
  RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: positiveInt.default(30),
  RATE_LIMIT_AUTH_FAILURES_PER_HOTKEY_PER_MINUTE: positiveInt.default(30),
  /** See {@link parseTrustProxy}: unset trusts no proxy. */
  TRUST_PROXY: z.string().default(''),
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  /**
   * S3-compatible endpoint (AWS S3, MinIO, DigitalOcean Spaces, Cloudflare R2). Unset: an embedded
   * s3rver on 127.0.0.1 with its data in RESI_HOME/s3, for local use only. Credentials come from
   * the AWS default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance roles).
   */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)')
    .default('resi-data'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Path-style URLs (`endpoint/bucket/key`), which MinIO needs; virtual-hosted style otherwise. */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** `post`: presigned POST policies (AWS, MinIO, Spaces). `put`: presigned PUTs (R2, no POST policies). */
  S3_UPLOAD_METHOD: z.enum(['post', 'put']).default('post'),
  /** Largest object a miner may upload, in bytes (PROTOCOL.md §6: 5 GiB by default). */
  S3_MAX_UPLOAD_BYTES: positiveInt
    .min(1024, 'must be at least 1024 (room for a metadata.json)')
    .max(5 * 1024 ** 3)
    .default(5 * 1024 ** 3),
  /** Apply the retention lifecycle rules to the bucket at start (needs s3:PutLifecycleConfiguration). */
  S3_APPLY_LIFECYCLE: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Operator labels for the dashboard: a JSON or YAML file mapping hotkey → label, checked at start. */
  LABELS_FILE: z.string().optional(),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** Thrown when the environment is unusable; the message is meant for the operator. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` into typed config or throws a `ConfigError` naming each bad variable. */
export function parseApiEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): ApiEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = apiEnvSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const got = name in cleaned ? ` (got "${String(cleaned[name])}")` : '';
      // zod's own words for a number that is not one ("expected number, received NaN") are the code's, not the operator's.
      const message = issue.code === 'invalid_type' && issue.expected === 'number' ? 'must be a number' : issue.message;
      return `  ${name}: ${message}${got}`;
    });
    throw new ConfigError(`Invalid API configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.NODE_ENV === 'production' && !config.ZIPCODE_SECRET) {
    throw new ConfigError(
      'Invalid API configuration:\n  ZIPCODE_SECRET: required when NODE_ENV=production (a random string of 16+ characters; keep it secret, it makes zipcode selection unpredictable)',
    );
  }
  parseStatePriority(config.STATE_PRIORITY);
  parseTrustProxy(config.TRUST_PROXY);
  epochConfigOf(config);
  if (config.METAGRAPH_SOURCE === 'chain') subtensorTargetOf(config);
  return config;
}

/** The epoch schedule the EPOCH_* variables describe; a ConfigError names them when it is impossible. */
export function epochConfigOf(config: ApiEnv): EpochConfig {
  try {
    return createEpochConfig({
      durationMinutes: config.EPOCH_DURATION_MINUTES,
      pendingLeadMinutes: config.EPOCH_PENDING_LEAD_MINUTES,
      validationWindowMinutes: config.EPOCH_VALIDATION_WINDOW_MINUTES,
      graceMinutes: config.EPOCH_GRACE_MINUTES,
    });
  } catch (error) {
    throw new ConfigError(
      `Invalid API configuration:\n  EPOCH_DURATION_MINUTES / EPOCH_PENDING_LEAD_MINUTES / EPOCH_VALIDATION_WINDOW_MINUTES / EPOCH_GRACE_MINUTES: ${(error as Error).message}`,
    );
  }
}

/** The chain the SUBTENSOR_* and NETUID variables point at; a ConfigError names them when they do not fit. */
export function subtensorTargetOf(config: ApiEnv): SubtensorTarget {
  try {
    return resolveSubtensorTarget({
      network: config.SUBTENSOR_NETWORK,
      endpoint: config.SUBTENSOR_CHAIN_ENDPOINT,
      netuid: config.NETUID,
    });
  } catch (error) {
    throw new ConfigError(
      `Invalid API configuration:\n  SUBTENSOR_NETWORK / SUBTENSOR_CHAIN_ENDPOINT / NETUID: ${(error as Error).message}`,
    );
  }
}

/** "CA=1.5,TX=1.3" → { CA: 1.5, TX: 1.3 }. */
export function parseStatePriority(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Z]{2})=(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) {
      throw new ConfigError(
        `Invalid API configuration:\n  STATE_PRIORITY: "${part}" is not STATE=weight (e.g. "CA=1.5,TX=1.3")`,
      );
    }
    out[match[1]!] = Number(match[2]);
  }
  return out;
}

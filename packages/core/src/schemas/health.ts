import { z } from 'zod';
import { isoInstantSchema, successTrueSchema } from './primitives.js';

/** The state of one dependency in the health check. */
export const HEALTH_COMPONENT_STATUSES = ['ok', 'degraded', 'down'] as const;

/**
 * One dependency: its status, which backend serves it (`postgres`, `pglite`, `redis`, `memory`,
 * `s3`, `file`, `subtensor`, ...) and optional detail. Extra keys pass through.
 */
export const healthComponentSchema = z
  .looseObject({
    status: z.enum(HEALTH_COMPONENT_STATUSES),
    backend: z.string().min(1),
    latencyMs: z.number().nonnegative().optional(),
    message: z.string().optional(),
  })
  .meta({ id: 'HealthComponent' });
export type HealthComponent = z.infer<typeof healthComponentSchema>;

/**
 * `GET /healthcheck` (PROTOCOL.md §10). Served with 200 whether `ok` or `degraded`: the Python
 * clients call `raise_for_status()` and then check `status == "ok"` and log `service`.
 */
export const healthcheckResponseSchema = z
  .object({
    success: successTrueSchema,
    status: z.enum(['ok', 'degraded']),
    timestamp: isoInstantSchema,
    /** Seconds since the process started. */
    uptime: z.number().nonnegative(),
    version: z.string().min(1),
    service: z.string().min(1),
    /** The wire contract's version (core's `PROTOCOL_VERSION`); absent from the deployed Python API. */
    protocolVersion: z.string().min(1).optional(),
    /** The API path versions served, e.g. `["v1"]`. */
    apiVersions: z.array(z.string().min(1)).optional(),
    database: healthComponentSchema,
    redis: healthComponentSchema,
    storage: healthComponentSchema,
    metagraph: healthComponentSchema,
  })
  .meta({ id: 'HealthcheckResponse' });
export type HealthcheckResponse = z.infer<typeof healthcheckResponseSchema>;

import { z } from 'zod';
import {
  epochIdSchema,
  signatureHexSchema,
  ss58AddressSchema,
  timestampQueryParamSchema,
  unixTimestampSecondsSchema,
} from './primitives.js';

/**
 * The three fields of every signed POST body (PROTOCOL.md §2): the signing hotkey, the signature
 * of the route's commitment string, and the Unix-seconds timestamp inside that commitment.
 * Spread into each request's shape.
 */
export const signedBodyFields = {
  hotkey: ss58AddressSchema,
  signature: signatureHexSchema,
  timestamp: unixTimestampSecondsSchema,
};

/** Just the signed fields, for a signed POST that carries nothing else. */
export const signedBodySchema = z.object(signedBodyFields).meta({ id: 'SignedBody' });
export type SignedBody = z.infer<typeof signedBodySchema>;

/**
 * The query string of a signed GET (`/current`, `/epoch/{epochId}`, `/epochs/{epochId}/submissions`):
 * `?hotkey=...&signature=...&timestamp=...`, exactly what the Python client's `params` produce.
 * The timestamp arrives as text and is decoded to a number.
 */
export const signedQuerySchema = z
  .object({
    hotkey: ss58AddressSchema,
    signature: signatureHexSchema,
    timestamp: timestampQueryParamSchema,
  })
  .meta({ id: 'SignedQuery' });
export type SignedQuery = z.output<typeof signedQuerySchema>;

/** Path parameters of the routes addressed by epoch: `/.../{epochId}`. */
export const epochPathParamsSchema = z.object({ epochId: epochIdSchema }).meta({ id: 'EpochPathParams' });
export type EpochPathParams = z.infer<typeof epochPathParamsSchema>;

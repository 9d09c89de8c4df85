import { SetMetadata } from '@nestjs/common';
import type { ZodType } from 'zod';

/** The rate-limit classes of PROTOCOL.md §9, each configurable. */
export type RateLimitName = 'assignments' | 'status' | 'minerS3' | 'validatorUpload' | 'validatorReads' | 'stats';

/** The fields every signed request carries (query string for GET, JSON body for POST). */
export interface SignedFields {
  hotkey: string;
  signature: string;
  timestamp: number;
}

/** Declares how a route is authenticated: its input, the commitments it accepts, who may call. */
export interface SignedRouteSpec<T extends SignedFields = SignedFields> {
  /** Query string (GET) or JSON body (POST); path parameters are merged in either way. */
  source: 'query' | 'body';
  /** The whole input, signed fields included; validated before any signature check. */
  schema: ZodType<T>;
  /** The commitment strings a valid signature may cover (several when two client generations differ). */
  commitments: (input: T) => string[];
  role: 'miner' | 'validator';
  /** State-changing POSTs: a signature is accepted once (PROTOCOL.md §2). */
  singleUse: boolean;
  rateLimit: RateLimitName;
  /**
   * The route hands out storage grants: while storage is unreachable it answers 503 before the
   * request counts against `rateLimit`, so a client retrying through an outage keeps its quota
   * (a miner's grants are few a day).
   */
  needsStorage?: boolean;
  /** When set, the coldkey the request names must own the hotkey on chain. */
  coldkey?: (input: T) => string;
}

export const SIGNED_ROUTE = Symbol('resi:signed-route');
export const RATE_LIMITED_ROUTE = Symbol('resi:rate-limited-route');

/** Marks a route as signed by a hotkey; the guard validates, authenticates and rate-limits it. */
export const Signed = <T extends SignedFields>(spec: SignedRouteSpec<T>) => SetMetadata(SIGNED_ROUTE, spec);

/** Marks a public route as rate-limited per client IP. */
export const RateLimitedByIp = (name: RateLimitName) => SetMetadata(RATE_LIMITED_ROUTE, name);

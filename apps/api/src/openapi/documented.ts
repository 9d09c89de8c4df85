import { SetMetadata } from '@nestjs/common';
import type { ErrorCode } from '@resi/core';
import type { ZodType } from 'zod';

export const ROUTE_DOC = Symbol('resi:route-doc');

/** What the OpenAPI document says of a route besides what Nest and `@Signed` already know. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tag: 'Miners' | 'Validators' | 'Storage' | 'Public' | 'Operations';
  /** The success body; omitted for non-JSON bodies such as /metrics. */
  response?: ZodType;
  /** Media type of a non-JSON success body. */
  produces?: string;
  /** Error codes this route may answer with, beyond the ones every signed route has. */
  errors?: ErrorCode[];
}

/** Declares a route's documentation; `buildOpenApiDocument` reads it with the route's Nest metadata. */
export const Documented = (doc: RouteDoc) => SetMetadata(ROUTE_DOC, doc);

import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { SIGNED_ROUTE, type SignedRouteSpec } from '../../src/auth/route-specs.js';

/** One route the API serves, as its controllers declare it. */
export interface ApiRoute {
  method: 'GET' | 'POST';
  /** Fastify-style path, `/api/v1/epochs/:epochId/submissions`. */
  path: string;
  pathParams: string[];
  /** Present on routes signed by a hotkey. */
  signed?: SignedRouteSpec;
}

/** Every route of `controllers`, read from Nest's metadata: a route added later is covered too. */
export function apiRoutes(controllers: Type[]): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const controller of controllers) {
    const prefix = String((Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const routePath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (routePath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      if (method !== 'GET' && method !== 'POST') continue;
      const path = `/${[prefix, routePath].filter(Boolean).join('/')}`.replace(/\/+/g, '/');
      routes.push({
        method,
        path,
        pathParams: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!),
        signed: Reflect.getMetadata(SIGNED_ROUTE, handler) as SignedRouteSpec | undefined,
      });
    }
  }
  return routes;
}

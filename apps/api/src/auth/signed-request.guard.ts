import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ResiError } from '@resi/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeZodError, rateLimitHeaders } from '../middleware/error-body.js';
import { AuthService } from '../services/auth.service.js';
import { RateLimitService } from '../services/rate-limit.service.js';
import { StorageService } from '../services/storage.service.js';
import type { ResiRequestState } from './caller.js';
import { RATE_LIMITED_ROUTE, SIGNED_ROUTE, type RateLimitName, type SignedRouteSpec } from './route-specs.js';

/**
 * Runs before every route: validates the input of `@Signed` routes, authenticates the hotkey,
 * checks storage for routes that need it and applies its rate limit; applies per-IP limits to `@RateLimitedByIp` routes.
 */
@Injectable()
export class SignedRequestGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly rateLimits: RateLimitService,
    private readonly storage: StorageService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & ResiRequestState>();
    const reply = http.getResponse<FastifyReply>();
    const handlers = [context.getHandler(), context.getClass()];

    const spec = this.reflector.getAllAndOverride<SignedRouteSpec | undefined>(SIGNED_ROUTE, handlers);
    if (spec) {
      const raw = spec.source === 'query' ? request.query : request.body;
      if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
        throw new ResiError('VALIDATION_FAILED', 'Invalid request: the body must be a JSON object.');
      }
      const merged = { ...(raw ?? {}), ...(request.params as object) } as Record<string, unknown>;
      const parsed = spec.schema.safeParse(merged);
      if (!parsed.success) throw new ResiError('VALIDATION_FAILED', describeZodError(parsed.error));
      const input = parsed.data;
      request.resiInput = input;
      request.resiCaller = await this.auth.authenticate(spec, input, request.ip);
      if (spec.needsStorage) await this.storage.requireReachable();
      void reply.headers(rateLimitHeaders(await this.rateLimits.consume(spec.rateLimit, input.hotkey)));
      return true;
    }

    const ipLimit = this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMITED_ROUTE, handlers);
    if (ipLimit) void reply.headers(rateLimitHeaders(await this.rateLimits.consume(ipLimit, request.ip)));
    return true;
  }
}

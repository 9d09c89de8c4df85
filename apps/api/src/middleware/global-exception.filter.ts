import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ResiError } from '@resi/core';
import type { FastifyReply } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../repositories/database.js';
import { toErrorBody } from './error-body.js';

/** The one place an exception becomes an HTTP response. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const normalised =
      exception instanceof HttpException
        ? { statusCode: exception.getStatus(), message: exception.message, code: undefined }
        : isDatabaseUnavailable(exception)
          ? databaseUnavailable(exception)
          : exception;
    const { body, headers, internal } = toErrorBody(normalised);
    if (internal) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : exception);
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}

/**
 * The database is down or restarting: the request did not complete (a write that did not commit
 * is rolled back, and writes are idempotent), so the client retries it after `Retry-After`.
 * Logged as a warning, not as an internal error.
 */
function databaseUnavailable(exception: unknown): ResiError {
  const logger = new Logger('Database');
  logger.warn(`database unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
  return new ResiError(
    'SERVICE_UNAVAILABLE',
    `The database is unavailable right now, so this request was not completed; retry it in ${DATABASE_RETRY_AFTER_SECONDS} s.`,
    { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  );
}

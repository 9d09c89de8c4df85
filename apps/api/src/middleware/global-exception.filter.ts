import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
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
        : exception;
    const { body, headers, internal } = toErrorBody(normalised);
    if (internal) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : exception);
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}

import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode } from './errors';

const CODE_BY_STATUS: Record<number, string> = {
  400: ErrorCode.INVALID_INPUT,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.STORAGE_UNAVAILABLE,
};

/**
 * Shapes every HTTP error the same way: `{ statusCode, message, error: { message, code, details? } }`.
 * Client mistakes keep their 4xx status; anything unexpected is a logged 500 that reveals nothing.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    const { status, body } = this.describe(exception);
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: object } {
    const status = statusOf(exception);
    if (status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      return { status, body: shape(status, 'Internal server error', ErrorCode.INTERNAL) };
    }
    const payload = exception instanceof HttpException ? exception.getResponse() : undefined;
    if (payload && typeof payload === 'object' && 'error' in payload && isErrorBody(payload.error)) {
      const { message, code, ...rest } = payload.error;
      return { status, body: shape(status, message, code, rest) };
    }
    const message = messageOf(payload, exception);
    return { status, body: shape(status, message, CODE_BY_STATUS[status] ?? ErrorCode.INTERNAL) };
  }
}

function shape(statusCode: number, message: string, code: string, extra: object = {}) {
  return { statusCode, message, error: { ...extra, message, code } };
}

/** body-parser errors carry `status` (400 for malformed JSON, 413 for an oversized body). */
function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { status?: unknown; statusCode?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

function messageOf(payload: unknown, exception: unknown): string {
  if (typeof payload === 'string') return payload;
  const message = (payload as { message?: unknown })?.message ?? (exception as Error)?.message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : 'Request failed';
}

function isErrorBody(value: unknown): value is { message: string; code: string } {
  return !!value && typeof value === 'object' && typeof (value as { code?: unknown }).code === 'string';
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { stdTimeFunctions, type LevelWithSilent } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/config';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** Object keys whose values are secrets wherever they turn up in a log call (top level or one down). */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'inviteCode',
  'resetCode',
  'secret',
];

/**
 * Paths pino blanks before a line is written. Request bodies are never logged at all (the
 * serializer below leaves them out); `req.body` is listed anyway so that no later change can
 * start logging a password by accident.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.body',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
];

/** Scraped every few seconds: logged at debug, so `info` logs stay readable. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/** pino-http settings for the whole app (HTTP request lines and every Nest `Logger` call). */
export function logOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    // Lines logged while handling a request carry only its id, not the whole request again.
    quietReqLogger: true,
    customLogLevel: (req, res, error) => levelOf(req, res.statusCode, error),
    serializers: {
      // No body, query or params: ids and URLs are enough to follow a request.
      req: (req: { id: unknown; method: string; url: string; headers: object; raw: Request }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        // Express's `ip` honours TRUST_PROXY, so behind a proxy this is the client, not the proxy.
        remoteAddress: req.raw.ip,
        headers: req.headers,
      }),
    },
  };
}

function levelOf(req: IncomingMessage, status: number, error?: Error): LevelWithSilent {
  if (error || status >= 500) return 'error';
  if (QUIET_PATHS.has(pathOf(req))) return 'debug';
  return status >= 400 ? 'warn' : 'info';
}

function pathOf(req: IncomingMessage): string {
  const url = (req as Partial<Request>).originalUrl ?? req.url ?? '';
  const end = url.indexOf('?');
  return (end === -1 ? url : url.slice(0, end)).toLowerCase();
}

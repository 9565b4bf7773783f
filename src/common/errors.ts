/** Error codes the server adds to the engine's own (`ERR_MISSING_TOURNAMENT`, ...), which pass unchanged. */
export const ErrorCode = {
  INVALID_INPUT: 'ERR_INVALID_INPUT',
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  FORBIDDEN: 'ERR_FORBIDDEN',
  NOT_FOUND: 'ERR_NOT_FOUND',
  CONFLICT: 'ERR_CONFLICT',
  DUPLICATE: 'ERR_DUPLICATE',
  LOCK_TIMEOUT: 'ERR_LOCK_TIMEOUT',
  METHOD_NOT_ALLOWED: 'ERR_METHOD_NOT_ALLOWED',
  BATCH_TOO_LARGE: 'ERR_BATCH_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'ERR_PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'ERR_RATE_LIMITED',
  /** A desk's queue holds too many bytes waiting; retryable once earlier batches are acked. */
  QUEUE_FULL: 'ERR_QUEUE_FULL',
  STORAGE_UNAVAILABLE: 'ERR_STORAGE_UNAVAILABLE',
  SHUTTING_DOWN: 'ERR_SHUTTING_DOWN',
  /** The token's session was ended (account removed, access changed, password reset, sign-out everywhere). */
  TOKEN_REVOKED: 'ERR_TOKEN_REVOKED',
  /** The engine worker running the batch died and was replaced; nothing was stored, send it again. */
  ENGINE_RESTARTED: 'ERR_ENGINE_RESTARTED',
  INTERNAL: 'ERR_INTERNAL',
} as const;

export interface ErrorBody {
  message: string;
  code: string;
  [extra: string]: unknown;
}

/** A handled failure: answered as 200 `{ error: { message, code } }` on REST, an error `ack` on sockets. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { ...this.extra, message: this.message, code: this.code };
  }
}

export function errorResult(code: string, message: string, extra: Record<string, unknown> = {}): { error: ErrorBody } {
  return { error: { ...extra, message, code } };
}

const HTTP_STATUS: Record<string, number> = {
  [ErrorCode.INVALID_INPUT]: 400,
  [ErrorCode.METHOD_NOT_ALLOWED]: 400,
  [ErrorCode.BATCH_TOO_LARGE]: 400,
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.TOKEN_REVOKED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.STORAGE_UNAVAILABLE]: 503,
  [ErrorCode.SHUTTING_DOWN]: 503,
};

/**
 * The HTTP status a REST answer carrying this error code gets. Client mistakes and refusals keep
 * their 4xx; handled outcomes (engine errors, conflicts, lock timeouts) answer 200 with `{ error }`.
 */
export function httpStatusFor(code: string): number {
  return HTTP_STATUS[code] ?? 200;
}

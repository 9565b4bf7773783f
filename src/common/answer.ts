import { HttpException } from '@nestjs/common';
import { httpStatusFor, type ErrorBody } from './errors';

/**
 * Turns a service result into a REST answer: `{ error }` results whose code is a client mistake
 * or refusal get their 4xx/503 status; everything else answers 200 as it is.
 */
export function answer<T extends object>(result: T | { error: ErrorBody }): T | { error: ErrorBody } {
  if ('error' in result && result.error && typeof result.error === 'object') {
    const status = httpStatusFor((result.error as ErrorBody).code);
    if (status !== 200) throw new HttpException(result, status);
  }
  return result;
}

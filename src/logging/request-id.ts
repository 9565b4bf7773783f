import { randomUUID } from 'node:crypto';

/** What a client-sent `x-request-id` may look like to be kept: short, no spaces or control characters. */
const SANE_ID = /^[\w.:/+=@-]{1,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/** A fresh id for one HTTP request or one desk batch. */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * The id a request is logged under: the caller's `x-request-id` when it is sane (so a proxy's or
 * client's id links their logs to ours), otherwise a new one.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_ID.test(header) ? header : newRequestId();
}

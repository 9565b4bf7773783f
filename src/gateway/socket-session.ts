import type { Socket } from 'socket.io';
import { hasRole } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import type { SessionGenerations } from '../auth/session-generations';
import { bearerToken, InvalidTokenError, type TokenService } from '../auth/token.service';
import { ErrorCode, type ErrorBody } from '../common/errors';
import { tokenHolder } from '../tournaments/desk-freshness';
import type { DeskQueue } from './desk-queue';
import type { EngineSkew } from './engine-version';
import { RateLimiter } from './rate-limiter';

/** What the server keeps per connected socket (in `socket.data`). */
export interface SocketSession {
  user?: AuthUser;
  /** A fingerprint of the desk's token: which sign-in it is (see DeskFreshness). */
  holder?: string;
  /** Why there is no user (no token, or what was wrong with it); never the token itself. */
  authProblem?: string;
  /** The token's session was ended (docs/auth.md): every later event is refused. */
  revoked?: boolean;
  limiter: RateLimiter;
  /** Tournaments joined, with the rooms joined for each. */
  joined: Map<string, string[]>;
  /** A desk's batches run one after another, in the order it sent them (made at its first batch). */
  queue?: DeskQueue;
  /**
   * The batches now in the executor, in the order sent (a next one may start while the one before
   * commits), whether each one's ack went out at commit, and when each is over.
   */
  running: Array<{ ackId?: string | number; acked: boolean; tournamentIds: string[]; over: Promise<void> }>;
  expiry?: NodeJS.Timeout;
  /** The first engine version the desk reported, and how it differs from the server's. */
  engine?: { version: string; skew?: EngineSkew };
}

export function session(socket: Socket): SocketSession {
  return socket.data as SocketSession;
}

/** Sets up the session of a new socket; desks get their user from the handshake token. */
export function openSession(socket: Socket, eventsPer10s: number, tokens?: TokenService): SocketSession {
  const data: SocketSession = {
    limiter: new RateLimiter(eventsPer10s),
    joined: new Map(),
    running: [],
  };
  if (tokens) {
    const token = handshakeToken(socket.handshake);
    if (!token) data.authProblem = 'sign in required: no token';
    else {
      try {
        data.user = tokens.verify(token);
        data.holder = tokenHolder(token);
      } catch (error) {
        const reason = error instanceof InvalidTokenError ? error.message : 'unreadable';
        data.authProblem = `invalid token (${reason}): sign in again`;
      }
    }
  }
  Object.assign(socket.data, data);
  return session(socket);
}

/** `handshake.auth.token` (newer desks) or the `authorization: Bearer` header (older desks). */
export function handshakeToken(handshake: Socket['handshake']): string | undefined {
  const fromAuth: unknown = (handshake.auth as Record<string, unknown> | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth.trim()) return bearerToken(fromAuth) ?? fromAuth.trim();
  return bearerToken(handshake.headers.authorization);
}

export function isExpired(user: AuthUser, now = Date.now()): boolean {
  return user.exp !== undefined && user.exp * 1000 <= now;
}

/** The signed-in desk user, checked at every event: token present, not expired, role held. */
export function authorise(
  data: SocketSession,
  roles: string[],
  now = Date.now(),
): { user: AuthUser; error?: undefined } | { error: ErrorBody } {
  const { user } = data;
  if (!user) return { error: { code: ErrorCode.UNAUTHORIZED, message: data.authProblem ?? 'sign in required' } };
  if (data.revoked) return { error: REVOKED };
  if (isExpired(user, now)) return { error: { code: ErrorCode.UNAUTHORIZED, message: 'token expired: sign in again' } };
  if (!hasRole(user, ...roles)) {
    return { error: { code: ErrorCode.FORBIDDEN, message: `this needs the role ${roles.join(' or ')}` } };
  }
  return { user };
}

/** What a desk whose session was ended gets (in `exception`, and in the error ack of a batch). */
export const REVOKED: ErrorBody = {
  code: ErrorCode.TOKEN_REVOKED,
  message: 'this session was ended (account removed or changed, password reset, or signed out): sign in again',
};

type Authorised = ReturnType<typeof authorise>;

/**
 * `authorise`, then whether the token's session still stands (its generation is current and its
 * account still there). Synchronous on a cache hit; reads storage once on a miss. A revoked
 * session stays refused for the socket's life. Storage unreachable: the token stands, as on HTTP.
 */
export function authoriseCurrent(
  data: SocketSession,
  roles: string[],
  sessions: SessionGenerations,
): Authorised | Promise<Authorised> {
  const auth = authorise(data, roles);
  if (auth.error) return auth;
  const settle = (revoked: boolean): Authorised => {
    if (!revoked) return auth;
    data.revoked = true;
    return { error: REVOKED };
  };
  const revoked = sessions.isRevoked(auth.user);
  if (typeof revoked === 'boolean') return settle(revoked);
  return revoked.then(settle, () => auth);
}

/**
 * Refuses events beyond the socket's allowance before any handler runs. `onLimited` answers the
 * client; the event itself is dropped. Events in `uncounted` pass without taking from the
 * allowance (their handler bounds them otherwise).
 */
export function limitEvents(
  socket: Socket,
  onLimited: (event: string, args: unknown[]) => void,
  uncounted: ReadonlySet<string> = new Set(),
): void {
  socket.use((packet, next) => {
    const [event, ...args] = packet as [unknown, ...unknown[]];
    if (typeof event === 'string' && uncounted.has(event)) return next();
    if (session(socket).limiter.take()) return next();
    onLimited(typeof event === 'string' ? event : '', args);
  });
}

/** Longest delay Node's timers accept. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `onExpired` once when the session's token expires (never for a token without `exp`). */
export function watchExpiry(data: SocketSession, onExpired: () => void): void {
  const exp = data.user?.exp;
  if (exp === undefined) return;
  const arm = () => {
    const remaining = exp * 1000 - Date.now();
    if (remaining <= 0) return onExpired();
    data.expiry = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    data.expiry.unref();
  };
  arm();
}

export function closeSession(data: SocketSession): void {
  if (data.expiry) clearTimeout(data.expiry);
  data.joined.clear();
}

import { LRUCache } from 'lru-cache';

interface Held {
  versions: Record<string, number>;
  deliver: () => void;
  at: number;
}

/**
 * Puts the commits of each tournament back in version order before they reach this instance's
 * desks. Commits made here come in order (the tournament lock), but commits relayed from other
 * instances travel through Redis and may land after a later local one. A commit waits until the
 * previous version of each of its tournaments has gone out, at most `holdMs`; then it goes out
 * anyway and the desks, seeing the gap, catch up with `mutationsSince`.
 */
export class CommitSequencer {
  /** The highest version delivered per tournament; unknown tournaments deliver at once. */
  private readonly delivered: LRUCache<string, number>;
  private held: Held[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly holdMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
    maxTournaments = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.delivered = new LRUCache<string, number>({ max: maxTournaments });
  }

  /** A version this instance's desks already know of (read when a desk joined). */
  observe(tournamentId: string, version: number): void {
    if (!this.delivered.has(tournamentId)) this.delivered.set(tournamentId, version);
  }

  /**
   * Delivers now when no earlier version is missing, or when `wait` is false (the relay is down:
   * nothing would fill the gap); otherwise holds the commit.
   */
  submit(versions: Record<string, number>, deliver: () => void, wait = true): void {
    if (wait && !this.ready(versions)) {
      this.held.push({ versions, deliver, at: this.now() });
      this.arm();
      return;
    }
    this.run(versions, deliver);
    this.drain();
  }

  /**
   * A removal: held commits of these tournaments go out first, then `deliver`; the tournaments are
   * forgotten, since a re-created one starts again at version 1.
   */
  removed(tournamentIds: string[], deliver: () => void): void {
    const ids = new Set(tournamentIds);
    const theirs = this.held.filter((item) => Object.keys(item.versions).some((id) => ids.has(id)));
    this.held = this.held.filter((item) => !theirs.includes(item));
    for (const item of theirs.sort((a, b) => lowest(a) - lowest(b))) this.run(item.versions, item.deliver);
    this.run({}, deliver);
    for (const id of ids) this.delivered.delete(id);
    this.drain();
  }

  /** Commits waiting for an earlier version (for tests and metrics). */
  get waiting(): number {
    return this.held.length;
  }

  /** Delivers everything still held, in version order (at shutdown). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held.sort((a, b) => lowest(a) - lowest(b));
    this.held = [];
    for (const item of held) this.run(item.versions, item.deliver);
  }

  private ready(versions: Record<string, number>): boolean {
    return Object.entries(versions).every(([id, version]) => {
      const last = this.delivered.get(id);
      return last === undefined || version <= last + 1;
    });
  }

  private run(versions: Record<string, number>, deliver: () => void): void {
    for (const [id, version] of Object.entries(versions)) {
      this.delivered.set(id, Math.max(this.delivered.get(id) ?? 0, version));
    }
    try {
      deliver();
    } catch (error) {
      this.onError(error);
    }
  }

  /** Delivers every held commit whose predecessors are out, lowest versions first. */
  private drain(): void {
    for (;;) {
      const next = this.held.filter((item) => this.ready(item.versions)).sort((a, b) => lowest(a) - lowest(b))[0];
      if (!next) return;
      this.held.splice(this.held.indexOf(next), 1);
      this.run(next.versions, next.deliver);
    }
  }

  /** The oldest held commit waited long enough: its tournament skips the gap. */
  private expire(): void {
    for (;;) {
      const oldest = this.held[0];
      if (!oldest || oldest.at + this.holdMs > this.now()) break;
      // Of that tournament's held commits, the lowest version goes first.
      const [key] = Object.keys(oldest.versions);
      const first = this.held
        .filter((item) => key !== undefined && item.versions[key] !== undefined)
        .sort((a, b) => a.versions[key!]! - b.versions[key!]!)[0];
      const forced = first ?? oldest;
      this.held.splice(this.held.indexOf(forced), 1);
      this.run(forced.versions, forced.deliver);
      this.drain();
    }
    this.arm();
  }

  private arm(): void {
    if (this.timer || !this.held.length) return;
    const delay = Math.max(0, this.held[0]!.at + this.holdMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, delay);
    // Held commits never keep the process alive; shutdown flushes them.
    this.timer.unref();
  }
}

function lowest(item: Held): number {
  return Math.min(...Object.values(item.versions));
}

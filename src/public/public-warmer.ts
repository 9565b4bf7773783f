import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { PublicReads } from './public-reads.service';

/** Most of the event loop's time warming may take while commits keep coming (the rest is for batches). */
const WARM_CPU_SHARE = 0.2;
/**
 * A tournament's events are warmed once it has had no commit for this long. Desks scoring back to
 * back never leave such a gap, and each version is superseded before anyone could read it; on two
 * cores a warm running beside their batches slowed each by about a tenth (docs/benchmarks.md).
 */
export const WARM_QUIET_MS = 100;

interface WarmTask {
  tournamentId: string;
  version: number;
  eventId: string;
}

/**
 * Computes event data in the background after a commit touched a published event, so the first
 * public read after a score is already cached. One task at a time, each on its own turn of the
 * event loop (sockets and requests get their turns in between); a task whose tournament has moved
 * on by then is skipped, since a later commit queued its own.
 *
 * Warming costs as much CPU as a cold read, on the same thread as the batches. So one event is
 * warmed at most once per `PUBLIC_CACHE_WARM_INTERVAL_MS`: the first score after a quiet spell at
 * once, a burst's later scores together at the end of the interval (always the newest version);
 * and after each warm the warmer rests four times as long as it worked, so that a desk scoring
 * across many events keeps at least 80% of the time for its batches. Nothing is warmed while its
 * tournament's commits keep coming (a gap of `WARM_QUIET_MS`): readers of such a tournament compute
 * the version they read, once for all of them, and without readers the work would be thrown away.
 */
@Injectable()
export class PublicWarmer implements OnModuleDestroy {
  private readonly logger = new Logger('PublicWarmer');
  /** Ready to run, in order. */
  private readonly pending = new Map<string, WarmTask>();
  /** Held until their event's interval has passed; the newest version wins. */
  private readonly held = new Map<string, WarmTask>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastStarted = new Map<string, number>();
  /** performance.now() of each tournament's latest commit that gave the warmer work. */
  private readonly lastCommit = new Map<string, number>();
  private readonly intervalMs: number;
  private running: Promise<void> | undefined;
  /** No warm starts before this (performance.now()). */
  private restUntil = 0;
  /** Event data computed by warming (for tests and metrics). */
  warmed = 0;

  constructor(
    private readonly reads: PublicReads,
    config: AppConfig,
  ) {
    this.intervalMs = config.publicCache.warmIntervalMs;
  }

  schedule(tournamentId: string, version: number, eventIds: readonly string[]): void {
    if (eventIds.length) {
      const now = performance.now();
      this.lastCommit.set(tournamentId, now);
      forgetBefore(this.lastCommit, now - WARM_QUIET_MS);
    }
    for (const eventId of eventIds) {
      const key = `${tournamentId}\n${eventId}`;
      const task = { tournamentId, version, eventId };
      if (this.timers.has(key)) {
        this.held.set(key, task);
        continue;
      }
      const wait = (this.lastStarted.get(key) ?? -Infinity) + this.intervalMs - Date.now();
      if (wait <= 0) {
        // The newest version wins: scores queued behind a running warm collapse into one.
        this.pending.set(key, task);
        continue;
      }
      this.held.set(key, task);
      const timer = setTimeout(() => {
        this.timers.delete(key);
        const latest = this.held.get(key);
        this.held.delete(key);
        if (latest) this.pending.set(key, latest);
        this.kick();
      }, wait);
      this.timers.set(key, timer);
    }
    this.kick();
  }

  onModuleDestroy(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.held.clear();
  }

  /** Resolves when no warming is held, queued or running (for tests). */
  async idle(): Promise<void> {
    while (this.running || this.timers.size) {
      if (this.running) await this.running;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A task queued while the last one was finishing.
      if (this.pending.size) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      // Pay for the last warm with idle time, so warming never takes more than its share of the CPU.
      const rest = this.restUntil - performance.now();
      await new Promise((resolve) => (rest > 0 ? setTimeout(resolve, rest) : setImmediate(resolve)));
      if (!this.pending.size) return;
      const next = this.nextQuiet();
      if (typeof next === 'number') {
        await new Promise((resolve) => setTimeout(resolve, next));
        continue;
      }
      const [key, task] = next;
      this.pending.delete(key);
      this.remember(key);
      const started = performance.now();
      await this.reads
        .warm('eventdata', task.tournamentId, task.version, { eventId: task.eventId, hydrateParticipants: false })
        .then((computed) => {
          if (computed) this.warmed++;
        })
        .catch((error: Error) => this.logger.warn(`warming ${task.tournamentId} failed: ${error.message}`));
      const spent = performance.now() - started;
      this.restUntil = performance.now() + (spent * (1 - WARM_CPU_SHARE)) / WARM_CPU_SHARE;
    }
  }

  /** The first task whose tournament has gone quiet, else how long until the first one will have. */
  private nextQuiet(): [string, WarmTask] | number {
    const now = performance.now();
    let wait = Infinity;
    for (const entry of this.pending) {
      const quietIn = (this.lastCommit.get(entry[1].tournamentId) ?? -Infinity) + WARM_QUIET_MS - now;
      if (quietIn <= 0) return entry;
      wait = Math.min(wait, quietIn);
    }
    return Math.ceil(wait);
  }

  private remember(key: string): void {
    const now = Date.now();
    this.lastStarted.set(key, now);
    forgetBefore(this.lastStarted, now - this.intervalMs);
  }
}

/**
 * Only recent times matter to the warmer (starts within the interval, commits within the quiet
 * spell): past 10 000 entries, those at or before `cutoff` are forgotten, so a map never grows with
 * every tournament or event ever seen.
 */
function forgetBefore(times: Map<string, number>, cutoff: number): void {
  if (times.size <= 10_000) return;
  for (const [key, at] of times) if (at <= cutoff) times.delete(key);
}

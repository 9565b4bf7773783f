import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

/** One signed-in copy of a tournament: the version it was fetched at and every version delivered to it live since. */
interface HeldCopy {
  /** The highest version this copy is known to hold, with no gap since its fetch. */
  through: number;
  /** The `updatedAt` its fetched record carried: what the desk compares the probe's answer with. */
  stamp: string;
}

/** Tokens tracked per tournament; the oldest go first (they then read as stale, never as fresh). */
const MAX_HOLDERS = 200;

/**
 * Answers TMX's staleness probe (`POST /factory/updated-at`) per copy, not per tournament.
 *
 * TMX compares the probe's `updatedAt` with the `updatedAt` of the record it last fetched, and
 * its engine never moves that field when it applies a change live (its own acked batch or another
 * desk's broadcast). Answering the newest commit time to everyone would therefore mark every desk
 * stale, and block its mutations, after any change at all. So the server remembers, per tournament
 * and per token (a desk's sign-in: two devices sharing an account have two), the version each copy
 * was fetched at and follows it through every commit delivered to that token's sockets in order.
 * A copy that holds the newest version gets back the stamp it was fetched with (not stale); a
 * copy with any gap (offline, not joined, a whole-record save it cannot replay) or one the server
 * does not know (another instance, a restart) gets the newest commit time (stale: the desk
 * re-fetches). Never fresh by mistake: when unsure, stale.
 */
@Injectable()
export class DeskFreshness {
  private readonly copies = new LRUCache<string, Map<string, HeldCopy>>({ max: 10_000 });

  /** A token fetched the record at `version`, stamped `updatedAt`. */
  fetched(tournamentId: string, holder: string | undefined, version: number, updatedAt: string): void {
    if (!holder) return;
    let held = this.copies.get(tournamentId);
    if (!held) this.copies.set(tournamentId, (held = new Map()));
    held.delete(holder);
    held.set(holder, { through: version, stamp: updatedAt });
    if (held.size > MAX_HOLDERS) held.delete(held.keys().next().value as string);
  }

  /** Whether any copy of this tournament is followed (lets the caller skip collecting holders). */
  follows(tournamentId: string): boolean {
    return !!this.copies.peek(tournamentId)?.size;
  }

  /**
   * A mutation at `version` reached these tokens' desks (broadcast or ack), in commit order. Copies
   * it did not reach, or that missed an earlier version, fall behind for good.
   */
  delivered(tournamentId: string, version: number, holders: Iterable<string>): void {
    const held = this.copies.peek(tournamentId);
    if (!held) return;
    for (const holder of holders) {
      const copy = held.get(holder);
      if (copy?.through === version - 1) copy.through = version;
    }
  }

  forget(tournamentId: string): void {
    this.copies.delete(tournamentId);
  }

  /** The `updatedAt` to answer this token: its own copy's stamp when it holds `latest`, else the newest. */
  answer(tournamentId: string, holder: string | undefined, latest: { version: number; updatedAt: string }): string {
    const copy = holder ? this.copies.peek(tournamentId)?.get(holder) : undefined;
    return copy && copy.through === latest.version ? copy.stamp : latest.updatedAt;
  }
}

/** A short fingerprint of a bearer token: which sign-in a socket or a request belongs to (never the token). */
export function tokenHolder(token: string | undefined): string | undefined {
  return token ? createHash('sha256').update(token).digest('base64url').slice(0, 22) : undefined;
}

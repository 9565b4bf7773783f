import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { PublishInfo } from './publish-state';

export interface KnownPublish {
  version: number;
  publish: PublishInfo;
}

/**
 * The last publish state seen per tournament (from commits and from computed answers), so that a
 * commit can be compared with what was public before it. Small entries, bounded by count.
 */
@Injectable()
export class PublishIndex {
  private readonly known = new LRUCache<string, KnownPublish>({ max: 10_000 });

  get(tournamentId: string): KnownPublish | undefined {
    return this.known.get(tournamentId);
  }

  /** Keeps the newest version's state; an older one arriving late is ignored. */
  remember(tournamentId: string, version: number, publish: PublishInfo): void {
    const current = this.known.peek(tournamentId);
    if (!current || current.version <= version) this.known.set(tournamentId, { version, publish });
  }

  forget(tournamentId: string): void {
    this.known.delete(tournamentId);
  }
}

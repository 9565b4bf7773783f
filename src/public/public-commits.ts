import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import { AppConfig } from '../config/config';
import { MutationExecutor } from '../tournaments/executor.service';
import { TournamentEvents, type CommittedEvent } from '../tournaments/tournament-events';
import { decidePublicChange } from './public-change';
import { PublicEvents, type PublicChange } from './public-events';
import type { MatchUpUpdateValue } from '../engine/host/protocol';
import type { PublicMatchUpUpdate } from './public-matchups';
import { tournamentPrefix } from './public-keys';
import { PublicWarmer } from './public-warmer';
import { PublishIndex } from './publish-index';
import type { PublishInfo } from './publish-state';

/**
 * Listens to commits: announces `publicUpdate` when published data moved, queues cache warming,
 * and drops a removed tournament's cached answers. The listener itself only reads the publish
 * state of the just-committed record (well under a millisecond); the rest runs afterwards, in
 * commit order, on a queue of its own.
 */
@Injectable()
export class PublicCommits implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PublicCommits');
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;

  constructor(
    private readonly config: AppConfig,
    private readonly events: TournamentEvents,
    private readonly executor: MutationExecutor,
    private readonly publicEvents: PublicEvents,
    private readonly index: PublishIndex,
    private readonly warmer: PublicWarmer,
    private readonly cache: CacheService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.onCommitted((event) => this.onCommitted(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Resolves when every commit seen so far has been handled (for tests). */
  async settled(): Promise<void> {
    await this.queue;
  }

  private onCommitted(event: CommittedEvent): void {
    for (const tournamentId of event.tournamentIds) {
      if (event.kind === 'remove') {
        this.enqueue(() => this.removed(tournamentId));
        continue;
      }
      const version = event.versions[tournamentId];
      // The engine host read the publish state right after the batch; a save's is read here, later.
      const after = event.publish?.[tournamentId];
      this.enqueue(() => this.committed(event, tournamentId, version, after));
    }
  }

  private async committed(event: CommittedEvent, tournamentId: string, version: number, known?: PublishInfo) {
    const read = known ? { version, publish: known } : await this.readPublish(tournamentId);
    if (!read) return;
    const after = read.publish;
    // What was public just before this commit: only the state at the previous version will do. An
    // older one may miss changes another instance made in between; unknown means "decide from the methods".
    const prior = this.index.get(tournamentId);
    const before = prior && prior.version === version - 1 ? prior.publish : undefined;
    // Read later, the state may be a newer version's: remembered as that version's, never as this one's.
    this.index.remember(tournamentId, read.version, after);
    const decision = decidePublicChange(event, tournamentId, before, after);
    if (!decision) return;
    let change: PublicChange = { tournamentId, version, ...decision.change };
    if (decision.matchUpIds) {
      const structureIds = event.changes[tournamentId]?.structureIds ?? [];
      const update = await this.matchUpUpdate(tournamentId, version, after, decision.matchUpIds, structureIds);
      // None of them public (e.g. a draw still under embargo): viewers get the plain announcement, as before.
      if (update) change = { ...change, type: 'matchUpUpdate', ...update };
    }
    this.publicEvents.emit(change);
    if (this.config.publicCache.warm && decision.warmEventIds.length) {
      this.warmer.schedule(tournamentId, version, decision.warmEventIds);
    }
  }

  private async removed(tournamentId: string): Promise<void> {
    const known = this.index.get(tournamentId);
    this.index.forget(tournamentId);
    // Versions restart if the id is saved again: its old answers must not come back.
    await this.cache.deletePrefix(tournamentPrefix(tournamentId));
    if (known?.publish.tournamentPublished) {
      this.publicEvents.emit({
        ...{ tournamentId, version: 0, type: 'publishChange', action: 'unPublishTournament' },
        topics: ['removed'],
      });
    }
  }

  /**
   * The changed matchUps as the public may see them, from the committed record: one pass over the
   * published draws, once per commit whatever the number of viewers. When the tournament has moved
   * on meanwhile, the newer record (with its own publish state) answers: newer is never less public-safe.
   */
  private async matchUpUpdate(
    tournamentId: string,
    version: number,
    publish: PublishInfo,
    matchUpIds: string[],
    structureIds: string[],
  ): Promise<PublicMatchUpUpdate | undefined> {
    const read = { op: 'matchUpUpdate' as const, version, publish, matchUpIds, structureIds };
    const current = await this.executor.read<MatchUpUpdateValue>(tournamentId, read);
    return current?.value;
  }

  private async readPublish(tournamentId: string): Promise<{ version: number; publish: PublishInfo } | undefined> {
    const current = await this.executor.read<PublishInfo | undefined>(tournamentId, { op: 'publish' });
    return current?.value && { version: current.version, publish: current.value };
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(task)
      .catch((error: Error) => this.logger.error(`public update failed: ${error.message}`));
  }
}

import type { Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import type { CommittedEvent } from '../tournaments/tournament-events';
import { CommitSequencer } from './commit-sequencer';
import { emitToInstances } from './broadcast-link';
import { broadcastCommit } from './desk-broadcast';

/** The server-side event that carries a commit to the other instances. */
export const RELAY_EVENT = 'deskCommit';
/** How long a commit waits for an earlier version relayed from another instance. */
export const RELAY_HOLD_MS = 2000;

/** What the fan-out needs to know of the cross-instance link (see BroadcastLink). */
export interface RelayLink {
  readonly enabled: boolean;
  readonly up: boolean;
}

const relayedSchema = z.object({
  kind: z.enum(['mutation', 'save', 'remove']),
  tournamentIds: z.array(z.string()),
  versions: z.record(z.string(), z.number()),
  methods: z.array(z.any()),
  userId: z.string(),
  timestamp: z.number(),
  socketId: z.string().nullish(),
  providerIds: z.record(z.string(), z.string().nullish()),
  overrides: z.record(z.string(), z.array(z.number())).nullish(),
  seed: z.number().nullish(),
});
type Relayed = z.infer<typeof relayedSchema>;

/**
 * Delivers every commit to this instance's desks, in version order per tournament, whichever
 * instance made it. Without Redis it simply broadcasts. With Redis, a commit made here is also
 * relayed to the other instances (a server-side emit over the adapter's pub/sub), and each
 * instance sends to its own desks only (`namespace.local`): the sequencer can then hold a
 * relayed or local commit until its predecessor arrives, which room emits through the adapter
 * could not. The sender's ack goes through the same sequence, so a desk's acks and the broadcasts
 * it receives stay in version order too.
 */
export class DeskFanout {
  private readonly sequencer: CommitSequencer;

  constructor(
    private readonly namespace: Namespace,
    private readonly link: RelayLink,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    /** Called once a commit has gone out to this instance's desks, in version order. */
    private readonly onDelivered: (committed: CommittedEvent) => void = () => undefined,
    /** Called as soon as another instance's commit arrives, before it waits for its turn. */
    private readonly onRelayed: (committed: CommittedEvent) => void = () => undefined,
  ) {
    this.sequencer = new CommitSequencer(RELAY_HOLD_MS, (error) =>
      logger.error(`desk broadcast failed: ${(error as Error)?.message ?? error}`),
    );
    if (link.enabled) namespace.on(RELAY_EVENT, (payload: unknown) => this.relayed(payload));
  }

  /** A commit of this instance (under its locks); `ack` sends the sender's ack, when it is here. */
  committedHere(committed: CommittedEvent, ack?: () => void): void {
    if (this.link.enabled) {
      emitToInstances(this.namespace, [RELAY_EVENT, toRelayed(committed)], (error) =>
        this.logger.warn(`desk broadcast relay failed: ${error.message}`),
      );
    }
    this.deliver(committed, () => {
      ack?.();
      broadcastCommit(this.namespace, committed);
      this.onDelivered(committed);
    });
  }

  /** A desk joined at `version`: later versions are what its room waits for. */
  joined(tournamentId: string, version: number | undefined): void {
    if (this.link.enabled && version !== undefined) this.sequencer.observe(tournamentId, version);
  }

  /** Commits held for a missing predecessor (for tests and metrics). */
  get waiting(): number {
    return this.sequencer.waiting;
  }

  close(): void {
    this.namespace.removeAllListeners(RELAY_EVENT);
    this.sequencer.close();
  }

  private relayed(payload: unknown): void {
    const parsed = relayedSchema.safeParse(payload);
    if (!parsed.success) return this.logger.warn('ignored a malformed commit relayed from another instance');
    const committed = fromRelayed(parsed.data);
    this.onRelayed(committed);
    this.deliver(committed, () => {
      broadcastCommit(this.namespace, committed);
      this.onDelivered(committed);
    });
  }

  private deliver(committed: CommittedEvent, send: () => void): void {
    // One instance: commits already arrive in order, under the tournament locks.
    if (!this.link.enabled) return send();
    if (committed.kind === 'remove') return this.sequencer.removed(committed.tournamentIds, send);
    // With Redis down nothing would fill a gap: waiting would only delay this instance's desks.
    this.sequencer.submit(committed.versions, send, this.link.up);
  }
}

/** Only what desks receive travels; the public module's change report stays on the committing instance. */
function toRelayed(committed: CommittedEvent): Relayed {
  const { kind, tournamentIds, versions, methods, userId, timestamp, providerIds, overrides, seed } = committed;
  return {
    seed,
    kind,
    tournamentIds,
    versions,
    methods,
    userId,
    timestamp,
    socketId: committed.origin.socketId,
    providerIds,
    overrides,
  };
}

function fromRelayed(relayed: Relayed): CommittedEvent {
  const { socketId, providerIds, overrides, seed, ...rest } = relayed;
  return {
    ...rest,
    ...(overrides ? { overrides } : {}),
    ...(typeof seed === 'number' ? { seed } : {}),
    // The adapter's msgpack turns undefined into null.
    providerIds: Object.fromEntries(Object.entries(providerIds).map(([id, provider]) => [id, provider ?? undefined])),
    origin: { socketId: socketId ?? undefined },
    changes: {},
  };
}

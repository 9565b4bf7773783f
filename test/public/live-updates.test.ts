import { mocksEngine } from 'tods-competition-factory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicCommits } from '../../src/public/public-commits';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { closeSockets, connect, join, record, waitForCount, type Socket } from '../support/sockets';
import { mutate, publicPost, publishEvent, save, scoreDirective, unPublishEvent } from './helpers';

type MatchUp = {
  matchUpId: string;
  roundNumber: number;
  drawPositions: Array<number | undefined>;
  winnerMatchUpId?: string;
  loserMatchUpId?: string;
};
type Structure = { structureId: string; stage: string; matchUps: MatchUp[] };
type Draw = { drawId: string; structures: Structure[] };
type Event = { eventId: string; eventName: string; drawDefinitions: Draw[] };

/** What courthive-public's socket handler and its in-place patch read of a `publicUpdate`. */
interface SiteUpdate {
  type?: string;
  tournamentId: string;
  version: number;
  eventIds?: string[];
  topics: string[];
  action?: string;
  eventId?: string;
  matchUps?: Array<{
    matchUpId: string;
    drawId: string;
    structureId: string;
    score?: { scoreStringSide1?: string; sets?: unknown[] };
    matchUpStatus?: string;
    winningSide?: number | null;
    drawPositions?: Array<number | null>;
  }>;
  positionAssignments?: Array<{
    drawId: string;
    structureId: string;
    assignments: Array<{ drawPosition: number; participantId?: string }>;
  }>;
}

/**
 * Two events: a feed-in championship (main and consolation structures: first-round losers are
 * placed into the consolation) and a plain elimination draw; nothing published.
 */
function tournament(provider: ReturnType<typeof testProvider>) {
  const { tournamentRecord } = mocksEngine.generateTournamentRecord({
    drawProfiles: [
      { drawSize: 8, drawType: 'FEED_IN_CHAMPIONSHIP', eventName: 'Feed In' },
      { drawSize: 8, uniqueParticipants: true, eventName: 'Hidden Singles' },
    ],
    tournamentName: 'Live Open',
    startDate: '2026-12-01',
    endDate: '2026-12-07',
  }) as { tournamentRecord: TournamentRecord };
  tournamentRecord.parentOrganisation = { ...provider };
  const [feed, plain] = tournamentRecord.events as Event[];
  return { record: tournamentRecord, tournamentId: tournamentRecord.tournamentId as string, feed, plain };
}

function structures(event: Event) {
  const draw = event.drawDefinitions[0];
  const main = draw.structures.find((s) => s.stage === 'MAIN')!;
  const consolation = draw.structures.find((s) => s.stage === 'CONSOLATION');
  return { drawId: draw.drawId, main, consolation };
}

function firstRound(event: Event): Array<{ matchUpId: string; drawId: string }> {
  const { drawId, main } = structures(event);
  return main.matchUps.filter((m) => m.roundNumber === 1).map((m) => ({ matchUpId: m.matchUpId, drawId }));
}

/** Every matchUp of an event data answer, by id (tie matchUps included). */
function eventDataMatchUps(eventData: any): Map<string, any> {
  const byId = new Map<string, any>();
  for (const draw of eventData.drawsData ?? []) {
    for (const structure of draw.structures ?? []) {
      for (const round of Object.values(structure.roundMatchUps ?? {}) as any[][]) {
        for (const matchUp of round) {
          byId.set(matchUp.matchUpId, { ...matchUp, structureId: structure.structureId });
          for (const tie of matchUp.tieMatchUps ?? []) byId.set(tie.matchUpId, tie);
        }
      }
    }
  }
  return byId;
}

describe.each(BACKENDS)('publicUpdate types for the public site (%s)', (backend) => {
  const provider = testProvider();
  let t: TestApp;
  let desk: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    desk = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  /** A viewer of the tournament, as the site connects and joins. */
  async function viewer(tournamentId: string): Promise<{ socket: Socket; updates: SiteUpdate[] }> {
    const socket = await connect(t, '/public');
    await join(socket, tournamentId);
    return { socket, updates: record<SiteUpdate>(socket, 'publicUpdate') };
  }

  /** Runs a batch and waits until its announcement (if any) has been sent and can have arrived. */
  async function run(socket: Socket, tournamentId: string, methods: Array<{ method: string; params?: any }>) {
    const version = await mutate(t, desk, tournamentId, methods);
    await t.app.get(PublicCommits).settled();
    // One round trip on the viewer's socket: everything emitted before has arrived.
    await join(socket, `settle-${Math.random()}`);
    return version;
  }

  it('publishChange on publish and unpublish of an event, with action and eventId', async () => {
    const f = tournament(provider);
    await save(t, desk, f.record);
    const { socket, updates } = await viewer(f.tournamentId);

    const publishedAt = await run(socket, f.tournamentId, [publishEvent(f.feed.eventId)]);
    await waitForCount(socket, 'publicUpdate', updates, 1);
    expect(updates).toEqual([
      {
        type: 'publishChange',
        action: 'publishEvent',
        eventId: f.feed.eventId,
        tournamentId: f.tournamentId,
        version: publishedAt,
        eventIds: [f.feed.eventId],
        topics: ['publishing'],
      },
    ]);

    // The last published part goes: the site re-reads tournamentinfo and leaves when nothing is published.
    const unpublishedAt = await run(socket, f.tournamentId, [unPublishEvent(f.feed.eventId)]);
    await waitForCount(socket, 'publicUpdate', updates, 2);
    expect(updates[1]).toEqual({
      type: 'publishChange',
      action: 'unPublishEvent',
      eventId: f.feed.eventId,
      tournamentId: f.tournamentId,
      version: unpublishedAt,
      eventIds: [f.feed.eventId],
      topics: ['publishing'],
    });
    const info = await publicPost(t, '/factory/tournamentinfo', {
      tournamentId: f.tournamentId,
      withVenueData: true,
      usePublishState: true,
    }).expect(200);
    expect(info.body.tournamentInfo?.eventInfo ?? []).toEqual([]);
  });

  it('matchUpUpdate after a score in a published draw: the changed matchUps exactly as event data shows them', async () => {
    const f = tournament(provider);
    await save(t, desk, f.record);
    await mutate(t, desk, f.tournamentId, [publishEvent(f.feed.eventId)]);
    await t.app.get(PublicCommits).settled();
    const { socket, updates } = await viewer(f.tournamentId);
    const { drawId, main, consolation } = structures(f.feed);
    const [first] = firstRound(f.feed);
    const raw = main.matchUps.find((m) => m.matchUpId === first.matchUpId)!;

    const version = await run(socket, f.tournamentId, [scoreDirective(first)]);
    await waitForCount(socket, 'publicUpdate', updates, 1);
    expect(updates).toHaveLength(1);
    const [update] = updates;
    expect(update).toMatchObject({
      type: 'matchUpUpdate',
      tournamentId: f.tournamentId,
      version,
      eventIds: [f.feed.eventId],
      topics: expect.arrayContaining(['eventData']),
    });

    // What the site patches: score (whole object), matchUpStatus, winningSide, drawPositions, by matchUpId.
    const scored = update.matchUps!.find((m) => m.matchUpId === first.matchUpId)!;
    expect(scored).toMatchObject({ drawId, structureId: main.structureId, matchUpStatus: 'COMPLETED', winningSide: 1 });
    expect(scored.score?.scoreStringSide1).toBe('6-3 6-4');
    expect(scored.score?.sets).toHaveLength(2);
    // The winner's next matchUp is there too, with the winner's draw position (the site does no advancement itself).
    const next = update.matchUps!.find((m) => m.matchUpId === raw.winnerMatchUpId);
    expect(next?.drawPositions).toContain(raw.drawPositions[0]);

    // Every field the site reads equals what event data now answers for the same matchUp.
    const read = await publicPost(t, '/factory/eventdata', {
      tournamentId: f.tournamentId,
      eventId: f.feed.eventId,
      hydrateParticipants: false,
    }).expect(200);
    const shown = eventDataMatchUps(read.body.eventData);
    for (const matchUp of update.matchUps!) {
      const public_ = shown.get(matchUp.matchUpId);
      expect(public_, `${matchUp.matchUpId} is in event data`).toBeDefined();
      expect(matchUp.score).toEqual(public_.score ?? {});
      expect(matchUp.matchUpStatus).toBe(public_.matchUpStatus);
      expect(matchUp.winningSide ?? undefined).toBe(public_.winningSide);
      if (matchUp.drawPositions) {
        expect(matchUp.drawPositions.filter(Boolean).sort()).toEqual(
          (public_.drawPositions ?? []).filter(Boolean).sort(),
        );
      }
    }

    // The loser went into the consolation: its new position assignments, with the participant, as the site reads them.
    const placed = update.positionAssignments?.find((pa) => pa.structureId === consolation!.structureId);
    expect(placed).toBeDefined();
    const participantIds = new Set(read.body.participants.map((p: { participantId: string }) => p.participantId));
    expect(placed!.assignments.some((a) => a.participantId && participantIds.has(a.participantId))).toBe(true);
    for (const assignment of placed!.assignments) expect(typeof assignment.drawPosition).toBe('number');
    // ...and the consolation matchUp that position plays in, so the site fills that side in.
    const occupied = placed!.assignments.filter((a) => a.participantId).map((a) => a.drawPosition);
    const filled = update.matchUps!.filter((m) => m.structureId === consolation!.structureId);
    expect(filled.some((m) => m.drawPositions?.some((p) => p !== null && occupied.includes(p)))).toBe(true);

    // Nothing but ids, scores and statuses: no names, persons or directives.
    expect(JSON.stringify(updates)).not.toMatch(/participantName|person|setMatchUpStatus|outcome|timeItems/);
  });

  it('no matchUpUpdate for a score in an unpublished event, an embargoed draw or an unpublished structure', async () => {
    const f = tournament(provider);
    await save(t, desk, f.record);
    const { drawId, consolation } = structures(f.feed);
    const embargo = new Date(Date.now() + 3_600_000).toISOString();
    // Feed-in event published with its draw under embargo; the plain event not published.
    await mutate(t, desk, f.tournamentId, [
      {
        method: 'publishEvent',
        params: {
          eventId: f.feed.eventId,
          drawDetails: { [drawId]: { publishingDetail: { published: true, embargo } } },
        },
      },
    ]);
    await t.app.get(PublicCommits).settled();
    const { socket, updates } = await viewer(f.tournamentId);

    const hidden = firstRound(f.plain)[0];
    await run(socket, f.tournamentId, [scoreDirective(hidden)]);
    expect(updates).toEqual([]);

    const embargoed = firstRound(f.feed)[0];
    await run(socket, f.tournamentId, [scoreDirective(embargoed)]);
    expect(updates.filter((u) => u.type === 'matchUpUpdate')).toEqual([]);
    expect(JSON.stringify(updates)).not.toContain(embargoed.matchUpId);

    // Draw visible, but only its main structure published: consolation matchUps never go out.
    await run(socket, f.tournamentId, [
      {
        method: 'publishEvent',
        params: {
          eventId: f.feed.eventId,
          drawDetails: {
            [drawId]: {
              publishingDetail: { published: true },
              structureDetails: { [structures(f.feed).main.structureId]: { published: true } },
            },
          },
        },
      },
    ]);
    const from = updates.length;
    await run(socket, f.tournamentId, [scoreDirective(firstRound(f.feed)[1])]);
    const scoreUpdates = updates.slice(from);
    expect(scoreUpdates).toHaveLength(1);
    expect(scoreUpdates[0].type).toBe('matchUpUpdate');
    const consolationIds = new Set(consolation!.matchUps.map((m) => m.matchUpId));
    expect(scoreUpdates[0].matchUps!.some((m) => consolationIds.has(m.matchUpId))).toBe(false);
    expect(scoreUpdates[0].positionAssignments!.some((pa) => pa.structureId === consolation!.structureId)).toBe(false);
    expect(JSON.stringify(scoreUpdates)).not.toContain(consolation!.structureId);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicChange } from '../../src/public/public-events';
import { PublicCommits } from '../../src/public/public-commits';
import { PublicWarmer } from '../../src/public/public-warmer';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import {
  cacheStats,
  firstRoundMatchUps,
  mutate,
  publicPost,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  recordPublicChanges,
  save,
  scoreDirective,
  settled,
  unPublishEvent,
} from './helpers';

describe('publicUpdate announcements, warming and removal', () => {
  const provider = testProvider();
  let t: TestApp;
  let desk: TestAccount;
  let remover: TestAccount;
  let changes: PublicChange[];

  beforeAll(async () => {
    t = await startTestApp('leveldb');
    desk = await seedAccount(t, { provider });
    remover = await seedAccount(t, { provider, permissions: ['deleteTournament'] });
    changes = recordPublicChanges(t);
  });
  afterAll(() => t?.close());

  /** The announcements for one tournament raised by `work`. */
  async function announced(tournamentId: string, work: () => Promise<unknown>): Promise<PublicChange[]> {
    const from = changes.length;
    await work();
    await settled(t);
    return changes.slice(from).filter((change) => change.tournamentId === tournamentId);
  }

  it('says nothing about a tournament that is not published', async () => {
    const f = publicTournament(provider);
    const seen = await announced(f.tournamentId, async () => {
      await save(t, desk, f.record);
      await mutate(t, desk, f.tournamentId, [scoreDirective(firstRoundMatchUps(f.record, f.eventIds[0])[0])]);
      await mutate(t, desk, f.tournamentId, [{ method: 'setTournamentName', params: { tournamentName: 'Quiet' } }]);
    });
    expect(seen).toEqual([]);
  });

  it('announces publishing, scores on published events, tournament details and unpublishing, with versions', async () => {
    const f = publicTournament(provider);
    const [e1, e2] = f.eventIds;
    await save(t, desk, f.record);

    let version = 0;
    let seen = await announced(f.tournamentId, async () => {
      version = await mutate(t, desk, f.tournamentId, [publishEvent(e1)]);
    });
    const publishing = { type: 'publishChange', topics: ['publishing'] };
    expect(seen).toEqual([
      { tournamentId: f.tournamentId, version, ...publishing, action: 'publishEvent', eventId: e1, eventIds: [e1] },
    ]);

    const scored = firstRoundMatchUps(f.record, e1)[0];
    seen = await announced(f.tournamentId, async () => {
      version = await mutate(t, desk, f.tournamentId, [scoreDirective(scored)]);
    });
    expect(seen).toEqual([
      {
        tournamentId: f.tournamentId,
        version,
        type: 'matchUpUpdate',
        eventIds: [e1],
        topics: expect.arrayContaining(['eventData']),
        matchUps: expect.arrayContaining([expect.objectContaining({ matchUpId: scored.matchUpId, winningSide: 1 })]),
        positionAssignments: [],
      },
    ]);

    // A score in the unpublished event changes nothing public.
    seen = await announced(f.tournamentId, () =>
      mutate(t, desk, f.tournamentId, [scoreDirective(firstRoundMatchUps(f.record, e2)[0])]),
    );
    expect(seen).toEqual([]);

    seen = await announced(f.tournamentId, async () => {
      version = await mutate(t, desk, f.tournamentId, [
        { method: 'setTournamentName', params: { tournamentName: 'Loud' } },
      ]);
    });
    expect(seen).toEqual([
      { tournamentId: f.tournamentId, version, type: 'tournamentUpdate', topics: ['tournamentInfo'] },
    ]);

    seen = await announced(f.tournamentId, async () => {
      version = await mutate(t, desk, f.tournamentId, [publishOrderOfPlay()]);
    });
    expect(seen).toEqual([
      {
        ...{ tournamentId: f.tournamentId, version, type: 'publishChange', action: 'publishOrderOfPlay' },
        topics: expect.arrayContaining(['publishing']),
      },
    ]);

    seen = await announced(f.tournamentId, async () => {
      version = await mutate(t, desk, f.tournamentId, [unPublishEvent(e1)]);
    });
    expect(seen).toEqual([
      { tournamentId: f.tournamentId, version, ...publishing, action: 'unPublishEvent', eventId: e1, eventIds: [e1] },
    ]);

    // A whole-record save of a public tournament: anything may have changed.
    seen = await announced(f.tournamentId, async () => {
      const fetched = await request(t.url).post('/factory/fetch').set(desk.auth).send({ tournamentId: f.tournamentId });
      version = await save(t, desk, fetched.body.tournamentRecords[f.tournamentId]);
    });
    expect(seen).toEqual([{ tournamentId: f.tournamentId, version, type: 'tournamentUpdate', topics: ['tournament'] }]);
    // Announcements carry no record data and no directives.
    for (const change of changes)
      expect(Object.keys(change).sort()).toEqual(expect.arrayContaining(['tournamentId', 'version', 'topics']));
    expect(JSON.stringify(changes)).not.toMatch(/setMatchUpStatus|outcome|participantName/);
  });

  it('warms the event data of a published event after a score, so the next read is a hit', async () => {
    const f = publicTournament(provider, { drawSize: 16 });
    const [e1] = f.eventIds;
    await save(t, desk, f.record);
    await mutate(t, desk, f.tournamentId, [publishEvent(e1)]);
    await settled(t);

    for (const matchUp of firstRoundMatchUps(f.record, e1).slice(0, 3)) {
      await mutate(t, desk, f.tournamentId, [scoreDirective(matchUp)]);
      await settled(t);
      const before = cacheStats(t);
      const read = await publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: e1 }).expect(200);
      expect(read.body.success).toBe(true);
      const after = cacheStats(t);
      expect(after.computes).toBe(before.computes);
      expect(after.hits).toBe(before.hits + 1);
    }
    expect(t.app.get(PublicWarmer).warmed).toBeGreaterThanOrEqual(4);
  });

  it('warms an event at most once per interval during a burst of scores, ending on the newest version', async () => {
    const paced = await startTestApp('leveldb', { PUBLIC_CACHE_WARM_INTERVAL_MS: '1500' });
    try {
      const scorer = await seedAccount(paced, { provider });
      const f = publicTournament(provider, { drawSize: 16 });
      const [e1] = f.eventIds;
      await save(paced, scorer, f.record);
      // A first read starts the worker that computes public answers and loads the tournament there,
      // so the publish's warm takes its usual time and its rest ends inside the interval.
      await publicPost(paced, '/factory/tournamentinfo', { tournamentId: f.tournamentId }).expect(200);
      // Publishing warms the event at once; the scores right after fall inside its interval.
      await mutate(paced, scorer, f.tournamentId, [publishEvent(e1)]);
      await settled(paced);
      const warmer = paced.app.get(PublicWarmer);
      const afterPublish = warmer.warmed;

      for (const matchUp of firstRoundMatchUps(f.record, e1).slice(0, 5)) {
        await mutate(paced, scorer, f.tournamentId, [scoreDirective(matchUp)]);
      }
      await paced.app.get(PublicCommits).settled();
      expect(warmer.warmed).toBe(afterPublish);

      // At the end of the interval the five scores are warmed once, at the newest version.
      await settled(paced);
      expect(warmer.warmed).toBe(afterPublish + 1);
      const before = cacheStats(paced);
      await publicPost(paced, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: e1 }).expect(200);
      expect(cacheStats(paced).computes).toBe(before.computes);
      expect(cacheStats(paced).hits).toBe(before.hits + 1);
    } finally {
      await paced.close();
    }
  });

  it('drops a removed tournament: announced, and its old answers never come back under a reused version', async () => {
    const f = publicTournament(provider);
    const [e1] = f.eventIds;
    await save(t, desk, f.record);
    await mutate(t, desk, f.tournamentId, [publishEvent(e1)]);
    const old = await publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: e1 }).expect(200);
    expect(old.body.eventData.tournamentInfo.tournamentName).toBe('Public Open');

    const seen = await announced(f.tournamentId, () =>
      request(t.url).post('/factory/remove').set(remover.auth).send({ tournamentId: f.tournamentId }).expect(200),
    );
    expect(seen).toEqual([
      {
        tournamentId: f.tournamentId,
        version: 0,
        type: 'publishChange',
        action: 'unPublishTournament',
        topics: ['removed'],
      },
    ]);
    const gone = await publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: e1 }).expect(200);
    expect(gone.body.error.code).toBe('ERR_NOT_FOUND');

    // Saved again, the versions start over: version 2 again, with other content.
    f.record.tournamentName = 'Second Life Open';
    await save(t, desk, f.record);
    expect(await mutate(t, desk, f.tournamentId, [publishEvent(e1)])).toBe(2);
    const again = await publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: e1 }).expect(200);
    expect(again.body.eventData.tournamentInfo.tournamentName).toBe('Second Life Open');
  });
});

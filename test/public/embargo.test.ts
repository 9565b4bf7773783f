import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { firstRoundMatchUps, mutate, publicPost, publicTournament, save, scheduleOn } from './helpers';

describe('embargoes lift without a commit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('leveldb');
  });
  afterAll(() => t?.close());

  it('hides embargoed draws and order of play until the embargo time, then shows them with a new ETag', async () => {
    const provider = testProvider();
    const desk = await seedAccount(t, { provider });
    const f = publicTournament(provider);
    const [e1] = f.eventIds;
    await save(t, desk, f.record);
    // Far enough ahead that the save, the batch and the first reads finish before it, even on two
    // cores busy with the other suites (1.5 s was once not enough there).
    const liftsAt = Date.now() + 3000;
    const embargo = new Date(liftsAt).toISOString();
    await mutate(t, desk, f.tournamentId, [
      scheduleOn(firstRoundMatchUps(f.record, e1).map((m) => m.matchUpId)),
      {
        method: 'publishEvent',
        params: { eventId: e1, drawDetails: { [f.drawIds[0]]: { publishingDetail: { published: true, embargo } } } },
      },
      { method: 'publishOrderOfPlay', params: { embargo } },
    ]);
    const eventData = () =>
      publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: e1 }).expect(200);
    const schedule = () =>
      publicPost(t, '/factory/scheduledmatchups', { params: { tournamentId: f.tournamentId } }).expect(200);

    const hiddenData = await eventData();
    const hiddenSchedule = await schedule();
    expect(hiddenData.body.eventData.drawsData ?? []).toEqual([]);
    expect(hiddenSchedule.body.dateMatchUps).toEqual([]);
    // Cached answers, still hidden.
    expect((await eventData()).headers.etag).toBe(hiddenData.headers.etag);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, liftsAt - Date.now() + 100)));
    const shownData = await eventData();
    const shownSchedule = await schedule();
    expect(shownData.body.eventData.drawsData.map((d: { drawId: string }) => d.drawId)).toEqual([f.drawIds[0]]);
    expect(shownSchedule.body.dateMatchUps.length).toBeGreaterThan(0);
    expect(shownData.headers.etag).not.toBe(hiddenData.headers.etag);
    expect(shownSchedule.headers.etag).not.toBe(hiddenSchedule.headers.etag);
  });
});

import request from 'supertest';
import { version as factoryVersion } from 'tods-competition-factory';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { engineSkew } from '../../src/gateway/engine-version';
import { startCapturedApp, type CapturedApp } from '../observability/captured-app';
import { seedAccount, type TestAccount } from '../support/accounts';
import { addParticipantDirective, mockTournament, testProvider } from '../support/records';
import { closeSockets, desk, sendBatch } from '../support/sockets';

describe('engineSkew', () => {
  it('tells a major.minor difference from a patch difference', () => {
    expect(engineSkew('6.38.0', '6.38.0')).toBeUndefined();
    expect(engineSkew('6.38.2', '6.38.0')).toBe('patch');
    expect(engineSkew('6.29.1', '6.38.0')).toBe('minor');
    expect(engineSkew('7.0.0', '6.38.0')).toBe('minor');
    expect(engineSkew('not a version', '6.38.0')).toBeUndefined();
  });
});

/** TMX compares its engine's major.minor with `GET /factory/version` and sends `factoryVersion` with every batch. */
describe('desk engine versions', () => {
  let t: CapturedApp;
  let deskUser: TestAccount;
  const provider = testProvider();
  let tournamentId: string;

  beforeAll(async () => {
    t = await startCapturedApp('leveldb', { LOG_LEVEL: 'info', PUBLIC_CACHE_WARM: 'false' });
    deskUser = await seedAccount(t, { provider });
    const record = mockTournament(provider);
    tournamentId = record.tournamentId;
    await request(t.url).post('/factory/save').set(deskUser.auth).send({ tournamentRecord: record }).expect(200);
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  const skewGauge = async () => {
    const res = await request(t.url).get('/metrics').expect(200);
    const value = (skew: string) =>
      Number(new RegExp(`cfs_desks_engine_skew\\{skew="${skew}"\\} (\\d+)`).exec(res.text)?.[1]);
    return { minor: value('minor'), patch: value('patch') };
  };
  const skewLines = () => t.records().filter((line) => /runs engine/.test(String(line.msg)));

  it('reports the engine the server runs, as TMX reads it', async () => {
    const res = await request(t.url).get('/factory/version').expect(200);
    expect(res.body).toEqual({ version: factoryVersion() });
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('logs once per desk whose engine differs and counts connected skewed desks in /metrics', async () => {
    expect(await skewGauge()).toEqual({ minor: 0, patch: 0 });
    const older = await desk(t, deskUser.token);
    const same = await desk(t, deskUser.token);
    for (let i = 0; i < 3; i++) {
      const methods = [addParticipantDirective(tournamentId, `Old ${i}`)];
      const ack = await sendBatch(older, {
        tournamentIds: [tournamentId],
        methods,
        factoryVersion: '6.29.1',
        tmxVersion: '8.19.1',
      });
      expect(ack.success).toBe(true);
    }
    const methods = [addParticipantDirective(tournamentId, 'Same')];
    expect(
      (await sendBatch(same, { tournamentIds: [tournamentId], methods, factoryVersion: factoryVersion() })).success,
    ).toBe(true);

    expect(await skewGauge()).toEqual({ minor: 1, patch: 0 });
    const lines = skewLines();
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toContain('6.29.1');
    expect(lines[0].msg).toContain(factoryVersion());
    expect(lines[0].level).toBe(40); // warn

    older.disconnect();
    await vi.waitFor(async () => expect(await skewGauge()).toEqual({ minor: 0, patch: 0 }));
    same.disconnect();
  });
});

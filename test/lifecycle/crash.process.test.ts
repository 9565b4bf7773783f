import { afterEach, describe, expect, it } from 'vitest';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { BACKENDS } from '../support/app';
import { startServer, type ServerProcess } from '../support/server-process';
import { waitFor, type Ack } from '../support/sockets';
import {
  allSent,
  busyDesk,
  checkRecord,
  checkStore,
  expectAtMostOneAck,
  login,
  seedStore,
  sendBatch,
  succeeded,
  untilAcked,
  type DeskRun,
  type SeededStore,
} from './helpers';

async function fetchStored(url: string, token: string, tournamentId: string) {
  const response = await fetch(`${url}/factory/fetch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ tournamentId }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    tournamentRecords: Record<string, TournamentRecord>;
    versions: Record<string, number>;
  };
  return { record: body.tournamentRecords[tournamentId]!, version: body.versions[tournamentId]! };
}

describe.each(BACKENDS)('kill -9 of a server process during a burst (%s)', (backend) => {
  let seeded: SeededStore | undefined;
  const servers: ServerProcess[] = [];
  const desks: DeskRun[] = [];

  afterEach(async () => {
    for (const desk of desks.splice(0)) desk.socket.disconnect();
    for (const server of servers.splice(0)) await server.stop('SIGKILL');
    await seeded?.cleanup();
    seeded = undefined;
  });

  it('after a restart every acknowledged batch is stored, the others whole or not at all, and resending completes them once', async () => {
    seeded = await seedStore(backend);
    const first = await startServer(seeded.env);
    servers.push(first);
    const token = await login(first.url, seeded);
    for (let d = 0; d < 4; d++) {
      const tournamentId = seeded.tournamentIds[d % 2]!;
      desks.push(await busyDesk(first.url, token, { tournamentId, label: `d${d}`, window: 4 }));
    }
    await untilAcked(desks, 20);

    const crash = await first.stop('SIGKILL');
    expect(crash.signal).toBe('SIGKILL');
    await Promise.all(desks.map((desk) => desk.disconnected));
    const acked = succeeded(desks);
    // Killed mid-burst: some batches were sent and never answered.
    expect(acked.length).toBeLessThan(allSent(desks).length);
    expectAtMostOneAck(desks);

    // The store opens cleanly on the same folder or database (a healthy start means it did).
    const second = await startServer(seeded.env);
    servers.push(second);
    for (const id of seeded.tournamentIds) {
      const { record, version } = await fetchStored(second.url, token, id);
      const present = checkRecord(
        record,
        allSent(desks).filter((batch) => batch.tournamentId === id),
      );
      // One version per stored batch after the seeded version 1: no half-written commit counted.
      expect(version).toBe(1 + present.length);
    }

    // A desk resends what it has no ack for, with the same ackIds: each ends up stored exactly once.
    const resender = await busyDesk(second.url, token, {
      tournamentId: seeded.tournamentIds[0]!,
      label: 'r',
      limit: 0,
    });
    desks.push(resender);
    for (const batch of allSent(desks).filter((b) => !b.acks.some((ack) => ack.success))) {
      const answer = waitFor<Ack>(resender.socket, 'ack', (a) => a.ackId === batch.ackId, 10_000);
      sendBatch(resender.socket, batch);
      const ack = await answer;
      expect(ack.success, JSON.stringify(ack)).toBe(true);
      batch.acks.push(ack);
    }
    for (const id of seeded.tournamentIds) {
      const { record } = await fetchStored(second.url, token, id);
      const batches = allSent(desks).filter((batch) => batch.tournamentId === id);
      expect(checkRecord(record, batches)).toHaveLength(batches.length);
    }

    // Stopped cleanly this time; the store then shows versions without gaps, one log entry per batch.
    resender.socket.disconnect();
    expect(await second.stop('SIGTERM')).toMatchObject({ code: 0 });
    await checkStore(seeded, desks);
  }, 120_000);
});

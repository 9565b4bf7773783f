import { mocksEngine } from 'tods-competition-factory';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { importFile } from '../../src/transfer/import';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { mockTournament, testProvider } from '../support/records';
import { closeSockets, desk, join, sendBatch } from '../support/sockets';
import { openTestStorage } from '../support/storage';
import { exportLinesOf } from './helpers';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';

type RawMatchUp = { matchUpId: string; roundNumber: number; winningSide?: number };
type RawEvent = { drawDefinitions: Array<{ drawId: string; structures: Array<{ matchUps: RawMatchUp[] }> }> };

const TOURNAMENTS = 4;
const { outcome } = mocksEngine.generateOutcomeFromScoreString({ scoreString: '6-3 6-4', winningSide: 1 }) as {
  outcome: unknown;
};

function firstRound(record: TournamentRecord): { drawId: string; matchUpIds: string[] } {
  const draw = (record.events as RawEvent[])[0]!.drawDefinitions[0]!;
  const matchUpIds = draw.structures[0]!.matchUps.filter((m) => m.roundNumber === 1).map((m) => m.matchUpId);
  return { drawId: draw.drawId, matchUpIds };
}

/** Round-one results in a record: what the desk's `setMatchUpStatus` batches decided. */
function decided(record: TournamentRecord): number {
  const draw = (record.events as RawEvent[])[0]!.drawDefinitions[0]!;
  return draw.structures[0]!.matchUps.filter((m) => m.roundNumber === 1 && m.winningSide).length;
}

/** Fetches `/admin/export` as raw bytes. */
async function fetchExport(t: TestApp, account: TestAccount, query = ''): Promise<request.Response> {
  return request(t.url)
    .get(`/admin/export${query}`)
    .set(account.auth)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/**
 * Backups without downtime: a running LevelDB server streams its export while a desk scores, and
 * every tournament in the file is consistent (its record at its version, with its log up to it).
 */
describe('GET /admin/export from a running LevelDB server', () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'cfs-export-route-'));
  const provider = testProvider('LIVEX');
  let t: TestApp;
  let root: TestAccount;
  let client: TestAccount;
  const ids: string[] = [];
  const rounds = new Map<string, { drawId: string; matchUpIds: string[] }>();

  beforeAll(async () => {
    t = await startTestApp('leveldb');
    root = await seedAccount(t, { roles: ['superadmin'] });
    client = await seedAccount(t, { provider });
    for (let i = 0; i < TOURNAMENTS; i++) {
      const record = mockTournament(provider, 32, { tournamentName: `Live ${i}` });
      const res = await request(t.url).post('/factory/save').set(client.auth).send({ tournamentRecord: record });
      expect(res.body.success).toBe(true);
      ids.push(record.tournamentId);
      rounds.set(record.tournamentId, firstRound(record));
    }
  });

  afterAll(async () => {
    closeSockets();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is for superadmins only', async () => {
    await request(t.url).get('/admin/export').expect(401);
    await request(t.url).get('/admin/export').set(client.auth).expect(403);
  });

  it('streams a consistent, importable file while a desk scores', async () => {
    const socket = await desk(t, client.token);
    for (const id of ids) await join(socket, id);
    let scoring = true;
    let acks = 0;
    const scorer = (async () => {
      for (let n = 0; scoring && n < 16; n++) {
        for (const id of ids) {
          const { drawId, matchUpIds } = rounds.get(id)!;
          const ack = await sendBatch(socket, {
            tournamentIds: [id],
            methods: [
              { method: 'setMatchUpStatus', params: { tournamentId: id, drawId, matchUpId: matchUpIds[n], outcome } },
            ],
          });
          expect(ack.success, JSON.stringify(ack)).toBe(true);
          acks += 1;
        }
      }
    })();

    const files: Buffer[] = [];
    const scoredSince = async (count: number) => {
      while (acks < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    for (const query of ['', '?gzip=1', '']) {
      // Each export starts once the desk has moved on since the last one.
      await scoredSince(acks + TOURNAMENTS);
      const res = await fetchExport(t, root, query);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename="factory-export-.*\.jsonl(\.gz)?"/);
      files.push(query ? gunzipSync(res.body as Buffer) : (res.body as Buffer));
    }
    scoring = false;
    await scorer;
    expect(acks).toBeGreaterThan(0);

    for (const [index, file] of files.entries()) {
      const lines = exportLinesOf(file.toString('utf8'));
      expect(lines.at(-1)).toMatchObject({ type: 'end', counts: { tournament: TOURNAMENTS } });
      for (const id of ids) {
        const tournament = lines.find((line) => line.type === 'tournament' && line.tournamentId === id)!;
        const log = lines
          .filter((line) => line.type === 'log' && line.entry.tournamentId === id)
          .map((line) => line.entry);
        // The whole log up to the record's version, nothing past it, and the record holds exactly what it says.
        expect(log.map((entry) => entry.version)).toEqual(Array.from({ length: tournament.version }, (_, v) => v + 1));
        const scored = log.filter((entry) =>
          entry.methods.some((m: { method: string }) => m.method === 'setMatchUpStatus'),
        );
        expect(decided(tournament.record as TournamentRecord), `export ${index}, ${id}`).toBe(scored.length);
      }
      const path = joinPath(dir, `export-${index}.jsonl`);
      writeFileSync(path, file);
      const target = await openTestStorage('postgres');
      try {
        const summary = await importFile(target.storage, path);
        expect(summary.refused).toEqual([]);
        expect(summary.imported).toMatchObject({ tournament: TOURNAMENTS, provider: 1, user: 2 });
      } finally {
        await target.cleanup();
      }
    }
    // The exports were taken while versions moved: at least one caught a tournament part-way through scoring.
    const versionsOf = (file: Buffer) =>
      exportLinesOf(file.toString('utf8'))
        .filter((line) => line.type === 'tournament')
        .map((line) => line.version as number);
    const final = await Promise.all(ids.map((id) => t.storage.tournaments.getVersion(id)));
    expect(files.some((file) => versionsOf(file).some((version, i) => version > 1 && version < final[i]!))).toBe(true);
  }, 60_000);
});

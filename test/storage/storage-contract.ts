import { ENGINE_VERSION } from '../../src/engine/replay';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateKeyError,
  VersionConflictError,
  type CalendarEntry,
  type NewChatMessage,
  type NextRefreshToken,
  type Provider,
  type Storage,
  type StoredRefreshToken,
  type StoredUser,
  type TournamentWrite,
} from '../../src/storage/storage.types';

/** Opens a new instance over the same folder or database each time it is called. */
export type OpenStorage = () => Promise<Storage>;

const uid = (prefix: string) => `${prefix}-${randomUUID()}`;

export function writeOf(
  tournamentId: string,
  version: number,
  options: { providerId?: string; ackId?: string; name?: string; kind?: 'mutation' | 'save' } = {},
): TournamentWrite & { json: string } {
  const record = {
    tournamentId,
    tournamentName: options.name ?? `Open ${version}`,
    parentOrganisation: options.providerId ? { organisationId: options.providerId } : undefined,
    events: [{ eventId: 'e1', drawDefinitions: [{ drawId: 'd1', note: 'Zürich – “quotes” 🎾' }] }],
  };
  return {
    tournamentId,
    providerId: options.providerId,
    version,
    json: JSON.stringify(record),
    log: {
      tournamentId,
      version,
      methods: [{ method: 'setTournamentName', params: { tournamentName: record.tournamentName } }],
      userId: 'desk@example.com',
      ackId: options.ackId,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString(),
      kind: options.kind ?? 'mutation',
    },
  };
}

function userOf(email: string, providerId?: string): StoredUser {
  const now = new Date().toISOString();
  return {
    userId: randomUUID(),
    email,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    firstName: 'Ada',
    lastName: 'Lovelace',
    roles: ['client'],
    permissions: [],
    services: [],
    providerId,
    createdAt: now,
    updatedAt: now,
  };
}

function providerOf(abbreviation: string): Provider {
  return {
    organisationId: randomUUID(),
    organisationAbbreviation: abbreviation,
    organisationName: `${abbreviation} Tennis`,
    onlineResources: [{ name: 'site', identifier: 'https://example.com' }],
  };
}

function entryOf(tournamentId: string, providerId: string, name = 'Club Open'): CalendarEntry {
  return {
    tournamentId,
    providerId,
    searchText: name.toLowerCase(),
    tournament: { tournamentId, tournamentName: name, startDate: '2025-06-01', endDate: '2025-06-07' },
  };
}

/** A log-first commit: only the log entry, which renames the tournament when replayed. */
export function appendOf(
  tournamentId: string,
  version: number,
  name: string,
  calendar?: CalendarEntry | null,
): TournamentWrite {
  const write: TournamentWrite = {
    tournamentId,
    version,
    log: {
      tournamentId,
      version,
      methods: [{ method: 'setTournamentName', params: { tournamentName: name } }],
      userId: 'desk@example.com',
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString(),
      kind: 'mutation',
      seed: 1234 + version,
      engine: ENGINE_VERSION,
      engineMs: 1.5,
    },
  };
  if (calendar !== undefined) write.calendar = calendar;
  return write;
}

/** Commits versions 1..n of one tournament, one commit each. */
async function commitVersions(storage: Storage, tournamentId: string, count: number, providerId?: string) {
  for (let version = 1; version <= count; version += 1) {
    await storage.tournaments.commit([writeOf(tournamentId, version, { providerId, ackId: `ack-${version}` })]);
  }
}

/**
 * The behaviour every `Storage` implementation must show. Tests use fresh ids, so they share one
 * store; the "reopen" tests replace it with a new instance over the same data.
 */
export function storageContract(open: OpenStorage): void {
  let storage: Storage;
  beforeAll(async () => {
    storage = await open();
  });
  afterAll(async () => {
    await storage.close();
  });

  describe('tournaments', () => {
    it('knows nothing of a tournament never written', async () => {
      const id = uid('t');
      expect(await storage.tournaments.get(id)).toBeUndefined();
      expect(await storage.tournaments.getVersion(id)).toBeUndefined();
      expect(await storage.tournaments.remove(id)).toBe(false);
    });

    it('stores a new tournament at version 1 and returns the record as written', async () => {
      const id = uid('t');
      const write = writeOf(id, 1, { providerId: 'p-1' });
      await storage.tournaments.commit([write]);
      const stored = await storage.tournaments.get(id);
      expect(stored).toMatchObject({ tournamentId: id, providerId: 'p-1', version: 1, bytes: write.json.length });
      expect(stored?.record).toEqual(JSON.parse(write.json));
      expect(new Date(stored?.updatedAt ?? '').getTime()).not.toBeNaN();
      expect(await storage.tournaments.getVersion(id)).toBe(1);
    });

    it('counts versions 1, 2, 3 and keeps the latest record', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 3);
      const stored = await storage.tournaments.get(id);
      expect(stored?.version).toBe(3);
      expect(stored?.record.tournamentName).toBe('Open 3');
      expect(await storage.tournaments.getVersion(id)).toBe(3);
    });

    it('summarises a tournament (version, owner, commit time) without its record', async () => {
      const id = uid('t');
      expect(await storage.tournaments.getSummary(id)).toBeUndefined();
      await commitVersions(storage, id, 2, 'p-sum');
      expect(await storage.tournaments.getSummary(id)).toEqual({
        tournamentId: id,
        providerId: 'p-sum',
        version: 2,
        updatedAt: writeOf(id, 2).log.at,
      });
    });

    it('refuses a stale, a repeated or a skipped version and writes nothing', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 2);
      for (const version of [1, 2, 4]) {
        const attempt = storage.tournaments.commit([writeOf(id, version, { name: 'intruder' })]);
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ tournamentId: id, expected: version - 1, actual: 2 });
      }
      expect((await storage.tournaments.get(id))?.record.tournamentName).toBe('Open 2');
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([1, 2]);
    });

    it('refuses to start a new tournament at any version but 1', async () => {
      const id = uid('t');
      await expect(storage.tournaments.commit([writeOf(id, 2)])).rejects.toMatchObject({ expected: 1, actual: 0 });
      expect(await storage.tournaments.get(id)).toBeUndefined();
      expect(await storage.log.since(id, 0)).toEqual([]);
    });

    it('writes several tournaments in one commit, all or nothing', async () => {
      const [a, b, c] = [uid('a'), uid('b'), uid('c')];
      await storage.tournaments.commit([writeOf(a, 1), writeOf(b, 1)]);
      expect(await storage.tournaments.getVersion(a)).toBe(1);
      expect(await storage.tournaments.getVersion(b)).toBe(1);

      // b is at 1, so b@1 conflicts: neither a@2 nor the new c may be written.
      const attempt = storage.tournaments.commit([writeOf(a, 2), writeOf(c, 1), writeOf(b, 1)]);
      await expect(attempt).rejects.toMatchObject({ name: 'VersionConflictError', tournamentId: b });
      expect(await storage.tournaments.getVersion(a)).toBe(1);
      expect((await storage.tournaments.get(a))?.record.tournamentName).toBe('Open 1');
      expect(await storage.tournaments.get(c)).toBeUndefined();
      expect((await storage.log.since(a, 0)).map((entry) => entry.version)).toEqual([1]);
      expect(await storage.log.since(c, 0)).toEqual([]);

      await storage.tournaments.commit([writeOf(b, 2), writeOf(a, 2)]);
      expect(await storage.tournaments.getVersion(a)).toBe(2);
      expect(await storage.tournaments.getVersion(b)).toBe(2);
    });

    it('lets exactly one of several concurrent commits of the same version win', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 1);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) =>
          storage.tournaments.commit([writeOf(id, 2, { name: `desk ${index}` })]),
        ),
      );
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result) => result.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const result of lost) expect(result.reason).toBeInstanceOf(VersionConflictError);
      expect(await storage.tournaments.getVersion(id)).toBe(2);
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([1, 2]);
    });

    it('keeps versions gap-free under concurrent commits to distinct tournaments sharing one batch', async () => {
      const [a, b] = [uid('a'), uid('b')];
      await storage.tournaments.commit([writeOf(a, 1), writeOf(b, 1)]);
      // Each round, two writers race over overlapping sets in opposite order; neither may deadlock.
      for (let version = 2; version <= 5; version += 1) {
        const results = await Promise.allSettled([
          storage.tournaments.commit([writeOf(a, version), writeOf(b, version)]),
          storage.tournaments.commit([writeOf(b, version), writeOf(a, version)]),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      }
      expect((await storage.log.since(a, 0)).map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5]);
      expect((await storage.log.since(b, 0)).map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5]);
    });

    it('lists summaries, filtered by provider, without the records', async () => {
      const providerId = uid('p');
      const [x, y, z] = [uid('x'), uid('y'), uid('z')];
      await storage.tournaments.commit([writeOf(x, 1, { providerId }), writeOf(y, 1, { providerId }), writeOf(z, 1)]);
      await storage.tournaments.commit([writeOf(y, 2, { providerId })]);
      const mine = await storage.tournaments.list({ providerId });
      expect(mine.map((summary) => summary.tournamentId).sort()).toEqual([x, y].sort());
      expect(mine.find((summary) => summary.tournamentId === y)).toMatchObject({ providerId, version: 2 });
      expect(mine[0]).not.toHaveProperty('record');
      const all = await storage.tournaments.list();
      expect(all.map((summary) => summary.tournamentId)).toEqual(expect.arrayContaining([x, y, z]));
    });

    it('removes the record together with its log and ack index', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 3);
      expect(await storage.tournaments.remove(id)).toBe(true);
      expect(await storage.tournaments.get(id)).toBeUndefined();
      expect(await storage.tournaments.getVersion(id)).toBeUndefined();
      expect(await storage.log.since(id, 0)).toEqual([]);
      expect(await storage.log.firstVersion(id)).toBeUndefined();
      expect(await storage.log.findByAckId(id, 'ack-2')).toBeUndefined();
      expect(await storage.tournaments.list()).not.toContainEqual(expect.objectContaining({ tournamentId: id }));
      expect(await storage.tournaments.remove(id)).toBe(false);
      // A removed tournament starts again at version 1, and its old ackIds are free.
      await storage.tournaments.commit([writeOf(id, 1, { ackId: 'ack-2' })]);
      expect(await storage.tournaments.getVersion(id)).toBe(1);
    });

    it('removing one tournament leaves another whose id extends it untouched', async () => {
      const id = uid('t');
      const longer = `${id}!x`;
      await commitVersions(storage, id, 1);
      await commitVersions(storage, longer, 2);
      await storage.tournaments.remove(id);
      expect(await storage.tournaments.getVersion(longer)).toBe(2);
      expect(await storage.log.since(longer, 0)).toHaveLength(2);
    });

    it('refuses a second use of one ackId in a tournament, writing nothing', async () => {
      const [id, other] = [uid('t'), uid('t')];
      await storage.tournaments.commit([writeOf(id, 1, { ackId: 'same' })]);
      const attempt = storage.tournaments.commit([writeOf(id, 2, { ackId: 'same' })]);
      await expect(attempt).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await storage.tournaments.getVersion(id)).toBe(1);
      await storage.tournaments.commit([writeOf(other, 1, { ackId: 'same' })]);
      expect((await storage.log.findByAckId(other, 'same'))?.version).toBe(1);
    });

    it('accepts an empty commit as a no-op', async () => {
      await expect(storage.tournaments.commit([])).resolves.toBeUndefined();
    });
  });

  describe('log-first commits and snapshots', () => {
    it('rebuilds the record from its snapshot and the log entries after it', async () => {
      const id = uid('t');
      await storage.tournaments.commit([writeOf(id, 1, { providerId: 'p-1' })]);
      await storage.tournaments.commit([appendOf(id, 2, 'Renamed Open')]);
      await storage.tournaments.commit([appendOf(id, 3, 'Renamed Again')]);
      const stored = await storage.tournaments.get(id);
      expect(stored).toMatchObject({ version: 3, snapshotVersion: 1, providerId: undefined, tailMs: 3 });
      expect(stored?.record.tournamentName).toBe('Renamed Again');
      expect(stored?.updatedAt).toBe(appendOf(id, 3, '').log.at);
      expect(await storage.tournaments.getVersion(id)).toBe(3);
      expect(await storage.log.since(id, 1)).toEqual([
        expect.objectContaining({ version: 2, seed: 1236, engine: ENGINE_VERSION, engineMs: 1.5 }),
        expect.objectContaining({ version: 3, seed: 1237 }),
      ]);
    });

    it('hands out the stored text only while the snapshot is at the head', async () => {
      const id = uid('t');
      const first = writeOf(id, 1, { providerId: 'p-1' });
      await storage.tournaments.commit([first]);
      expect(await storage.tournaments.getText(id)).toEqual({
        ...{ tournamentId: id, providerId: 'p-1', version: 1, updatedAt: first.log.at, json: first.json },
      });
      await storage.tournaments.commit([appendOf(id, 2, 'Appended')]);
      expect(await storage.tournaments.getText(id)).toBeUndefined(); // the log entry must be replayed
      const json = JSON.stringify((await storage.tournaments.get(id))!.record);
      await storage.tournaments.snapshot(id, 2, json);
      expect((await storage.tournaments.getText(id))?.json).toBe(json);
      expect(await storage.tournaments.getText(uid('t'))).toBeUndefined();
    });

    it('refuses a first version without its record, and an append out of order', async () => {
      const id = uid('t');
      await expect(storage.tournaments.commit([appendOf(id, 1, 'No record')])).rejects.toThrow();
      expect(await storage.tournaments.get(id)).toBeUndefined();
      await storage.tournaments.commit([writeOf(id, 1)]);
      await expect(storage.tournaments.commit([appendOf(id, 3, 'Gap')])).rejects.toBeInstanceOf(VersionConflictError);
      expect(await storage.tournaments.getVersion(id)).toBe(1);
    });

    it('keeps snapshots in version order, and never prunes an entry after the snapshot', async () => {
      const id = uid('t');
      await storage.tournaments.commit([writeOf(id, 1)]);
      await storage.tournaments.commit([appendOf(id, 2, 'Two')]);
      await storage.tournaments.commit([appendOf(id, 3, 'Three')]);
      expect(await storage.log.prune(id, 4)).toBe(1); // only version 1: 2 and 3 rebuild the record
      const two = JSON.stringify({ ...(await storage.tournaments.get(id))!.record, tournamentName: 'Two' });
      expect(await storage.tournaments.snapshot(id, 4, two)).toBe(false); // past the head
      expect(await storage.tournaments.snapshot(id, 2, two)).toBe(true);
      expect(await storage.tournaments.snapshot(id, 2, two)).toBe(false); // not newer
      expect(await storage.tournaments.snapshot(id, 1, two)).toBe(false);
      const stored = await storage.tournaments.get(id);
      expect(stored).toMatchObject({ version: 3, snapshotVersion: 2, bytes: two.length });
      expect(stored?.record.tournamentName).toBe('Three');
      expect(await storage.log.prune(id, 4)).toBe(1);
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([3]);
      // A snapshot at the head: nothing left to replay, and the next append builds on it.
      const three = JSON.stringify(stored!.record);
      expect(await storage.tournaments.snapshot(id, 3, three)).toBe(true);
      await storage.tournaments.commit([appendOf(id, 4, 'Four')]);
      expect(await storage.tournaments.get(id)).toMatchObject({
        version: 4,
        snapshotVersion: 3,
        record: { tournamentName: 'Four' },
      });
    });

    it('writes the calendar entry in the commit, and removes it with null', async () => {
      const id = uid('t');
      const providerId = uid('p');
      await storage.tournaments.commit([{ ...writeOf(id, 1, { providerId }), calendar: entryOf(id, providerId) }]);
      expect(await storage.calendars.listByProvider(providerId)).toEqual([entryOf(id, providerId)]);
      await storage.tournaments.commit([appendOf(id, 2, 'Renamed', entryOf(id, providerId, 'Renamed'))]);
      expect((await storage.calendars.listByProvider(providerId))[0].tournament.tournamentName).toBe('Renamed');
      const moved = uid('p');
      await storage.tournaments.commit([appendOf(id, 3, 'Moved', entryOf(id, moved, 'Moved'))]);
      expect(await storage.calendars.listByProvider(providerId)).toEqual([]);
      expect(await storage.calendars.listByProvider(moved)).toHaveLength(1);
      await storage.tournaments.commit([appendOf(id, 4, 'Gone', null)]);
      expect(await storage.calendars.listByProvider(moved)).toEqual([]);
      // A refused commit leaves the calendar as it was.
      await expect(storage.tournaments.commit([appendOf(id, 4, 'Again', entryOf(id, moved))])).rejects.toThrow();
      expect(await storage.calendars.listByProvider(moved)).toEqual([]);
    });

    it('lands every one of many appends made at the same moment (group commit), each at its version', async () => {
      const ids = Array.from({ length: 12 }, () => uid('t'));
      for (const id of ids) await storage.tournaments.commit([writeOf(id, 1)]);
      await Promise.all(ids.map((id) => storage.tournaments.commit([appendOf(id, 2, `${id} two`)])));
      const outcomes = await Promise.allSettled(ids.map((id) => storage.tournaments.commit([appendOf(id, 2, 'late')])));
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
      for (const id of ids)
        expect(await storage.tournaments.get(id)).toMatchObject({
          version: 2,
          record: { tournamentName: `${id} two` },
        });
    });
  });

  describe('mutation log', () => {
    it('reads entries since a version, oldest first, in numeric order past 9', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 12);
      const all = await storage.log.since(id, 0);
      expect(all.map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(all[9]).toEqual(writeOf(id, 10, { ackId: 'ack-10' }).log);
      expect((await storage.log.since(id, 9)).map((entry) => entry.version)).toEqual([10, 11, 12]);
      expect((await storage.log.since(id, 2, 3)).map((entry) => entry.version)).toEqual([3, 4, 5]);
      expect(await storage.log.since(id, 12)).toEqual([]);
      expect(await storage.log.since(uid('unknown'), 0)).toEqual([]);
    });

    it('keeps the entry kind and an entry without ackId', async () => {
      const id = uid('t');
      const save = writeOf(id, 1, { kind: 'save' });
      save.log.methods = [];
      await storage.tournaments.commit([save]);
      const [entry] = await storage.log.since(id, 0);
      expect(entry).toEqual(save.log);
      expect(entry?.ackId).toBeUndefined();
    });

    it('keeps what a batch changed, what it overrode and who sent it (conflict detection)', async () => {
      const id = uid('t');
      const write = writeOf(id, 1, { ackId: 'with-changes' });
      write.log.changes = { matchUpIds: ['m1'], matchUpDrawIds: ['d1'], participantIds: ['p1'], details: true };
      write.log.overrides = [7, 9];
      write.log.by = 'token-fingerprint';
      await storage.tournaments.commit([write]);
      expect(await storage.log.since(id, 0)).toEqual([write.log]);
      expect(await storage.log.findByAckId(id, 'with-changes')).toEqual(write.log);
    });

    it('reports the oldest version still held', async () => {
      const id = uid('t');
      expect(await storage.log.firstVersion(id)).toBeUndefined();
      await commitVersions(storage, id, 3);
      expect(await storage.log.firstVersion(id)).toBe(1);
    });

    it('finds an entry by its ackId within its tournament only', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 3);
      expect(await storage.log.findByAckId(id, 'ack-2')).toEqual(writeOf(id, 2, { ackId: 'ack-2' }).log);
      expect(await storage.log.findByAckId(id, 'ack-9')).toBeUndefined();
      expect(await storage.log.findByAckId(uid('other'), 'ack-2')).toBeUndefined();
    });

    it('prunes entries before a version, with their ackIds, and leaves the record alone', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 12);
      expect(await storage.log.prune(id, 10)).toBe(9);
      expect(await storage.log.firstVersion(id)).toBe(10);
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([10, 11, 12]);
      expect(await storage.log.findByAckId(id, 'ack-3')).toBeUndefined();
      expect((await storage.log.findByAckId(id, 'ack-11'))?.version).toBe(11);
      expect(await storage.log.prune(id, 10)).toBe(0);
      expect(await storage.tournaments.getVersion(id)).toBe(12);
      await storage.tournaments.commit([writeOf(id, 13)]);
      expect(await storage.log.prune(id, 100)).toBe(4);
      expect(await storage.log.firstVersion(id)).toBeUndefined();
    });
  });

  describe('users', () => {
    it('creates a user under a lower-cased email and finds it in any case', async () => {
      const email = `${uid('Ada')}@Example.ORG`;
      await storage.users.create(userOf(email, 'p-1'));
      const stored = await storage.users.get(email.toUpperCase());
      expect(stored).toMatchObject({
        email: email.toLowerCase(),
        firstName: 'Ada',
        providerId: 'p-1',
        roles: ['client'],
      });
      expect(await storage.users.get(email.toLowerCase())).toEqual(stored);
      expect(await storage.users.get(`nobody-${email}`)).toBeUndefined();
    });

    it('refuses a second user with the same email in another case', async () => {
      const email = `${uid('dup')}@example.org`;
      await storage.users.create(userOf(email));
      await expect(storage.users.create(userOf(email.toUpperCase()))).rejects.toBeInstanceOf(DuplicateKeyError);
    });

    it('lets exactly one of several concurrent creates of one email win', async () => {
      const email = `${uid('race')}@example.org`;
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => storage.users.create(userOf(email))));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    });

    it('updates, lists by provider, counts and removes users', async () => {
      const providerId = uid('p');
      const [first, second] = [`${uid('u1')}@example.org`, `${uid('u2')}@example.org`];
      const before = await storage.users.count();
      await storage.users.create(userOf(first, providerId));
      await storage.users.create(userOf(second, providerId));
      expect(await storage.users.count()).toBe(before + 2);

      const changed = { ...userOf(first, providerId), roles: ['admin'], lastName: 'Byron' };
      expect(await storage.users.update(changed)).toBe(true);
      expect(await storage.users.get(first)).toMatchObject({ roles: ['admin'], lastName: 'Byron' });
      expect(await storage.users.update(userOf(`${uid('ghost')}@example.org`))).toBe(false);

      const listed = await storage.users.list({ providerId });
      expect(listed.map((user) => user.email).sort()).toEqual([first, second].sort());
      expect((await storage.users.list()).map((user) => user.email)).toEqual(expect.arrayContaining([first, second]));

      expect(await storage.users.remove(first.toUpperCase())).toBe(true);
      expect(await storage.users.get(first)).toBeUndefined();
      expect(await storage.users.remove(first)).toBe(false);
      expect(await storage.users.count()).toBe(before + 1);
    });

    it('keeps the last selected provider, and clears it', async () => {
      const email = `${uid('pick')}@example.org`;
      const user = userOf(email, 'p-1');
      await storage.users.create(user);
      expect((await storage.users.get(email))?.lastSelectedProviderId).toBeUndefined();
      await storage.users.update({ ...user, lastSelectedProviderId: 'p-2' });
      expect(await storage.users.get(email)).toMatchObject({ providerId: 'p-1', lastSelectedProviderId: 'p-2' });
      await storage.users.update({ ...user, lastSelectedProviderId: undefined });
      expect(await storage.users.get(email)).not.toHaveProperty('lastSelectedProviderId');
    });

    it('keeps the session generation: absent is 0, it round-trips, and a write from an older read never lowers it', async () => {
      const email = `${uid('sv')}@example.org`;
      const user = userOf(email, 'p-1');
      await storage.users.create(user);
      expect((await storage.users.get(email))?.sessionVersion ?? 0).toBe(0);
      expect(await storage.users.update({ ...user, sessionVersion: 2 })).toBe(true);
      expect(await storage.users.get(email)).toMatchObject({ sessionVersion: 2 });
      // Based on the user as read before the change: the generation stays 2.
      await storage.users.update({ ...user, lastName: 'Later' });
      expect(await storage.users.get(email)).toMatchObject({ sessionVersion: 2, lastName: 'Later' });
      const created = userOf(`${uid('sv')}@example.org`);
      await storage.users.create({ ...created, sessionVersion: 5 });
      expect((await storage.users.get(created.email))?.sessionVersion).toBe(5);
    });
  });

  describe('providers', () => {
    it('creates a provider and finds it by id and by abbreviation in any case', async () => {
      const provider = providerOf(uid('Club').slice(0, 20));
      await storage.providers.create(provider);
      expect(await storage.providers.get(provider.organisationId)).toEqual(provider);
      expect(await storage.providers.getByAbbreviation(provider.organisationAbbreviation.toUpperCase())).toEqual(
        provider,
      );
      expect(await storage.providers.getByAbbreviation(uid('none'))).toBeUndefined();
      expect(await storage.providers.get(randomUUID())).toBeUndefined();
      expect(await storage.providers.list()).toContainEqual(provider);
    });

    it('refuses a taken id or a taken abbreviation in another case', async () => {
      const provider = providerOf(uid('abc').slice(0, 20));
      await storage.providers.create(provider);
      const sameId = { ...providerOf(uid('other').slice(0, 20)), organisationId: provider.organisationId };
      await expect(storage.providers.create(sameId)).rejects.toBeInstanceOf(DuplicateKeyError);
      const sameAbbr = providerOf(provider.organisationAbbreviation.toUpperCase());
      await expect(storage.providers.create(sameAbbr)).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await storage.providers.get(sameAbbr.organisationId)).toBeUndefined();
    });

    it('lets exactly one of several concurrent creates of one abbreviation win', async () => {
      const abbreviation = uid('race').slice(0, 20);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) =>
          storage.providers.create(providerOf(index % 2 ? abbreviation.toUpperCase() : abbreviation)),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    });

    it('updates a provider, moving its abbreviation, but never onto another provider', async () => {
      const [mine, theirs] = [providerOf(uid('m').slice(0, 20)), providerOf(uid('t').slice(0, 20))];
      await storage.providers.create(mine);
      await storage.providers.create(theirs);
      const oldAbbreviation = mine.organisationAbbreviation;

      const renamed = {
        ...mine,
        organisationAbbreviation: uid('n').slice(0, 20),
        organisationName: 'Renamed',
        extra: 1,
      };
      expect(await storage.providers.update(renamed)).toBe(true);
      expect(await storage.providers.get(mine.organisationId)).toEqual(renamed);
      expect(await storage.providers.getByAbbreviation(oldAbbreviation)).toBeUndefined();
      expect(await storage.providers.getByAbbreviation(renamed.organisationAbbreviation)).toEqual(renamed);

      const sameCase = { ...renamed, organisationAbbreviation: renamed.organisationAbbreviation.toUpperCase() };
      expect(await storage.providers.update(sameCase)).toBe(true);

      const clash = { ...renamed, organisationAbbreviation: theirs.organisationAbbreviation.toLowerCase() };
      await expect(storage.providers.update(clash)).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await storage.providers.get(mine.organisationId)).toEqual(sameCase);
      expect(await storage.providers.update(providerOf(uid('ghost').slice(0, 20)))).toBe(false);
    });
  });

  describe('calendars', () => {
    it('lists entries by provider, replaces on upsert and follows a provider change', async () => {
      const [p1, p2] = [uid('p1'), uid('p2')];
      const [t1, t2, t3] = [uid('t1'), uid('t2'), uid('t3')];
      await storage.calendars.upsert(entryOf(t1, p1));
      await storage.calendars.upsert(entryOf(t2, p1));
      await storage.calendars.upsert(entryOf(t3, p2));
      await storage.calendars.upsert(entryOf(t1, p1, 'Renamed Open'));
      const ofP1 = await storage.calendars.listByProvider(p1);
      expect(ofP1.map((entry) => entry.tournamentId).sort()).toEqual([t1, t2].sort());
      expect(ofP1.find((entry) => entry.tournamentId === t1)).toEqual(entryOf(t1, p1, 'Renamed Open'));

      await storage.calendars.upsert(entryOf(t2, p2));
      expect((await storage.calendars.listByProvider(p1)).map((entry) => entry.tournamentId)).toEqual([t1]);
      expect((await storage.calendars.listByProvider(p2)).map((entry) => entry.tournamentId).sort()).toEqual(
        [t2, t3].sort(),
      );
      expect(await storage.calendars.listByProvider(uid('nobody'))).toEqual([]);
    });

    it('removes an entry once', async () => {
      const [provider, id] = [uid('p'), uid('t')];
      await storage.calendars.upsert(entryOf(id, provider));
      expect(await storage.calendars.remove(id)).toBe(true);
      expect(await storage.calendars.listByProvider(provider)).toEqual([]);
      expect(await storage.calendars.remove(id)).toBe(false);
    });
  });

  describe('codes', () => {
    const inAMinute = () => Date.now() + 60_000;

    it('peeks without consuming and takes exactly once', async () => {
      const code = uid('code');
      await storage.codes.put('invite', code, { email: 'new@example.org', roles: ['client'] }, inAMinute());
      expect(await storage.codes.peek('invite', code)).toEqual({ email: 'new@example.org', roles: ['client'] });
      expect(await storage.codes.peek('invite', code)).toEqual({ email: 'new@example.org', roles: ['client'] });
      expect(await storage.codes.take('password-reset', code)).toBeUndefined();
      expect(await storage.codes.take('invite', code)).toEqual({ email: 'new@example.org', roles: ['client'] });
      expect(await storage.codes.take('invite', code)).toBeUndefined();
      expect(await storage.codes.peek('invite', code)).toBeUndefined();
    });

    it('never returns an expired code', async () => {
      const code = uid('old');
      await storage.codes.put('password-reset', code, { email: 'a@example.org' }, Date.now() - 1);
      expect(await storage.codes.peek('password-reset', code)).toBeUndefined();
      expect(await storage.codes.take('password-reset', code)).toBeUndefined();
    });

    it('lets exactly one of several concurrent takes have the code', async () => {
      const code = uid('race');
      await storage.codes.put('invite', code, { n: 1 }, inAMinute());
      const taken = await Promise.all(Array.from({ length: 10 }, () => storage.codes.take('invite', code)));
      expect(taken.filter((data) => data !== undefined)).toEqual([{ n: 1 }]);
    });

    it('purges expired codes only', async () => {
      await storage.codes.purgeExpired(Number.MAX_SAFE_INTEGER);
      const [live, gone1, gone2] = [uid('live'), uid('gone'), uid('gone')];
      await storage.codes.put('invite', live, { live: true }, inAMinute());
      await storage.codes.put('invite', gone1, {}, Date.now() - 1000);
      await storage.codes.put('password-reset', gone2, {}, Date.now() - 500);
      expect(await storage.codes.purgeExpired()).toBe(2);
      expect(await storage.codes.purgeExpired()).toBe(0);
      expect(await storage.codes.peek('invite', live)).toEqual({ live: true });
      expect(await storage.codes.purgeExpired(Date.now() + 120_000)).toBe(1);
      expect(await storage.codes.peek('invite', live)).toBeUndefined();
    });
  });

  describe('refresh tokens', () => {
    const inADay = () => Date.now() + 86_400_000;
    function tokenOf(familyId: string, userId = uid('user'), expiresAt = inADay()): StoredRefreshToken {
      return { hash: uid('hash'), familyId, userId, email: `${userId}@example.org`, sv: 2, expiresAt };
    }
    const nextOf = ({ userId, email, sv, expiresAt }: NextRefreshToken): NextRefreshToken => ({
      hash: uid('hash'),
      userId,
      email,
      sv,
      expiresAt,
    });

    it('stores a token by its hash and rotates it once into the same chain', async () => {
      const first = tokenOf(uid('family'));
      await storage.refreshTokens.put(first);
      expect(await storage.refreshTokens.get(first.hash)).toEqual(first);
      expect(await storage.refreshTokens.get(uid('unknown'))).toBeUndefined();

      const second = nextOf(first);
      expect(await storage.refreshTokens.rotate(first.hash, second)).toEqual({ outcome: 'rotated', token: first });
      expect(await storage.refreshTokens.get(second.hash)).toEqual({ ...second, familyId: first.familyId });
      expect((await storage.refreshTokens.get(first.hash))?.retiredAt).toEqual(expect.any(Number));
      const third = nextOf(second);
      expect(await storage.refreshTokens.rotate(second.hash, third)).toMatchObject({ outcome: 'rotated' });
      expect(await storage.refreshTokens.get(third.hash)).toMatchObject({ familyId: first.familyId });
    });

    it('revokes the whole chain when a retired token is presented again', async () => {
      const first = tokenOf(uid('family'));
      const other = tokenOf(uid('family'), first.userId);
      await storage.refreshTokens.put(first);
      await storage.refreshTokens.put(other);
      const second = nextOf(first);
      await storage.refreshTokens.rotate(first.hash, second);

      const replay = await storage.refreshTokens.rotate(first.hash, nextOf(first));
      expect(replay).toMatchObject({ outcome: 'reused', token: { hash: first.hash } });
      expect((await storage.refreshTokens.get(second.hash))?.retiredAt).toEqual(expect.any(Number));
      expect(await storage.refreshTokens.rotate(second.hash, nextOf(second))).toMatchObject({ outcome: 'reused' });
      // Another chain of the same user is untouched.
      expect(await storage.refreshTokens.rotate(other.hash, nextOf(other))).toMatchObject({ outcome: 'rotated' });
    });

    it('refuses unknown and expired tokens and changes nothing', async () => {
      expect(await storage.refreshTokens.rotate(uid('unknown'), nextOf(tokenOf('f')))).toEqual({ outcome: 'invalid' });
      const old = tokenOf(uid('family'), uid('user'), Date.now() - 1);
      await storage.refreshTokens.put(old);
      const next = nextOf(old);
      expect(await storage.refreshTokens.rotate(old.hash, next)).toEqual({ outcome: 'invalid' });
      expect(await storage.refreshTokens.get(next.hash)).toBeUndefined();
      expect((await storage.refreshTokens.get(old.hash))?.retiredAt).toBeUndefined();
    });

    it('lets exactly one of several concurrent rotations of one token succeed', async () => {
      const first = tokenOf(uid('family'));
      await storage.refreshTokens.put(first);
      const nexts = Array.from({ length: 8 }, () => nextOf(first));
      const outcomes = await Promise.all(nexts.map((next) => storage.refreshTokens.rotate(first.hash, next)));
      expect(outcomes.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
      expect(outcomes.filter((r) => r.outcome === 'reused')).toHaveLength(7);
      // The reuse ended the chain, the one successful rotation's token included.
      const stored = await Promise.all(nexts.map((next) => storage.refreshTokens.get(next.hash)));
      const written = stored.filter((token) => token !== undefined);
      expect(written).toHaveLength(1);
      expect(written[0]?.retiredAt).toEqual(expect.any(Number));
    });

    it('revokes a chain, and every chain of a user', async () => {
      const userId = uid('user');
      const [a, b, c] = [tokenOf(uid('family'), userId), tokenOf(uid('family'), userId), tokenOf(uid('family'))];
      for (const token of [a, b, c]) await storage.refreshTokens.put(token);
      expect(await storage.refreshTokens.revokeFamily(a.familyId)).toBe(1);
      expect(await storage.refreshTokens.revokeFamily(a.familyId)).toBe(0);
      expect(await storage.refreshTokens.rotate(a.hash, nextOf(a))).toMatchObject({ outcome: 'reused' });
      const b2 = nextOf(b);
      await storage.refreshTokens.rotate(b.hash, b2);
      expect(await storage.refreshTokens.revokeUser(userId)).toBe(1);
      expect(await storage.refreshTokens.rotate(b2.hash, nextOf(b2))).toMatchObject({ outcome: 'reused' });
      expect(await storage.refreshTokens.rotate(c.hash, nextOf(c))).toMatchObject({ outcome: 'rotated' });
    });

    it('purges expired tokens only, retired or not', async () => {
      await storage.refreshTokens.purgeExpired(Number.MAX_SAFE_INTEGER);
      const live = tokenOf(uid('family'));
      const gone = tokenOf(uid('family'), uid('user'), Date.now() - 1000);
      const goneRetired = tokenOf(gone.familyId, gone.userId, Date.now() - 500);
      for (const token of [live, gone, goneRetired]) await storage.refreshTokens.put(token);
      await storage.refreshTokens.revokeFamily(gone.familyId);
      expect(await storage.refreshTokens.purgeExpired()).toBe(2);
      expect(await storage.refreshTokens.purgeExpired()).toBe(0);
      expect(await storage.refreshTokens.get(gone.hash)).toBeUndefined();
      expect(await storage.refreshTokens.get(live.hash)).toEqual(live);
      expect(await storage.refreshTokens.purgeExpired(Date.now() + 2 * 86_400_000)).toBe(1);
      expect(await storage.refreshTokens.get(live.hash)).toBeUndefined();
    });
  });

  describe('chat', () => {
    const hour = 3_600_000;
    const chatOf = (tournamentId: string, text: string, extra: Partial<NewChatMessage> = {}): NewChatMessage => ({
      tournamentId,
      providerId: 'p-chat',
      userName: 'desk@example.com',
      message: text,
      clientMsgId: randomUUID(),
      isAdmin: false,
      timestamp: Date.now(),
      ...extra,
    });

    it('stores a message with a new seq and returns it as it reads it back', async () => {
      const id = uid('t');
      const sent = chatOf(id, 'Court 3 is free – “quotes” 🎾', { providerAbbr: 'PC', tournamentName: 'Club Open' });
      const stored = await storage.chat.append(sent);
      expect(stored).toEqual({ ...sent, seq: expect.any(Number) });
      expect(Number.isSafeInteger(stored.seq) && stored.seq > 0).toBe(true);
      expect(await storage.chat.list({ tournamentId: id, since: 0, limit: 10, take: 'newest' })).toEqual([stored]);
      const bare = await storage.chat.append({
        tournamentId: id,
        userName: 'a@example.com',
        message: 'x',
        isAdmin: true,
        timestamp: Date.now(),
      });
      expect(
        await storage.chat.list({ tournamentId: id, since: 0, afterSeq: stored.seq, limit: 10, take: 'oldest' }),
      ).toEqual([bare]);
    });

    it('gives every message of concurrent senders its own seq, increasing per tournament in store order', async () => {
      const [a, b] = [uid('t'), uid('t')];
      const sent = await Promise.all(
        Array.from({ length: 30 }, (_, i) => storage.chat.append(chatOf(i % 2 ? a : b, `message ${i}`))),
      );
      const seqs = sent.map((m) => m.seq);
      expect(new Set(seqs).size).toBe(30);
      for (const id of [a, b]) {
        const listed = await storage.chat.list({ tournamentId: id, since: 0, limit: 100, take: 'oldest' });
        expect(listed).toHaveLength(15);
        expect(listed.every((m) => m.tournamentId === id)).toBe(true);
        expect(listed.map((m) => m.seq)).toEqual([...listed.map((m) => m.seq)].sort((x, y) => x - y));
        expect(new Set(listed.map((m) => m.message))).toEqual(
          new Set(sent.filter((m) => m.tournamentId === id).map((m) => m.message)),
        );
      }
    });

    it('lists by age, seq, provider and limit, oldest first, and every tournament when none is named', async () => {
      const id = uid('t');
      const now = Date.now();
      const old = await storage.chat.append(chatOf(id, 'old', { timestamp: now - 25 * hour }));
      const m1 = await storage.chat.append(chatOf(id, 'one', { timestamp: now - 2 * hour }));
      const other = await storage.chat.append(chatOf(id, 'other provider', { providerId: 'p-other' }));
      const m2 = await storage.chat.append(chatOf(id, 'two'));
      const m3 = await storage.chat.append(chatOf(id, 'three'));
      const day = now - 24 * hour;
      const list = (query: Partial<Parameters<Storage['chat']['list']>[0]>) =>
        storage.chat.list({ tournamentId: id, since: day, limit: 100, take: 'newest', ...query });

      expect(await list({})).toEqual([m1, other, m2, m3]);
      expect(await list({ since: 0 })).toEqual([old, m1, other, m2, m3]);
      expect(await list({ providerId: 'p-chat' })).toEqual([m1, m2, m3]);
      expect(await list({ limit: 2 })).toEqual([m2, m3]);
      expect(await list({ limit: 2, take: 'oldest' })).toEqual([m1, other]);
      expect(await list({ afterSeq: other.seq })).toEqual([m2, m3]);
      expect(await list({ afterSeq: m1.seq, providerId: 'p-chat', take: 'oldest', limit: 1 })).toEqual([m2]);
      expect(await list({ tournamentId: uid('none') })).toEqual([]);

      const everywhere = await storage.chat.list({ since: now - hour, limit: 1000, take: 'newest' });
      expect(everywhere.slice(-3)).toEqual([other, m2, m3]);
      expect(everywhere.map((m) => m.seq)).toEqual([...everywhere.map((m) => m.seq)].sort((x, y) => x - y));
      expect(everywhere.every((m) => m.timestamp >= now - hour)).toBe(true);
    });

    it('prunes older messages only and keeps giving new seqs after a prune and a reopen', async () => {
      const id = uid('t');
      const now = Date.now();
      await storage.chat.append(chatOf(id, 'gone', { timestamp: now - 30 * hour }));
      const kept = await storage.chat.append(chatOf(id, 'kept'));
      const pruned = await storage.chat.prune(now - 24 * hour);
      expect(pruned).toBeGreaterThanOrEqual(1);
      expect(await storage.chat.prune(now - 24 * hour)).toBe(0);
      expect(await storage.chat.list({ tournamentId: id, since: 0, limit: 10, take: 'oldest' })).toEqual([kept]);
      expect(await storage.chat.list({ since: 0, limit: 10_000, take: 'oldest' })).not.toContainEqual(
        expect.objectContaining({ message: 'gone', tournamentId: id }),
      );

      await storage.close();
      storage = await open();
      expect(await storage.chat.list({ tournamentId: id, since: 0, limit: 10, take: 'oldest' })).toEqual([kept]);
      const next = await storage.chat.append(chatOf(id, 'after reopen'));
      expect(next.seq).toBeGreaterThan(kept.seq);
    });
  });

  describe('open and close', () => {
    it('answers ping while open and not after close', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
      await storage.close();
      await expect(storage.ping()).rejects.toThrow();
      storage = await open();
      await expect(storage.ping()).resolves.toBeUndefined();
    });

    it('keeps every entity across a close and a reopen', async () => {
      const [id, email, code] = [uid('t'), `${uid('keep')}@example.org`, uid('code')];
      const provider = providerOf(uid('keep').slice(0, 20));
      await commitVersions(storage, id, 2, provider.organisationId);
      await storage.users.create(userOf(email, provider.organisationId));
      await storage.providers.create(provider);
      await storage.calendars.upsert(entryOf(id, provider.organisationId));
      await storage.codes.put('invite', code, { kept: true }, Date.now() + 60_000);
      await storage.close();

      storage = await open();
      expect(await storage.tournaments.get(id)).toMatchObject({ version: 2, providerId: provider.organisationId });
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([1, 2]);
      expect((await storage.log.findByAckId(id, 'ack-1'))?.version).toBe(1);
      expect(await storage.users.get(email)).toMatchObject({ email });
      expect(await storage.providers.getByAbbreviation(provider.organisationAbbreviation)).toEqual(provider);
      expect(await storage.calendars.listByProvider(provider.organisationId)).toEqual([
        entryOf(id, provider.organisationId),
      ]);
      expect(await storage.codes.take('invite', code)).toEqual({ kept: true });
      await storage.tournaments.commit([writeOf(id, 3)]);
      expect(await storage.tournaments.getVersion(id)).toBe(3);
    });
  });

  describe('restore (imports)', () => {
    function restoredOf(id: string, version: number, providerId?: string) {
      const write = writeOf(id, version, { providerId });
      return {
        tournament: { tournamentId: id, providerId, version, json: write.json, updatedAt: '2025-03-04T05:06:07.089Z' },
        log: [2, 4, 5].map((v) => ({
          ...writeOf(id, v, { ackId: `ack-${v}` }).log,
          overrides: v === 5 ? [3] : undefined,
        })),
      };
    }

    it('writes a record at its version and commit time with its log, and later commits continue from it', async () => {
      const id = uid('t');
      const { tournament, log } = restoredOf(id, 5, 'p-restore');
      log[2]!.changes = { matchUpIds: ['m1'] };
      await storage.tournaments.restore(tournament, log);
      expect(await storage.tournaments.get(id)).toMatchObject({
        version: 5,
        providerId: 'p-restore',
        updatedAt: '2025-03-04T05:06:07.089Z',
        bytes: tournament.json.length,
        record: JSON.parse(tournament.json),
      });
      expect(await storage.log.since(id, 0)).toEqual(log.map((entry) => JSON.parse(JSON.stringify(entry))));
      expect(await storage.log.firstVersion(id)).toBe(2);
      expect((await storage.log.findByAckId(id, 'ack-4'))?.version).toBe(4);
      expect(await storage.tournaments.list({ providerId: 'p-restore' })).toContainEqual(
        expect.objectContaining({ tournamentId: id, version: 5 }),
      );
      await expect(storage.tournaments.commit([writeOf(id, 6, { ackId: 'ack-4' })])).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
      await storage.tournaments.commit([writeOf(id, 6, { ackId: 'ack-6' })]);
      expect(await storage.tournaments.getVersion(id)).toBe(6);
    });

    it('refuses an existing tournament and a log that is not its own, and writes nothing', async () => {
      const id = uid('t');
      await commitVersions(storage, id, 2);
      const { tournament, log } = restoredOf(id, 5);
      await expect(storage.tournaments.restore(tournament, log)).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await storage.tournaments.getVersion(id)).toBe(2);
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([1, 2]);

      const fresh = uid('t');
      const bad = restoredOf(fresh, 5);
      const cases = [
        [bad.log[0]!, { ...bad.log[0]!, version: 3, tournamentId: 'other' }],
        [bad.log[1]!, bad.log[0]!],
        [{ ...bad.log[0]!, version: 6 }],
        [bad.log[0]!, { ...bad.log[1]!, ackId: bad.log[0]!.ackId }],
      ];
      for (const entries of cases) {
        await expect(storage.tournaments.restore(bad.tournament, entries)).rejects.toThrow();
      }
      expect(await storage.tournaments.get(fresh)).toBeUndefined();
      expect(await storage.log.since(fresh, 0)).toEqual([]);
    });

    it('restores a tournament with an empty log and one with a long log', async () => {
      const empty = uid('t');
      await storage.tournaments.restore(restoredOf(empty, 1).tournament, []);
      expect(await storage.tournaments.getVersion(empty)).toBe(1);
      expect(await storage.log.firstVersion(empty)).toBeUndefined();

      const long = uid('t');
      const entries = Array.from({ length: 1200 }, (_, index) => writeOf(long, index + 1, { ackId: `a${index}` }).log);
      await storage.tournaments.restore(restoredOf(long, 1200).tournament, entries);
      expect((await storage.log.since(long, 1195)).map((entry) => entry.version)).toEqual([
        1196, 1197, 1198, 1199, 1200,
      ]);
      expect((await storage.log.findByAckId(long, 'a700'))?.version).toBe(701);
    });
  });
}

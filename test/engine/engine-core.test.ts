import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EngineCore, HostMissError } from '../../src/engine/host/engine-core';
import type { Load, ReadReply, RunReply, RunRequest } from '../../src/engine/host/protocol';
import { installEngineState } from '../../src/engine/engine-state';
import { ENGINE_VERSION } from '../../src/engine/replay';
import type { MutationLogEntry } from '../../src/storage/storage.types';
import { mockTournament, testProvider } from '../support/records';

installEngineState();

/** The engine host's rules, on the main thread (the worker runs the same class). */
describe('EngineCore', () => {
  const provider = testProvider();

  function stored(): { id: string; load: Load } {
    const record = mockTournament(provider);
    const id = record.tournamentId;
    const snapshot = JSON.stringify(record);
    const at = new Date().toISOString();
    const load: Load = {
      kind: 'stored',
      stored: {
        tournamentId: id,
        version: 1,
        updatedAt: at,
        snapshotVersion: 1,
        snapshot,
        bytes: snapshot.length,
        tail: [],
      },
    };
    return { id, load };
  }

  const addPlayer = (id: string, name: string) => ({
    method: 'addParticipants',
    params: {
      tournamentId: id,
      participants: [
        {
          participantId: randomUUID(),
          participantType: 'INDIVIDUAL',
          participantRole: 'COMPETITOR',
          participantName: name,
          person: { personId: randomUUID(), standardFamilyName: name, standardGivenName: 'T' },
        },
      ],
    },
  });

  /** A run from `version`, named by that version unless `key` says otherwise. */
  function run(id: string, version: number, methods: unknown[], load?: Load, key = version): RunRequest {
    return {
      ...{ type: 'run', key, tournamentIds: [id], versions: { [id]: version }, loads: load ? { [id]: load } : {} },
      ...{ directives: JSON.stringify(methods), seed: 7, at: Date.now(), targets: {}, json: [] },
    };
  }

  const names = (json: string) =>
    ((JSON.parse(json) as { participants?: Array<{ participantName: string }> }).participants ?? []).map(
      (participant) => participant.participantName,
    );

  it('answers a read of a tournament whose batch is running only after the batch settles, from the new version', async () => {
    const core = new EngineCore();
    const { id, load } = stored();
    const reply = core.handle(run(id, 1, [addPlayer(id, 'Pending')], load)) as RunReply;
    expect(reply.ok).toBe(true);
    const read = core.handle({ type: 'read', tournamentId: id, keep: true, read: { op: 'json' } });
    expect(read).toBeInstanceOf(Promise);
    let answered = false;
    void (read as Promise<unknown>).then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    core.handle({ type: 'settle', key: 1, tournamentIds: [id], committed: { [id]: 2 }, at: new Date().toISOString() });
    const settled = (await read) as ReadReply<string>;
    expect(settled.version).toBe(2);
    expect(names(settled.value)).toContain('Pending');
  });

  it('drops the records of a failed batch, and of a batch that was not committed', () => {
    const core = new EngineCore();
    const { id, load } = stored();
    const failed = core.handle(run(id, 1, [addPlayer(id, 'A'), { method: 'setMatchUpStatus', params: {} }], load));
    expect((failed as RunReply).ok).toBe(false);
    expect(core.size).toBe(0);

    expect((core.handle(run(id, 1, [addPlayer(id, 'B')], load)) as RunReply).ok).toBe(true);
    core.handle({ type: 'settle', key: 1, tournamentIds: [id] });
    expect(core.size).toBe(0);
    // Sent again from storage, it runs on the stored version: nothing of B is there.
    expect(() => core.handle(run(id, 1, [addPlayer(id, 'C')]))).toThrow(HostMissError);
  });

  it('replays only the part of a log tail it lacks, and answers a miss below the version asked for', () => {
    const core = new EngineCore();
    const { id, load } = stored();
    // Entries 2 and 3, as another host committed them.
    const other = new EngineCore();
    const entries: MutationLogEntry[] = [];
    for (const version of [2, 3]) {
      const at = Date.now() + version;
      const methods = [addPlayer(id, `Tail ${version}`)];
      const reply = other.handle({ ...run(id, version - 1, methods, version === 2 ? load : undefined), at });
      expect((reply as RunReply).ok).toBe(true);
      other.handle({ type: 'settle', key: version - 1, tournamentIds: [id], committed: { [id]: version } });
      entries.push({
        ...{ tournamentId: id, version, methods, userId: 'u', at: new Date(at).toISOString(), kind: 'mutation' },
        ...{ seed: 7, engine: ENGINE_VERSION },
      });
    }
    const read = (tail: MutationLogEntry[], atLeast?: number) =>
      core.handle({
        ...{ type: 'read', tournamentId: id, keep: true, read: { op: 'json' }, atLeast },
        load: { kind: 'tail', from: 1, entries: tail },
      }) as ReadReply<string>;
    core.handle({ type: 'read', tournamentId: id, keep: true, read: { op: 'json' }, load });
    expect(read(entries.slice(0, 1)).version).toBe(2);
    // A tail from version 1 again: entry 2 is not applied twice.
    const both = read(entries);
    expect(both.version).toBe(3);
    expect(names(both.value).filter((name) => name.startsWith('Tail'))).toEqual(['Tail 2', 'Tail 3']);
    expect(() => core.handle({ type: 'read', tournamentId: id, keep: true, read: { op: 'json' }, atLeast: 4 })).toThrow(
      HostMissError,
    );
  });

  it('verifies the held record only against a stored head at its version: a commit that raced the check verifies later', () => {
    const core = new EngineCore();
    const { id, load } = stored();
    const methods = [addPlayer(id, 'Checked')];
    const at = Date.now();
    expect((core.handle({ ...run(id, 1, methods, load), at }) as RunReply).ok).toBe(true);
    core.handle({ type: 'settle', key: 1, tournamentIds: [id], committed: { [id]: 2 } });
    const entry: MutationLogEntry = {
      ...{ tournamentId: id, version: 2, methods, userId: 'u', at: new Date(at).toISOString(), kind: 'mutation' },
      ...{ seed: 7, engine: ENGINE_VERSION },
    };
    const verify = (head: number, tail: MutationLogEntry[]) =>
      core.handle({
        ...{ type: 'read', tournamentId: id, keep: true },
        read: {
          op: 'verify',
          above: 1,
          stored: load.kind === 'stored' ? { ...load.stored, version: head, tail } : undefined,
        },
      }) as ReadReply<{ same?: boolean; json: string } | undefined>;
    // The store's head still at 1: the append of 2 is under way, so there is nothing to compare yet.
    expect(verify(1, []).value).toBeUndefined();
    expect(verify(2, [entry]).value).toMatchObject({ same: true });
    // A log that does not give the held record is a mismatch.
    const other = { ...entry, methods: [addPlayer(id, 'Someone else')] };
    expect(verify(2, [other]).value).toMatchObject({ same: false });
  });

  describe('runs that continue a run not yet settled (pipelining)', () => {
    const json = (core: EngineCore, id: string) =>
      core.handle({ type: 'read', tournamentId: id, keep: true, read: { op: 'json' } }) as
        ReadReply<string> | Promise<ReadReply<string>>;
    const settle = (core: EngineCore, id: string, key: number, version?: number) =>
      core.handle({ type: 'settle', key, tournamentIds: [id], committed: version ? { [id]: version } : {} });

    it('keeps both when both commit; a read waits for the last settle and sees both', async () => {
      const core = new EngineCore();
      const { id, load } = stored();
      expect((core.handle(run(id, 1, [addPlayer(id, 'First')], load, 10)) as RunReply).ok).toBe(true);
      const second = core.handle({ ...run(id, 2, [addPlayer(id, 'Second')], undefined, 11), after: 10 }) as RunReply;
      expect(second.ok).toBe(true);
      const read = json(core, id);
      expect(read).toBeInstanceOf(Promise);
      let answered = false;
      void (read as Promise<unknown>).then(() => (answered = true));
      settle(core, id, 10, 2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(answered).toBe(false);
      settle(core, id, 11, 3);
      const reply = await read;
      expect(reply.version).toBe(3);
      expect(names(reply.value)).toEqual(expect.arrayContaining(['First', 'Second']));
    });

    it('drops the record when the run it continued is not committed, whatever the later settles say', async () => {
      const core = new EngineCore();
      const { id, load } = stored();
      core.handle(run(id, 1, [addPlayer(id, 'Lost')], load, 20));
      core.handle({ ...run(id, 2, [addPlayer(id, 'On lost')], undefined, 21), after: 20 });
      const read = json(core, id) as Promise<ReadReply<string>>;
      settle(core, id, 20);
      settle(core, id, 21, 3);
      expect(core.size).toBe(0);
      // The read asks again and misses: the executor then reads from storage.
      await expect(read).rejects.toThrow(HostMissError);
      // From storage again, a new run is clean.
      expect((core.handle(run(id, 1, [addPlayer(id, 'Again')], load, 22)) as RunReply).ok).toBe(true);
      settle(core, id, 22, 2);
      const reply = (await json(core, id)) as ReadReply<string>;
      expect(names(reply.value)).toContain('Again');
      expect(names(reply.value)).not.toContain('Lost');
      expect(names(reply.value)).not.toContain('On lost');
    });

    it('continues only the last run of the record, and a failed continuing run drops the chain', () => {
      const core = new EngineCore();
      const { id, load } = stored();
      core.handle(run(id, 1, [addPlayer(id, 'A')], load, 30));
      // Not the last run, or no `after`: refused, and the running record stays as it was.
      expect(() => core.handle({ ...run(id, 2, [addPlayer(id, 'B')], undefined, 31), after: 29 })).toThrow(
        HostMissError,
      );
      expect(() => core.handle(run(id, 2, [addPlayer(id, 'B')], undefined, 31))).toThrow(HostMissError);
      const failed = core.handle({
        ...run(id, 2, [addPlayer(id, 'C'), { method: 'setMatchUpStatus', params: {} }], undefined, 32),
        after: 30,
      }) as RunReply;
      expect(failed.ok).toBe(false);
      // Committed in storage, but the record here holds half of the failed run: not kept.
      settle(core, id, 30, 2);
      expect(core.size).toBe(0);
    });

    it("a run from storage replaces a dropped chain; the chain's late settles change nothing", async () => {
      const core = new EngineCore();
      const { id, load } = stored();
      core.handle(run(id, 1, [addPlayer(id, 'Old')], load, 40));
      core.handle({ ...run(id, 2, [addPlayer(id, 'Old next')], undefined, 41), after: 40 });
      settle(core, id, 40); // the first commit failed: the chain is dropped, 41 not yet settled
      expect((core.handle(run(id, 1, [addPlayer(id, 'New')], load, 42)) as RunReply).ok).toBe(true);
      settle(core, id, 41, 3);
      settle(core, id, 42, 2);
      const reply = (await json(core, id)) as ReadReply<string>;
      expect(reply.version).toBe(2);
      expect(names(reply.value)).toContain('New');
      expect(names(reply.value)).not.toContain('Old');
    });
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { globalState, tournamentEngine } from 'tods-competition-factory';
import { beforeAll, describe, expect, it } from 'vitest';
import { MUTATION_METHODS, QUERY_METHODS } from '../../src/engine/engine-methods.generated';
import { installEngineState, runInEngineContext } from '../../src/engine/engine-state';
import { runDirectives } from '../../src/engine/run-directives';
import { mockTournament } from '../support/records';

const engine = tournamentEngine as unknown as Record<string, (params?: unknown) => any>;

describe('engine state isolation', () => {
  beforeAll(() => installEngineState());

  it('keeps two contexts apart when they interleave across awaits', async () => {
    const a = mockTournament();
    const b = mockTournament();
    const order: string[] = [];
    // Each context sets its records, yields, then renames "the active tournament" (no id given).
    const rename = (record: typeof a, name: string, delay: number) =>
      runInEngineContext({ [record.tournamentId]: record }, async () => {
        order.push(`start ${name}`);
        await sleep(delay);
        const result = engine.setTournamentName({ tournamentName: name });
        order.push(`end ${name}`);
        return result;
      });
    const [ra, rb] = await Promise.all([rename(a, 'Renamed A', 30), rename(b, 'Renamed B', 5)]);
    expect(order).toEqual(['start Renamed A', 'start Renamed B', 'end Renamed B', 'end Renamed A']);
    expect(ra.success && rb.success).toBe(true);
    expect(a.tournamentName).toBe('Renamed A');
    expect(b.tournamentName).toBe('Renamed B');
  });

  it('sees no records outside a context and refuses to set any', () => {
    expect(globalState.getTournamentRecords()).toEqual({});
    expect(() => globalState.setTournamentRecords({})).toThrow(/outside runInEngineContext/);
  });

  it('does not let the notices of a failed batch reach the next one', () => {
    const record = mockTournament();
    const id = record.tournamentId;
    const failed = runDirectives({ [id]: record }, [
      { method: 'setTournamentName', params: { tournamentName: 'Half applied' } },
      { method: 'setMatchUpStatus', params: { matchUpId: 'nope', drawId: 'nope' } },
    ]);
    expect(failed.success).toBe(false);
    // Same tournament id again: a leaked rename notice would show up under it.
    const next = runDirectives({ [id]: record }, [{ method: 'addEvent', params: { event: { eventName: 'E' } } }]);
    expect(next.success).toBe(true);
    expect(next.success && next.changes[id].topics).toContain('addEvent');
    expect(next.success && next.changes[id].topics).not.toContain('modifyTournamentDetail');
  });

  it('reports which events and draws a score changed', () => {
    const record = mockTournament();
    const id = record.tournamentId;
    const { matchUps } = runInEngineContext({ [id]: record }, () => engine.allTournamentMatchUps({ inContext: true }));
    const target = matchUps.find((m: any) => m.readyToScore);
    const outcome = runDirectives({ [id]: record }, [
      {
        method: 'setMatchUpStatus',
        params: { drawId: target.drawId, matchUpId: target.matchUpId, outcome: { winningSide: 1 } },
      },
    ]);
    expect(outcome.success).toBe(true);
    if (!outcome.success) return;
    expect(outcome.changes[id].topics).toContain('modifyMatchUp');
    expect(outcome.changes[id].eventIds).toEqual([target.eventId]);
    expect(outcome.changes[id].drawIds).toEqual([target.drawId]);
  });

  it('exposes only allow-listed mutation methods to executionQueue', () => {
    const record = mockTournament();
    for (const method of [
      'reset',
      'setState',
      'importMethods',
      'devContext',
      'generateTournamentRecord',
      'getEventData',
    ]) {
      const outcome = runDirectives({ [record.tournamentId]: record }, [{ method }]);
      expect(outcome).toMatchObject({ success: false, error: { code: 'ERR_NOT_FOUND_METHOD' } });
    }
  });
});

describe('engine method lists', () => {
  it('match what the installed engine exports (run scripts/generate-engine-methods.mjs after an upgrade)', async () => {
    // @ts-expect-error plain ESM script without types
    const { engineMethodNames } = await import('../../scripts/generate-engine-methods.mjs');
    const { mutations, queries } = engineMethodNames();
    expect([...MUTATION_METHODS]).toEqual(mutations);
    expect([...QUERY_METHODS]).toEqual(queries);
  });

  it('never allow state switches, imports or mock generators', () => {
    for (const name of ['reset', 'setState', 'importMethods', 'devContext', 'setDevContext', 'newTournamentRecord']) {
      expect(MUTATION_METHODS).not.toContain(name);
      expect(QUERY_METHODS).not.toContain(name);
    }
    expect(MUTATION_METHODS).not.toContain('modifyTournamentRecord');
    expect(MUTATION_METHODS).toContain('setMatchUpStatus');
  });
});

import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { expect } from 'vitest';
import { runDeterministic } from '../../src/engine/deterministic';
import { ENGINE_VERSION, replayEntries } from '../../src/engine/replay';
import { runDirectives } from '../../src/engine/run-directives';
import type { Directive, MutationLogEntry, TournamentRecord } from '../../src/storage/storage.types';
import { runQuery } from '../../src/tournaments/record-queries';

/** 2026-12-01 08:00 UTC, the first commit time of every live tournament in these tests. */
export const FIRST_COMMIT_AT = Date.parse('2026-12-01T08:00:00.000Z');

/** Seeded choices for tests (pure-rand's xoroshiro128+, the generator batches run with): same seed, same choices. */
export function seededChooser(seed: number) {
  const generator = xoroshiro128plus(seed >>> 0);
  const int = (below: number): number => unsafeUniformIntDistribution(0, below - 1, generator);
  const next = (): number => int(2 ** 30) / 2 ** 30;
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)],
    chance: (p: number): boolean => next() < p,
    uint32: (): number => unsafeUniformIntDistribution(0, 2 ** 32 - 1, generator),
  };
}

export type Chooser = ReturnType<typeof seededChooser>;

/**
 * A tournament record held the way the executor holds a hot record: one object that every batch
 * changes in place and that is never re-parsed, each batch run with its own seed and frozen clock
 * and logged as a `mutation` entry with those replay inputs.
 */
export class LiveTournament {
  readonly log: MutationLogEntry[] = [];
  private readonly choices: Chooser;
  private at: number;

  constructor(
    public record: TournamentRecord,
    { seed = 1, at = FIRST_COMMIT_AT }: { seed?: number; at?: number } = {},
  ) {
    this.choices = seededChooser(seed);
    this.at = at;
  }

  get tournamentId(): string {
    return this.record.tournamentId;
  }

  get version(): number {
    return this.log.length;
  }

  /** The stored form of the record now (what a snapshot writes). */
  snapshot(): string {
    return JSON.stringify(this.record);
  }

  /**
   * Runs one batch as the executor does: a fresh copy of the directives, a new seed and a commit
   * time after the previous one, the engine on the hot record. Logs it and answers the engine's
   * outcome; a failed batch is not logged (the caller must drop the record, as the executor does).
   */
  tryCommit(methods: Directive[], { seed = this.choices.uint32() }: { seed?: number } = {}) {
    this.at += 1_000 + this.choices.int(120_000);
    const at = this.at;
    const sent = JSON.parse(JSON.stringify(methods)) as Directive[];
    const outcome = runDeterministic({ seed, at }, () => runDirectives({ [this.tournamentId]: this.record }, sent));
    if (outcome.success) {
      this.log.push({
        tournamentId: this.tournamentId,
        version: this.log.length + 1,
        kind: 'mutation',
        methods: JSON.parse(JSON.stringify(methods)) as Directive[],
        seed,
        at: new Date(at).toISOString(),
        engine: ENGINE_VERSION,
        userId: 'desk@example.com',
      });
    }
    return outcome;
  }

  /** Like `tryCommit`, for batches that must succeed: a refusal fails the test with the engine's error. */
  commit(methods: Directive[], options?: { seed?: number }): unknown[] {
    const outcome = this.tryCommit(methods, options);
    if (!outcome.success) {
      throw new Error(`batch ${methods.map((m) => m.method).join(', ')} refused: ${JSON.stringify(outcome.error)}`);
    }
    return outcome.results;
  }

  /** Runs a read-only engine method on a copy (queries never touch the hot record, as on the server). */
  query<T = Record<string, any>>(method: string, params: Record<string, unknown> = {}): T {
    const copy = JSON.parse(this.snapshot()) as TournamentRecord;
    return runQuery({ [this.tournamentId]: copy }, method, params) as T;
  }
}

/** How a replay compares with the live record. */
export interface ReplayComparison {
  /** Same JSON text: what a hash of the record (the idle verifier) sees as equal. */
  identical: boolean;
  /** Same values, key order aside: what any reader of the record sees as equal. */
  sameContent: boolean;
  /** The first differing path, with both values, when not identical. */
  difference?: string;
}

/** Replays `entries` on the record parsed from `snapshot` and compares the result with `live`. */
export function compareReplay(snapshot: string, entries: MutationLogEntry[], live: TournamentRecord): ReplayComparison {
  const replayed = JSON.stringify(replayEntries(JSON.parse(snapshot) as TournamentRecord, entries));
  const expected = JSON.stringify(live);
  if (replayed === expected) return { identical: true, sameContent: true };
  const [a, b] = [JSON.parse(expected) as unknown, JSON.parse(replayed) as unknown];
  return {
    identical: false,
    sameContent: canonicalJson(a) === canonicalJson(b),
    difference: firstDifference(a, b),
  };
}

/**
 * Expects the replay of `entries` on the record parsed from `snapshot` to give the JSON of `live`
 * exactly (the default), or, with `keyOrder: 'ignored'`, the same values in whatever key order. A
 * failure names the first differing path, with both values.
 */
export function expectReplayToRebuild(
  snapshot: string,
  entries: MutationLogEntry[],
  live: TournamentRecord,
  { keyOrder = 'exact' }: { keyOrder?: 'exact' | 'ignored' } = {},
): void {
  const result = compareReplay(snapshot, entries, live);
  const versions = entries.length
    ? `versions ${entries[0].version}–${entries[entries.length - 1].version}`
    : 'no entries';
  const what = result.sameContent ? 'key order only' : 'content';
  if (!result.identical && (keyOrder === 'exact' || !result.sameContent)) {
    expect.fail(`replay of ${versions} differs from the live record (${what}): ${result.difference}`);
  }
}

/** JSON with every object's keys sorted: equal for equal values, whatever order their keys were set in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** Where two JSON values first differ: a path and both values, or undefined when they are equal. */
export function firstDifference(live: unknown, replayed: unknown, path = '$'): string | undefined {
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  };
  const kind = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);
  if (kind(live) !== kind(replayed)) return `${path}: live ${show(live)}, replayed ${show(replayed)}`;
  if (Array.isArray(live)) {
    const other = replayed as unknown[];
    for (let i = 0; i < Math.min(live.length, other.length); i++) {
      const found = firstDifference(live[i], other[i], `${path}[${i}]`);
      if (found) return found;
    }
    if (live.length !== other.length) return `${path}: live has ${live.length} items, replayed ${other.length}`;
    return undefined;
  }
  if (kind(live) === 'object') {
    const a = live as Record<string, unknown>;
    const b = replayed as Record<string, unknown>;
    for (const key of Object.keys(a)) {
      if (!(key in b)) return `${path}.${key}: live ${show(a[key])}, missing from the replay`;
      const found = firstDifference(a[key], b[key], `${path}.${key}`);
      if (found) return found;
    }
    for (const key of Object.keys(b)) if (!(key in a)) return `${path}.${key}: only in the replay, ${show(b[key])}`;
    const order = (o: Record<string, unknown>) => Object.keys(o).join(',');
    if (order(a) !== order(b)) return `${path}: same keys in another order: live [${order(a)}], replayed [${order(b)}]`;
    return undefined;
  }
  return live === replayed ? undefined : `${path}: live ${show(live)}, replayed ${show(replayed)}`;
}

/**
 * Commits a batch and checks at once that its log entry, replayed on the snapshot taken just
 * before it, rebuilds the live record (what loading from the previous snapshot does).
 */
export function commitAndExpectReplay(
  live: LiveTournament,
  methods: Directive[],
  options: { seed?: number; keyOrder?: 'exact' | 'ignored' } = {},
) {
  const before = live.snapshot();
  const from = live.log.length;
  const results = live.commit(methods, options);
  expectReplayToRebuild(before, live.log.slice(from), live.record, options);
  return results;
}

/**
 * What in a live record a JSON round trip would not keep: keys holding `undefined` (dropped), array
 * holes or `undefined` items (become null), non-finite numbers (null), objects that are not plain
 * (Dates become strings), and objects reachable by two paths (become two copies). Paths, by kind.
 */
export function jsonHazards(
  record: unknown,
): Record<'undefinedKeys' | 'undefinedItems' | 'nonFinite' | 'notPlain' | 'shared', string[]> {
  const found = {
    undefinedKeys: [] as string[],
    undefinedItems: [] as string[],
    nonFinite: [] as string[],
    notPlain: [] as string[],
    shared: [] as string[],
  };
  const seen = new Map<object, string>();
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'number' && !Number.isFinite(value)) found.nonFinite.push(path);
    if (!value || typeof value !== 'object') return;
    const first = seen.get(value);
    if (first !== undefined) {
      found.shared.push(`${path} is ${first}`);
      return;
    }
    seen.set(value, path);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (value[i] === undefined) found.undefinedItems.push(`${path}[${i}]`);
        else visit(value[i], `${path}[${i}]`);
      }
      return;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) found.notPlain.push(`${path} (${value.constructor?.name})`);
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) found.undefinedKeys.push(`${path}.${key}`);
      else visit(item, `${path}.${key}`);
    }
  };
  visit(record, '$');
  return found;
}

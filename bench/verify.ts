import { postOk } from './http';

/** What the bench sent to one tournament: every batch with its ackId and what its ack said. */
export interface SentBatch {
  ackId: string;
  ok: boolean;
  version?: number;
  /** No answer (timeout, connection lost): may or may not have been applied. */
  unanswered?: boolean;
}

/** The log against the acks, for one or more tournaments. Every count must be 0. */
export interface LogCheck {
  tournaments: number;
  acked: number;
  logged: number;
  /** Acked batches missing from the log. */
  lost: number;
  /** ackIds appearing more than once in the log. */
  duplicated: number;
  /** Acked version differs from the version the log gives that ackId. */
  versionMismatch: number;
  /** Missing versions between 1 and the stored version. */
  versionGaps: number;
  /** Batches answered with an error that are nevertheless in the log. */
  failedButLogged: number;
  /** Log entries of mutations the bench did not send. */
  unexpected: number;
  ok: boolean;
}

interface HistoryEntry {
  version: number;
  ackId?: string;
  kind?: string;
}

/** Reads a tournament's whole log (`/factory/history`, paged). */
export async function readLog(url: string, token: string, tournamentId: string) {
  const entries: HistoryEntry[] = [];
  for (let since = 0; ;) {
    const page = await postOk<{ entries: HistoryEntry[]; version: number }>(
      `${url}/factory/history`,
      { tournamentId, sinceVersion: since, limit: 10_000 },
      token,
    );
    entries.push(...page.entries);
    if (page.entries.length < 10_000) return { entries, version: page.version };
    since = page.entries[page.entries.length - 1].version;
  }
}

/**
 * Checks that no batch was lost or applied twice: each acked ackId is in the log exactly once at
 * the version its ack gave, no failed batch is in it, nothing else wrote, and the versions run
 * from 1 to the stored version without a gap.
 */
export async function checkLogs(url: string, token: string, sent: Map<string, SentBatch[]>): Promise<LogCheck> {
  const check: LogCheck = {
    ...{ tournaments: sent.size, acked: 0, logged: 0, lost: 0, duplicated: 0, versionMismatch: 0 },
    ...{ versionGaps: 0, failedButLogged: 0, unexpected: 0, ok: false },
  };
  for (const [tournamentId, batches] of sent) {
    const { entries, version } = await readLog(url, token, tournamentId);
    const byAckId = new Map<string, HistoryEntry[]>();
    for (const entry of entries) {
      if (entry.kind === 'save' || !entry.ackId) continue;
      const list = byAckId.get(entry.ackId) ?? [];
      list.push(entry);
      byAckId.set(entry.ackId, list);
    }
    const versions = new Set(entries.map((entry) => entry.version));
    for (let v = 1; v <= version; v++) if (!versions.has(v)) check.versionGaps++;
    check.logged += entries.filter((entry) => entry.kind !== 'save').length;
    const known = new Set<string>();
    for (const batch of batches) {
      known.add(batch.ackId);
      const logged = byAckId.get(batch.ackId) ?? [];
      if (logged.length > 1) check.duplicated++;
      if (batch.ok) {
        check.acked++;
        if (!logged.length) check.lost++;
        else if (logged[0].version !== batch.version) check.versionMismatch++;
      } else if (logged.length && !batch.unanswered) check.failedButLogged++;
    }
    for (const entry of entries) {
      if (entry.kind !== 'save' && (!entry.ackId || !known.has(entry.ackId))) check.unexpected++;
    }
  }
  check.ok =
    check.lost +
      check.duplicated +
      check.versionMismatch +
      check.versionGaps +
      check.failedButLogged +
      check.unexpected ===
    0;
  return check;
}

/** Broadcasts against the commits: each desk in a room hears every other desk's batch once. */
export interface BroadcastCheck {
  expected: number;
  received: number;
  missing: number;
  duplicated: number;
  ok: boolean;
}

/**
 * `listeners`: per desk, the tournaments it joined (with the version at join), its own acked
 * versions, and the broadcast versions it received. Expected: every acked version of that
 * tournament after the join that is not the desk's own.
 */
export function checkBroadcasts(
  listeners: Array<{ tournamentId: string; joinedAt: number; own: Set<number>; received: number[] }>,
  ackedVersions: Map<string, number[]>,
): BroadcastCheck {
  const result: BroadcastCheck = { expected: 0, received: 0, missing: 0, duplicated: 0, ok: false };
  for (const listener of listeners) {
    const expected = (ackedVersions.get(listener.tournamentId) ?? []).filter(
      (version) => version > listener.joinedAt && !listener.own.has(version),
    );
    const counts = new Map<number, number>();
    for (const version of listener.received) counts.set(version, (counts.get(version) ?? 0) + 1);
    result.expected += expected.length;
    result.received += listener.received.length;
    for (const version of expected) if (!counts.has(version)) result.missing++;
    for (const count of counts.values()) if (count > 1) result.duplicated += count - 1;
  }
  result.ok = result.missing === 0 && result.duplicated === 0;
  return result;
}

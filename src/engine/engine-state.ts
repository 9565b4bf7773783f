import { AsyncLocalStorage } from 'node:async_hooks';
import { globalState } from 'tods-competition-factory';
import type { TournamentRecord } from '../storage/storage.types';
import { MUTATION_METHODS } from './engine-methods.generated';

type Method = (params: Record<string, unknown>) => unknown;
type Notice = { topic: string; payload: unknown; key?: string };

/** Engine state that belongs to one request: its records, notices and the topics it listens to. */
interface RequestState {
  tournamentId?: string;
  tournamentRecords: Record<string, TournamentRecord>;
  subscriptions: Record<string, (payloads: unknown[]) => void>;
  notices: Notice[];
  modified: boolean;
  notificationsDisabled: boolean;
}

const context = new AsyncLocalStorage<RequestState>();
const EMPTY: Record<string, TournamentRecord> = Object.freeze({}) as Record<string, TournamentRecord>;

function current(): RequestState | undefined {
  return context.getStore();
}

function required(action: string): RequestState {
  const state = context.getStore();
  // Outside a request context there is no state to write to: refusing beats silently sharing.
  if (!state) throw new Error(`engine ${action} outside runInEngineContext()`);
  return state;
}

/**
 * The engine's module-level state (records, active tournament, notices, subscriptions) lives in a
 * state provider. This one keeps it per async context, so concurrent requests never see each
 * other's records, and exposes only the allow-listed mutation methods to `executionQueue`.
 */
function createProvider(methods: Record<string, Method>) {
  return {
    getMethods: () => methods,
    // Method registration after start-up is refused: the allow-list is fixed at install time.
    setMethods: () => ({ error: { message: 'method registration is disabled', code: 'ERR_METHOD_NOT_ALLOWED' } }),
    getTournamentId: () => current()?.tournamentId,
    getTournamentRecord: (tournamentId: string) => current()?.tournamentRecords[tournamentId],
    getTournamentRecords: () => current()?.tournamentRecords ?? EMPTY,
    setTournamentRecord: (record: TournamentRecord) => {
      const state = required('setTournamentRecord');
      if (!record?.tournamentId)
        return { error: { message: 'Invalid tournamentRecord', code: 'ERR_INVALID_TOURNAMENT' } };
      state.tournamentRecords[record.tournamentId] = record;
      return { success: true };
    },
    setTournamentRecords: (records: Record<string, TournamentRecord>) => {
      const state = required('setTournamentRecords');
      state.tournamentRecords = records;
      const ids = Object.keys(records);
      state.tournamentId = ids.length === 1 ? ids[0] : ids.length ? state.tournamentId : undefined;
    },
    setTournamentId: (tournamentId?: string) => {
      const state = required('setTournamentId');
      if (tournamentId && !state.tournamentRecords[tournamentId]) {
        return { error: { message: 'Missing tournamentRecord', code: 'ERR_MISSING_TOURNAMENT' } };
      }
      state.tournamentId = tournamentId || undefined;
      return { success: true };
    },
    removeTournamentRecord: (tournamentId: string) => {
      const state = required('removeTournamentRecord');
      if (!state.tournamentRecords[tournamentId]) return { error: { message: 'Not found', code: 'ERR_NOT_FOUND' } };
      delete state.tournamentRecords[tournamentId];
      const ids = Object.keys(state.tournamentRecords);
      state.tournamentId = ids.length === 1 ? ids[0] : ids.length ? state.tournamentId : undefined;
      return { success: true };
    },
    setSubscriptions: ({ subscriptions }: { subscriptions: RequestState['subscriptions'] | null }) => {
      const state = required('setSubscriptions');
      state.subscriptions = { ...(subscriptions ?? {}) };
      return { success: true };
    },
    getTopics: () => ({ topics: Object.keys(current()?.subscriptions ?? {}) }),
    addNotice: ({ topic, payload, key }: Notice) => {
      const state = current();
      if (!state || typeof topic !== 'string' || typeof payload !== 'object') return;
      if (!state.notificationsDisabled) state.modified = true;
      if (state.notificationsDisabled || !state.subscriptions[topic]) return;
      // A keyed notice replaces an earlier one with the same key (the latest state of that item wins).
      if (key) state.notices = state.notices.filter((notice) => !(notice.topic === topic && notice.key === key));
      state.notices.push({ topic, payload, key });
      return { success: true };
    },
    getNotices: ({ topic }: { topic: string }) =>
      (current()?.notices ?? []).filter((notice) => notice.topic === topic).map((notice) => notice.payload),
    deleteNotices: () => {
      const state = current();
      if (state) state.notices = [];
    },
    deleteNotice: ({ topic, key }: { topic?: string; key?: string }) => {
      const state = current();
      if (state) state.notices = state.notices.filter((n) => !((!topic || n.topic === topic) && n.key === key));
    },
    callListener: ({ topic, payloads, notices }: { topic: string; payloads?: unknown[]; notices?: unknown[] }) => {
      current()?.subscriptions[topic]?.(payloads ?? notices ?? []);
    },
    cycleMutationStatus: () => {
      const state = current();
      const modified = !!state?.modified;
      if (state) state.modified = false;
      return modified;
    },
    disableNotifications: () => {
      const state = current();
      if (state) state.notificationsDisabled = true;
    },
    enableNotifications: () => {
      const state = current();
      if (state) state.notificationsDisabled = false;
    },
    // The engine's default handler prints the whole params object to stdout; keep records out of logs.
    handleCaughtError: ({ methodName, err }: { methodName: string; err: unknown }) => ({
      error: {
        message: err instanceof Error ? err.message : String(err),
        code: 'ERR_ENGINE_EXCEPTION',
        methodName,
      },
    }),
  };
}

let installed: { mutationMethods: ReadonlySet<string> } | undefined;

/**
 * Swaps the engine's process-wide state for the per-context provider. Idempotent. Must run before
 * any engine call; the server does it when the engine module loads.
 */
export function installEngineState(): { mutationMethods: ReadonlySet<string> } {
  if (installed) return installed;
  const registry = globalState.getMethods() as Record<string, Method>;
  const methods: Record<string, Method> = Object.create(null);
  for (const name of MUTATION_METHODS) {
    if (typeof registry[name] === 'function') methods[name] = registry[name];
  }
  globalState.setStateProvider(createProvider(methods) as never);
  installed = { mutationMethods: new Set(Object.keys(methods)) };
  return installed;
}

/**
 * Runs `work` with engine state of its own: `records` (used as they are, not copied) and the given
 * topic subscriptions. Nothing set inside is visible to any other context, even across awaits.
 */
export function runInEngineContext<T>(
  records: Record<string, TournamentRecord>,
  work: () => T,
  subscriptions: RequestState['subscriptions'] = {},
): T {
  installEngineState();
  const ids = Object.keys(records);
  const state: RequestState = {
    tournamentId: ids.length === 1 ? ids[0] : undefined,
    tournamentRecords: records,
    subscriptions,
    notices: [],
    modified: false,
    notificationsDisabled: false,
  };
  return context.run(state, work);
}

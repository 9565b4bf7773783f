import { CalendarService } from '../../src/providers/calendar.service';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { TournamentEvents, type CommittedEvent } from '../../src/tournaments/tournament-events';
import type { Backend } from './app';
import { openTestStorage, type TestStore } from './storage';

export interface ExecutorHarness extends TestStore {
  executor: MutationExecutor;
  events: TournamentEvents;
  /** Every committed event, in the order announced. */
  committed: CommittedEvent[];
}

/** The real executor over a fresh real store, without HTTP around it. */
export async function executorHarness(backend: Backend, env: Record<string, string> = {}): Promise<ExecutorHarness> {
  const store = await openTestStorage(backend, env);
  const events = new TournamentEvents();
  const committed: CommittedEvent[] = [];
  events.onCommitted((event) => committed.push(event));
  const executor = new MutationExecutor(store.config, store.storage, events, new CalendarService(store.storage));
  return { ...store, executor, events, committed };
}

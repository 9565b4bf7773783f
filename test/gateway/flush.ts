import type { Directive } from '../../src/storage/storage.types';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import type { TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testUser, type TestProvider } from '../support/records';
import type { Socket } from '../support/sockets';

/** What a desk flushing its offline queue sends (the suites of the desk queue). */
export interface Batch {
  ackId: string;
  methods: Directive[];
}

export async function saveTournament(t: TestApp, provider: TestProvider): Promise<string> {
  const tournament = mockTournament(provider);
  await t.app.get(MutationExecutor).save({ records: [tournament], user: testUser(provider) });
  return tournament.tournamentId;
}

export function batches(id: string, count: number, label: string, padding = 0): Batch[] {
  return Array.from({ length: count }, (_, i) => ({
    ackId: `${label}-${i}`,
    methods: [addParticipantDirective(id, `${label} ${i} ${'x'.repeat(padding)}`.trim()) as Directive],
  }));
}

/** Emits every batch at once, as a desk flushing its offline queue does (no waiting for acks). */
export function flush(socket: Socket, id: string, list: Batch[]): void {
  for (const batch of list) {
    socket.emit('executionQueue', { type: 'executionQueue', payload: { ...batch, tournamentIds: [id] } });
  }
}

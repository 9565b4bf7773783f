import type { TournamentRecord } from '../storage/storage.types';
import type { PublishInfo } from './publish-state';

type Entry = { participantId?: string };
type Participant = { participantId?: string; individualParticipantIds?: string[] };
type Draw = { drawId?: string; entries?: Entry[] };
type Event = { eventId?: string; entries?: Entry[]; drawDefinitions?: Draw[] };

/**
 * The record as the public may see it, for the engine's query functions: only the given published
 * events, each with only its visible draws, and (unless `allParticipants`) only the participants
 * entered in those events. Shallow copies: the record itself (possibly the executor's hot copy) is
 * never modified. Whatever the engine's own publish filters miss cannot leak from here.
 */
export function publicView(
  record: TournamentRecord,
  publish: PublishInfo,
  eventIds: readonly string[],
  options: { allParticipants?: boolean } = {},
): TournamentRecord {
  const events = ((record.events as Event[] | undefined) ?? [])
    .filter((event) => typeof event?.eventId === 'string' && eventIds.includes(event.eventId))
    .filter((event) => publish.eventIds.includes(event.eventId as string))
    .map((event) => {
      const drawIds = publish.visibleDrawIds[event.eventId as string] ?? [];
      const drawDefinitions = (event.drawDefinitions ?? []).filter((draw) => drawIds.includes(draw?.drawId as string));
      return { ...event, drawDefinitions };
    });
  const participants = (record.participants as Participant[] | undefined) ?? [];
  return {
    ...record,
    events,
    participants: options.allParticipants ? participants : enteredIn(events, participants),
  };
}

/** Participants entered in the events (or their draws), with the individuals of pairs and teams. */
function enteredIn(events: Event[], participants: Participant[]): Participant[] {
  const ids = new Set<string>();
  const add = (entries: Entry[] | undefined) => {
    for (const entry of entries ?? []) if (typeof entry?.participantId === 'string') ids.add(entry.participantId);
  };
  for (const event of events) {
    add(event.entries);
    for (const draw of event.drawDefinitions ?? []) add(draw?.entries);
  }
  for (const participant of participants) {
    if (!ids.has(participant?.participantId as string)) continue;
    for (const id of participant.individualParticipantIds ?? []) ids.add(id);
  }
  return participants.filter((participant) => ids.has(participant?.participantId as string));
}

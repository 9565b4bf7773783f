import type { Participant } from './api';
import { h } from './dom';

export function renderPlayers(participants: Participant[]): HTMLElement[] {
  if (!participants.length) return [h('p', { class: 'empty' }, 'No players listed yet.')];
  const sorted = [...participants].sort((a, b) => (a.participantName ?? '').localeCompare(b.participantName ?? ''));
  return [
    h(
      'table',
      { class: 'players' },
      h('caption', { class: 'sr' }, 'Players'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'Country'),
          h('th', { scope: 'col' }, 'Events'),
        ),
      ),
      h(
        'tbody',
        null,
        ...sorted.map((participant) =>
          h(
            'tr',
            null,
            h('td', null, participant.participantName ?? ''),
            h('td', null, participant.person?.nationalityCode ?? ''),
            h('td', null, (participant.events ?? []).map((event) => event.eventName).join(', ')),
          ),
        ),
      ),
    ),
  ];
}

import type { MatchUp, Participant, Side } from './api';
import { h } from './dom';

/** Names by participant id, from the answers' participant lists (sides may carry only an id). */
export type Names = Map<string, Participant>;

const STATUS: Record<string, string> = {
  IN_PROGRESS: 'Live',
  WALKOVER: 'Walkover',
  RETIRED: 'Retired',
  DEFAULTED: 'Defaulted',
  DOUBLE_WALKOVER: 'Double walkover',
  CANCELLED: 'Cancelled',
  ABANDONED: 'Abandoned',
  SUSPENDED: 'Suspended',
};

export function sideName(side: Side | undefined, names: Names): string {
  if (!side) return 'TBD';
  if (side.bye) return 'Bye';
  const id = side.participantId ?? side.participant?.participantId;
  const name = side.participant?.participantName ?? (id ? names.get(id)?.participantName : undefined);
  if (name) return name;
  return side.qualifier ? 'Qualifier' : 'TBD';
}

/** One match: two lines (name, seed, score), the winner marked for sight and for screen readers. */
export function matchCard(matchUp: MatchUp, names: Names, extra?: Node): HTMLElement {
  const status = matchUp.matchUpStatus ?? '';
  const live = status === 'IN_PROGRESS';
  const sides = [1, 2].map((number) => matchUp.sides?.find((side) => side.sideNumber === number));
  const lines = sides.map((side, index) => {
    const number = index + 1;
    const won = matchUp.winningSide === number;
    const score = number === 1 ? matchUp.score?.scoreStringSide1 : matchUp.score?.scoreStringSide2;
    return h(
      'div',
      { class: won ? 'side won' : 'side' },
      h('span', { class: 'name' }, sideName(side, names)),
      side?.seedValue !== undefined ? h('span', { class: 'seed', title: 'seed' }, `[${side.seedValue}]`) : null,
      won ? h('span', { class: 'sr' }, ' (winner)') : null,
      h('span', { class: 'score' }, score ?? ''),
    );
  });
  const label = STATUS[status];
  return h(
    'article',
    { class: live ? 'match live' : 'match', 'data-matchup-id': matchUp.matchUpId },
    extra ?? null,
    ...lines,
    label ? h('div', { class: 'status' }, label) : null,
  );
}

import type { Draw, MatchUp, Structure } from './api';
import { h } from './dom';
import { matchCard, sideName, type Names } from './match';

/** An event's published draws: elimination structures as brackets, round robins as group tables. */
export function renderDraws(draws: Draw[], names: Names): HTMLElement[] {
  return draws.map((draw) =>
    h(
      'section',
      { class: 'draw', 'aria-label': draw.drawName ?? 'Draw' },
      h('h3', null, draw.drawName ?? 'Draw'),
      ...(draw.structures ?? []).map((structure) => renderStructure(structure, draw, names)),
    ),
  );
}

function renderStructure(structure: Structure, draw: Draw, names: Names): HTMLElement {
  const matchUps = Object.values(structure.roundMatchUps ?? {}).flat();
  const title = (draw.structures?.length ?? 0) > 1 ? h('h4', null, structure.structureName ?? structure.stage) : null;
  const isGroups = structure.structureType === 'CONTAINER' || matchUps.some((m) => m.containerStructureId);
  return h(
    'div',
    { class: 'structure' },
    title,
    isGroups ? renderGroups(structure, matchUps, names) : renderBracket(structure, names),
  );
}

function renderBracket(structure: Structure, names: Names): HTMLElement {
  const rounds = Object.entries(structure.roundMatchUps ?? {}).sort(([a], [b]) => Number(a) - Number(b));
  return h(
    'div',
    { class: 'bracket' },
    ...rounds.map(([roundNumber, matchUps]) => {
      const ordered = [...matchUps].sort((a, b) => (a.roundPosition ?? 0) - (b.roundPosition ?? 0));
      return h(
        'section',
        { class: 'round' },
        h('h5', null, ordered[0]?.roundName ?? `Round ${roundNumber}`),
        h('div', { class: 'round-matches' }, ...ordered.map((matchUp) => matchCard(matchUp, names))),
      );
    }),
  );
}

/** One table per group: each player's result against each other player, then won-lost and place. */
function renderGroups(structure: Structure, matchUps: MatchUp[], names: Names): HTMLElement {
  const groups = new Map<string, MatchUp[]>();
  for (const matchUp of matchUps) {
    const key = matchUp.structureId ?? structure.structureId;
    groups.set(key, [...(groups.get(key) ?? []), matchUp]);
  }
  const results = new Map((structure.participantResults ?? []).map((r) => [r.participantId, r.participantResult]));
  return h(
    'div',
    { class: 'groups' },
    ...[...groups.values()].map((group) => {
      const players = new Map<string, { name: string; position: number }>();
      for (const matchUp of group)
        for (const side of matchUp.sides ?? []) {
          const id = side.participantId ?? side.participant?.participantId;
          if (id && !players.has(id))
            players.set(id, { name: sideName(side, names), position: side.drawPosition ?? 0 });
        }
      const ids = [...players.keys()].sort((a, b) => players.get(a)!.position - players.get(b)!.position);
      const caption = group[0]?.structureName ?? 'Group';
      return h(
        'div',
        { class: 'group' },
        h(
          'table',
          null,
          h('caption', null, caption),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Player'),
              ...ids.map((_, index) => h('th', { scope: 'col', class: 'num' }, String(index + 1))),
              h('th', { scope: 'col', class: 'num' }, 'W-L'),
              h('th', { scope: 'col', class: 'num' }, 'Pos'),
            ),
          ),
          h(
            'tbody',
            null,
            ...ids.map((rowId, index) => {
              const result = results.get(rowId);
              return h(
                'tr',
                null,
                h('th', { scope: 'row' }, `${index + 1}. ${players.get(rowId)!.name}`),
                ...ids.map((colId) =>
                  h('td', { class: 'num' }, rowId === colId ? '–' : headToHead(group, rowId, colId)),
                ),
                h('td', { class: 'num' }, result ? `${result.matchUpsWon ?? 0}-${result.matchUpsLost ?? 0}` : ''),
                h('td', { class: 'num' }, result?.groupOrder ?? ''),
              );
            }),
          ),
        ),
      );
    }),
  );
}

/** The score of the match between two players, from the first one's side. */
function headToHead(group: MatchUp[], rowId: string, colId: string): string {
  const idOf = (matchUp: MatchUp, number: number) => {
    const side = matchUp.sides?.find((s) => s.sideNumber === number);
    return side?.participantId ?? side?.participant?.participantId;
  };
  for (const matchUp of group) {
    const one = idOf(matchUp, 1);
    const two = idOf(matchUp, 2);
    if (one === rowId && two === colId) return matchUp.score?.scoreStringSide1 ?? '';
    if (one === colId && two === rowId) return matchUp.score?.scoreStringSide2 ?? '';
  }
  return '';
}

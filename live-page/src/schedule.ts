import type { MatchUp, Schedule } from './api';
import { formatDate, formatTime, h } from './dom';
import { matchCard, type Names } from './match';

export interface CourtDay {
  date: string;
  courts: Array<{ courtName: string; matchUps: MatchUp[] }>;
}

/** The order of play grouped by day, then court (in court order), each court's matches by order and time. */
export function orderOfPlay(schedule: Schedule): CourtDay[] {
  const courtNames = new Map((schedule.courtsData ?? []).map((court) => [court.courtId, court.courtName ?? '']));
  const courtRank = new Map((schedule.courtsData ?? []).map((court, index) => [court.courtId, index]));
  const seen = new Set<string>();
  const all = [...(schedule.dateMatchUps ?? []), ...(schedule.completedMatchUps ?? [])].filter((m) => {
    // The answer may carry matches with no day yet (rounds still to come): not part of any day's play.
    if (!m.schedule?.scheduledDate && !m.schedule?.scheduledTime) return false;
    if (seen.has(m.matchUpId)) return false;
    seen.add(m.matchUpId);
    return true;
  });
  const days = new Map<string, Map<string, MatchUp[]>>();
  for (const matchUp of all) {
    const date = matchUp.schedule?.scheduledDate ?? matchUp.schedule?.scheduledTime?.slice(0, 10) ?? '';
    const courtId = matchUp.schedule?.courtId ?? '';
    const day = days.get(date) ?? new Map<string, MatchUp[]>();
    day.set(courtId, [...(day.get(courtId) ?? []), matchUp]);
    days.set(date, day);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, courts]) => ({
      date,
      courts: [...courts.entries()]
        .sort(([a], [b]) => (courtRank.get(a) ?? 1e6) - (courtRank.get(b) ?? 1e6) || a.localeCompare(b))
        .map(([courtId, matchUps]) => ({
          courtName:
            courtNames.get(courtId) ||
            matchUps[0]?.schedule?.courtName ||
            (courtId ? 'Court' : 'Court to be announced'),
          matchUps: [...matchUps].sort(
            (a, b) =>
              (a.schedule?.courtOrder ?? 0) - (b.schedule?.courtOrder ?? 0) ||
              (a.schedule?.scheduledTime ?? '').localeCompare(b.schedule?.scheduledTime ?? ''),
          ),
        })),
    }));
}

export function scheduledCard(matchUp: MatchUp, names: Names): HTMLElement {
  const time = formatTime(matchUp.schedule?.scheduledTime);
  const what = [matchUp.eventName, matchUp.roundName].filter(Boolean).join(' · ');
  const meta = h('div', { class: 'meta' }, time ? h('time', null, time) : null, what);
  return matchCard(matchUp, names, meta);
}

export function renderSchedule(schedule: Schedule, names: Names): HTMLElement[] {
  const days = orderOfPlay(schedule);
  if (!days.length) return [h('p', { class: 'empty' }, 'No matches scheduled yet.')];
  return days.map((day) =>
    h(
      'section',
      { class: 'day' },
      h('h3', null, formatDate(day.date) || 'Unscheduled'),
      h(
        'div',
        { class: 'courts' },
        ...day.courts.map((court) =>
          h(
            'section',
            { class: 'court' },
            h('h4', null, court.courtName),
            ...court.matchUps.map((matchUp) => scheduledCard(matchUp, names)),
          ),
        ),
      ),
    ),
  );
}

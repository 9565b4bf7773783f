import type { EventData, MatchUp, Participant, Schedule, TournamentInfo } from './api';
import { formatDate, h } from './dom';
import { renderDraws } from './draws';
import type { Names } from './match';
import { orderOfPlay, scheduledCard, type CourtDay } from './schedule';

/** Courts on one screen of the venue display; more courts cycle, one screen after another. */
const COURTS_PER_SCREEN = 6;
let screen = 0;

/** Moves the venue display to its next screen (called on a timer). */
export function nextScreen(): void {
  screen += 1;
}

interface DisplayState {
  info?: TournamentInfo;
  events: Map<string, { data?: EventData; names: Names }>;
  schedule?: Schedule;
  players?: Participant[];
  names: Names;
}

type View = { kind: 'event'; eventId: string } | { kind: 'schedule' } | { kind: 'players' } | { kind: 'none' };

const FINISHED = ['COMPLETED', 'WALKOVER', 'RETIRED', 'DEFAULTED', 'DOUBLE_WALKOVER', 'CANCELLED', 'ABANDONED'];
const finished = (matchUp: MatchUp) => FINISHED.includes(matchUp.matchUpStatus ?? '');

/** What a court shows on the venue screen: its last finished match, then the ones still to come. */
function onCourt(matchUps: MatchUp[]): MatchUp[] {
  const last = matchUps.filter(finished).slice(-1);
  return [...last, ...matchUps.filter((matchUp) => !finished(matchUp))].slice(0, 4);
}

/** The day a venue screen shows: today when it has matches, else the first day with unfinished ones. */
function dayToShow(days: CourtDay[]): CourtDay | undefined {
  const today = new Date().toISOString().slice(0, 10);
  return (
    days.find((day) => day.date === today) ??
    days.find((day) => day.courts.some((court) => court.matchUps.some((m) => !finished(m)))) ??
    days[days.length - 1]
  );
}

/** The large-screen view (`?display=1`): the day's courts, a screen at a time, with the page's QR code. */
export function renderDisplay(state: DisplayState, view: View): HTMLElement[] {
  const qr = h('img', {
    class: 'qr',
    src: `/live/${encodeURIComponent(state.info?.tournamentId ?? '')}/qr.svg`,
    alt: 'QR code of this page',
    width: 160,
    height: 160,
  });
  if (view.kind === 'schedule' && state.schedule) {
    const day = dayToShow(orderOfPlay(state.schedule));
    if (!day) return [qr, h('p', { class: 'empty' }, 'No matches scheduled yet.')];
    const screens = Math.max(1, Math.ceil(day.courts.length / COURTS_PER_SCREEN));
    const first = (screen % screens) * COURTS_PER_SCREEN;
    const courts = day.courts.slice(first, first + COURTS_PER_SCREEN);
    return [
      qr,
      h(
        'h2',
        null,
        `Order of play · ${formatDate(day.date)}`,
        screens > 1 ? ` (${(screen % screens) + 1}/${screens})` : '',
      ),
      h(
        'div',
        { class: 'courts' },
        ...courts.map((court) =>
          h(
            'section',
            { class: 'court' },
            h('h3', null, court.courtName),
            ...onCourt(court.matchUps).map((matchUp) => scheduledCard(matchUp, state.names)),
          ),
        ),
      ),
    ];
  }
  if (view.kind === 'event') {
    const event = state.events.get(view.eventId);
    const name = state.info?.eventInfo?.find((e) => e.eventId === view.eventId)?.eventName ?? 'Event';
    return [qr, h('h2', null, name), ...(event?.data ? renderDraws(event.data.drawsData ?? [], event.names) : [])];
  }
  return [qr, h('p', { class: 'empty' }, 'Results appear here as soon as they are published.')];
}

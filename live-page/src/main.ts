import { io } from 'socket.io-client';
import * as api from './api';
import { nextScreen, renderDisplay } from './display';
import { fill, h } from './dom';
import { renderDraws } from './draws';
import type { Names } from './match';
import { renderPlayers } from './players';
import { renderSchedule } from './schedule';

/** What a `publicUpdate` says moved (see docs/public-api.md, Live updates). */
interface PublicUpdate {
  tournamentId: string;
  type?: string;
  eventIds?: string[];
  topics?: string[];
}

type View = { kind: 'event'; eventId: string } | { kind: 'schedule' } | { kind: 'players' } | { kind: 'none' };

const tournamentId = document.body.dataset.tournamentId ?? '';
const display = new URLSearchParams(location.search).get('display') === '1';
const main = document.getElementById('main')!;
const nav = document.getElementById('views')!;
const status = document.getElementById('connection')!;

const state = {
  info: undefined as api.TournamentInfo | undefined,
  events: new Map<string, { data?: api.EventData; names: Names }>(),
  schedule: undefined as api.Schedule | undefined,
  players: undefined as api.Participant[] | undefined,
  names: new Map() as Names,
};

function published() {
  const info = state.info;
  return {
    events: info?.eventInfo ?? [],
    orderOfPlay: !!info?.publishState?.orderOfPlay?.published,
    participants: !!info?.publishState?.participants?.published,
  };
}

/** The view named by the address (`#event-<id>`, `#schedule`, `#players`), else the first one published. */
function currentView(): View {
  const { events, orderOfPlay, participants } = published();
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith('event-') && events.some((e) => e.eventId === hash.slice(6))) {
    return { kind: 'event', eventId: hash.slice(6) };
  }
  if (hash === 'schedule' && orderOfPlay) return { kind: 'schedule' };
  if (hash === 'players' && participants) return { kind: 'players' };
  if (display && orderOfPlay) return { kind: 'schedule' };
  if (events.length) return { kind: 'event', eventId: events[0].eventId };
  if (orderOfPlay) return { kind: 'schedule' };
  if (participants) return { kind: 'players' };
  return { kind: 'none' };
}

function renderNav(view: View): void {
  const { events, orderOfPlay, participants } = published();
  const link = (href: string, label: string, current: boolean) =>
    h('li', null, h('a', { href, 'aria-current': current ? 'page' : undefined }, label));
  const links = [
    ...events.map((event) =>
      link(
        `#event-${encodeURIComponent(event.eventId)}`,
        event.eventName ?? 'Event',
        view.kind === 'event' && view.eventId === event.eventId,
      ),
    ),
    ...(orderOfPlay ? [link('#schedule', 'Order of play', view.kind === 'schedule')] : []),
    ...(participants ? [link('#players', 'Players', view.kind === 'players')] : []),
  ];
  if (links.length) fill(nav, h('ul', null, ...links));
  else fill(nav);
}

/** Draws the current view from what is loaded; loads what is missing (then draws again). */
function render(): void {
  const view = currentView();
  renderNav(view);
  if (display) {
    fill(main, ...renderDisplay(state, view));
    const missing = view.kind === 'event' && !state.events.get(view.eventId)?.data;
    if (missing && !failed.has(`event:${view.eventId}`)) void load({ eventIds: [view.eventId] });
    if (view.kind === 'schedule' && !state.schedule && !failed.has('schedule')) void load({ schedule: true });
    return;
  }
  if (view.kind === 'none') {
    fill(
      main,
      h('h2', null, 'Nothing published yet'),
      h(
        'p',
        { class: 'empty' },
        'Draws, the order of play and the players appear here as soon as the organisers publish them. ' +
          'This page updates by itself.',
      ),
    );
    return;
  }
  if (view.kind === 'event') {
    const event = state.events.get(view.eventId);
    const name = published().events.find((e) => e.eventId === view.eventId)?.eventName ?? 'Event';
    if (!event?.data) {
      fill(main, h('h2', null, name), h('p', { class: 'loading' }, 'Loading…'));
      if (!failed.has(`event:${view.eventId}`)) void load({ eventIds: [view.eventId] });
      return;
    }
    const draws = event.data.drawsData ?? [];
    fill(
      main,
      h('h2', null, name),
      ...(draws.length ? renderDraws(draws, event.names) : [h('p', { class: 'empty' }, 'No draw published yet.')]),
    );
    return;
  }
  if (view.kind === 'schedule') {
    if (!state.schedule) {
      fill(main, h('h2', null, 'Order of play'), h('p', { class: 'loading' }, 'Loading…'));
      if (!failed.has('schedule')) void load({ schedule: true });
      return;
    }
    fill(main, h('h2', null, 'Order of play'), ...renderSchedule(state.schedule, state.names));
    return;
  }
  if (!state.players) {
    fill(main, h('h2', null, 'Players'), h('p', { class: 'loading' }, 'Loading…'));
    if (!failed.has('players')) void load({ players: true });
    return;
  }
  fill(main, h('h2', null, 'Players'), ...renderPlayers(state.players));
}

interface Wanted {
  info?: boolean;
  eventIds?: string[];
  schedule?: boolean;
  players?: boolean;
}

/** Reads under way, by part; and the parts to read again once their read ends (an update came meanwhile). */
const running = new Map<string, Promise<void>>();
const again = new Set<string>();
/** Parts whose last read failed; the draw asks for them again after RETRY_MS. */
const failed = new Set<string>();
const RETRY_MS = 3000;

/**
 * Runs `read` for `key` unless it is under way already. `fresh`: the caller needs an answer from
 * after now (an update arrived), so a read already under way is followed by another one.
 */
function readPart(key: string, read: () => Promise<void>, fresh: boolean): Promise<void> {
  const current = running.get(key);
  if (current) {
    if (fresh) again.add(key);
    return current;
  }
  const run = read()
    .then(() => void failed.delete(key))
    .catch((error: unknown) => {
      console.warn('read failed', String(error));
      // Not asked again by the next draw until a moment has passed: no loop of failing reads.
      failed.add(key);
      setTimeout(() => {
        failed.delete(key);
        render();
      }, RETRY_MS);
    })
    .finally(() => {
      running.delete(key);
      if (again.delete(key)) void readPart(key, read, false).then(render);
    });
  running.set(key, run);
  return run;
}

/** Reads what is wanted, then draws again. */
async function load(wanted: Wanted, fresh = false): Promise<void> {
  const reads: Array<Promise<void>> = [];
  const once = (key: string, read: () => Promise<void>) => reads.push(readPart(key, read, fresh));
  if (wanted.info)
    once('info', async () => {
      state.info = await api.tournamentInfo(tournamentId);
      const ids = new Set(published().events.map((e) => e.eventId));
      for (const eventId of state.events.keys()) if (!ids.has(eventId)) state.events.delete(eventId);
      if (!published().orderOfPlay) state.schedule = undefined;
      if (!published().participants) state.players = undefined;
    });
  for (const eventId of wanted.eventIds ?? [])
    once(`event:${eventId}`, async () => {
      const answer = await api.eventData(tournamentId, eventId);
      const names: Names = new Map(answer.participants.map((p) => [p.participantId, p]));
      for (const [id, participant] of names) state.names.set(id, participant);
      state.events.set(eventId, { data: answer.eventData, names });
    });
  if (wanted.schedule)
    once('schedule', async () => {
      state.schedule = await api.schedule(tournamentId);
      for (const [id, participant] of Object.entries(state.schedule.mappedParticipants ?? {})) {
        state.names.set(id, participant);
      }
    });
  if (wanted.players)
    once('players', async () => {
      state.players = await api.participants(tournamentId);
    });
  if (!reads.length) return;
  await Promise.all(reads);
  render();
}

/** Re-reads only the parts an update names, and only those this page has loaded or shows. */
function onUpdate(update: PublicUpdate): void {
  if (update.tournamentId !== tournamentId) return;
  const topics = new Set(update.topics ?? []);
  const everything = topics.has('tournament');
  const wanted: Wanted = {};
  if (everything || update.type === 'publishChange' || topics.has('tournamentInfo') || topics.has('publishing')) {
    wanted.info = true;
  }
  const loaded = [...state.events.keys()];
  const named = update.eventIds ?? loaded;
  if (everything || topics.has('eventData') || topics.has('publishing')) {
    wanted.eventIds = loaded.filter((id) => named.includes(id));
  }
  if (state.schedule && (everything || topics.has('schedule') || topics.has('publishing'))) wanted.schedule = true;
  if (state.players && (everything || topics.has('participants') || topics.has('publishing'))) wanted.players = true;
  void load(wanted, true);
}

function reloadAll(): Promise<void> {
  return load(
    { info: true, eventIds: [...state.events.keys()], schedule: !!state.schedule, players: !!state.players },
    true,
  );
}

function connect(): void {
  // WebSocket first (one request, no sticky sessions needed); long-polling if a proxy refuses it.
  const socket = io('/public', {
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelayMax: 2000,
  });
  let connectedBefore = false;
  socket.on('connect', () => {
    socket.emit('joinTournament', { tournamentId });
    status.textContent = 'Live';
    status.className = 'online';
    // Whatever changed while the connection was down was not announced: read it all again.
    if (connectedBefore) void reloadAll();
    connectedBefore = true;
  });
  socket.on('disconnect', () => {
    status.textContent = 'Reconnecting…';
    status.className = 'offline';
  });
  socket.on('publicUpdate', onUpdate);
}

if (display) setInterval(() => (nextScreen(), render()), 10_000);
window.addEventListener('hashchange', () => {
  render();
  main.focus({ preventScroll: true });
});
if (display) document.documentElement.classList.add('display');
connect();
// The server puts the tournament's public info into the page: the first view draws without waiting for it.
const embedded = document.getElementById('tournament-info')?.textContent;
if (embedded) {
  state.info = JSON.parse(embedded) as api.TournamentInfo;
  render();
} else {
  void load({ info: true });
}

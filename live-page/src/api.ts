/** The public routes the page reads (the same ones results sites use); only published data. */

export interface Participant {
  participantId: string;
  participantName?: string;
  person?: { nationalityCode?: string };
  events?: Array<{ eventId: string; eventName?: string }>;
}

export interface Side {
  sideNumber?: number;
  drawPosition?: number;
  participantId?: string;
  participant?: Participant;
  seedValue?: number | string;
  bye?: boolean;
  qualifier?: boolean;
}

export interface MatchUp {
  matchUpId: string;
  drawId?: string;
  eventId?: string;
  eventName?: string;
  structureId?: string;
  structureName?: string;
  containerStructureId?: string;
  roundNumber?: number;
  roundPosition?: number;
  roundName?: string;
  matchUpStatus?: string;
  winningSide?: number | null;
  score?: { scoreStringSide1?: string; scoreStringSide2?: string };
  sides?: Side[];
  drawPositions?: Array<number | null | undefined>;
  schedule?: {
    scheduledDate?: string;
    scheduledTime?: string;
    courtId?: string;
    courtName?: string;
    venueName?: string;
    courtOrder?: number;
  };
}

export interface Structure {
  structureId: string;
  structureName?: string;
  stage?: string;
  structureType?: string;
  roundMatchUps?: Record<string, MatchUp[]>;
  seedAssignments?: Array<{ participantId?: string; seedValue?: number | string }>;
  participantResults?: Array<{
    participantId: string;
    drawPosition?: number;
    participantResult?: { matchUpsWon?: number; matchUpsLost?: number; groupOrder?: number };
  }>;
}

export interface Draw {
  drawId: string;
  drawName?: string;
  drawType?: string;
  structures?: Structure[];
}

export interface EventInfo {
  eventId: string;
  eventName?: string;
  eventType?: string;
}

export interface TournamentInfo {
  tournamentId: string;
  tournamentName?: string;
  startDate?: string;
  endDate?: string;
  venues?: Array<{ venueName?: string; courts?: Array<{ courtId: string; courtName?: string }> }>;
  publishState?: {
    orderOfPlay?: { published?: boolean };
    participants?: { published?: boolean };
  };
  eventInfo?: EventInfo[];
}

export interface EventData {
  eventInfo: EventInfo;
  drawsData?: Draw[];
}

export interface Schedule {
  dateMatchUps?: MatchUp[];
  completedMatchUps?: MatchUp[];
  courtsData?: Array<{ courtId: string; courtName?: string; matchUps?: MatchUp[] }>;
  /** The scheduled matches' participants by id (their sides carry only ids). */
  mappedParticipants?: Record<string, Participant>;
}

interface Failure {
  error?: { code?: string; message?: string };
}

async function post<T>(path: string, body: object): Promise<T & Failure> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T & Failure;
}

export async function tournamentInfo(tournamentId: string): Promise<TournamentInfo | undefined> {
  const answer = await post<{ tournamentInfo?: TournamentInfo }>('/factory/tournamentinfo', { tournamentId });
  return answer.tournamentInfo;
}

export async function eventData(
  tournamentId: string,
  eventId: string,
): Promise<{ eventData?: EventData; participants: Participant[] }> {
  const answer = await post<{ eventData?: EventData; participants?: Participant[] }>('/factory/eventdata', {
    tournamentId,
    eventId,
  });
  return { eventData: answer.eventData, participants: answer.participants ?? [] };
}

export async function schedule(tournamentId: string): Promise<Schedule> {
  return post<Schedule>('/factory/scheduledmatchups', { params: { tournamentId, courtCompletedMatchUps: true } });
}

export async function participants(tournamentId: string): Promise<Participant[]> {
  const answer = await post<{ participants?: Participant[] }>('/factory/participants', { params: { tournamentId } });
  return answer.participants ?? [];
}

import { request as httpRequest, Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { testProvider, type TestProvider } from '../support/records';
import {
  firstRoundMatchUps,
  mutate,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  save,
  scheduleOn,
  scoreDirective,
  settled,
  type PublicFixture,
} from './helpers';

/**
 * A measurement, not a timed test: it runs only when asked for, e.g.
 *   MEASURE_PUBLIC_READS=1 pnpm exec vitest run test/public/read-latency.test.ts
 * and prints one JSON line. Medium tournament: 4 events of 64, 256 participants.
 */
const READS = Number(process.env.MEASURE_PUBLIC_READS_COUNT ?? 25);
const SCHEDULE = '/factory/scheduledmatchups';

describe.runIf(!!process.env.MEASURE_PUBLIC_READS)('eventdata read latency, cold and warm', () => {
  const apps: TestApp[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(async () => {
    agent.destroy();
    await Promise.all(apps.map((app) => app.close()));
  });

  async function medium(
    warm: boolean,
  ): Promise<{ t: TestApp; desk: TestAccount; f: PublicFixture; provider: TestProvider }> {
    const t = await startTestApp('leveldb', { PUBLIC_CACHE_WARM: String(warm) });
    apps.push(t);
    const provider = testProvider();
    const desk = await seedAccount(t, { provider });
    const f = publicTournament(provider, { events: 4, drawSize: 64 });
    await save(t, desk, f.record);
    const firstRounds = f.eventIds.flatMap((eventId) => firstRoundMatchUps(f.record, eventId));
    await mutate(t, desk, f.tournamentId, [
      scheduleOn(firstRounds.slice(0, 32).map((m) => m.matchUpId)),
      ...f.eventIds.map(publishEvent),
      publishOrderOfPlay(),
    ]);
    await settled(t);
    return { t, desk, f, provider };
  }

  /** Milliseconds until the whole body has arrived; gzip accepted as browsers do, unless `identity`. */
  function timedRead(
    t: TestApp,
    body: object,
    path = '/factory/eventdata',
    encoding = 'gzip',
  ): Promise<{ ms: number; bytes: number; status: number }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = httpRequest(
        `${t.url}${path}`,
        {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
            'Accept-Encoding': encoding,
          },
        },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ ms: performance.now() - started, bytes, status: res.statusCode ?? 0 }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('measures cold, warm, and first-read-after-a-score with warming on', async () => {
    const cold: number[] = [];
    const warm: number[] = [];
    const warmPlain: number[] = [];
    const scheduleCold: number[] = [];
    const scheduleWarm: number[] = [];
    const afterScore: number[] = [];
    let bytes = 0;
    let plainBytes = 0;

    const off = await medium(false);
    const body = { tournamentId: off.f.tournamentId, eventId: off.f.eventIds[0] };
    // What courthive-public asks for.
    const scheduleBody = {
      params: {
        tournamentId: off.f.tournamentId,
        courtCompletedMatchUps: true,
        withCourtGridRows: true,
        minCourtGridRows: 10,
        nextMatchUps: true,
      },
    };
    await timedRead(off.t, body);
    for (let i = 0; i < READS; i++) {
      // A commit moves the version: the next read has nothing cached.
      await mutate(off.t, off.desk, off.f.tournamentId, [
        { method: 'setTournamentName', params: { tournamentName: `Medium ${i}` } },
      ]);
      const first = await timedRead(off.t, body);
      expect(first.status).toBe(200);
      cold.push(first.ms);
      scheduleCold.push((await timedRead(off.t, scheduleBody, SCHEDULE)).ms);
    }
    // Warm: the steady state of a public site, the same answer read again and again.
    await timedRead(off.t, body);
    for (let i = 0; i < READS; i++) {
      const read = await timedRead(off.t, body);
      warm.push(read.ms);
      bytes = read.bytes;
      const plain = await timedRead(off.t, body, '/factory/eventdata', 'identity');
      warmPlain.push(plain.ms);
      plainBytes = plain.bytes;
      scheduleWarm.push((await timedRead(off.t, scheduleBody, SCHEDULE)).ms);
    }

    const on = await medium(true);
    const onBody = { tournamentId: on.f.tournamentId, eventId: on.f.eventIds[0] };
    const matchUps = firstRoundMatchUps(on.f.record, on.f.eventIds[0]).slice(0, READS);
    for (const matchUp of matchUps) {
      await mutate(on.t, on.desk, on.f.tournamentId, [scoreDirective(matchUp)]);
      await settled(on.t);
      afterScore.push((await timedRead(on.t, onBody)).ms);
    }

    const summary = {
      tournament: '4 events x 64 draw, 256 participants',
      reads: READS,
      eventDataBytes: { gzip: bytes, plain: plainBytes },
      coldMedianMs: round(median(cold)),
      warmMedianMs: round(median(warm)),
      ratio: round(median(cold) / median(warm)),
      warmPlainMedianMs: round(median(warmPlain)),
      ratioPlain: round(median(cold) / median(warmPlain)),
      scheduleColdMedianMs: round(median(scheduleCold)),
      scheduleWarmMedianMs: round(median(scheduleWarm)),
      firstReadAfterScoreWithWarmingMedianMs: round(median(afterScore)),
      ratioAfterScore: round(median(cold) / median(afterScore)),
    };
    console.log(JSON.stringify(summary));
    expect(summary.ratio).toBeGreaterThanOrEqual(20);
  }, 300_000);
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

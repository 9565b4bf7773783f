import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { mutate, publicPost, publicTournament, publishEvent, save } from '../public/helpers';

const NOT_FOUND = { error: { code: 'ERR_NOT_FOUND', message: 'Tournament not found or not published' } };

/** The body of a binary answer as a buffer (supertest would try to parse an SVG as text otherwise). */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe.each(BACKENDS)('the live page routes (%s)', (backend) => {
  const provider = testProvider();
  let t: TestApp;
  let desk: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend, { PUBLIC_BASE_URL: 'https://results.example.org/' });
    desk = await seedAccount(t, { provider });
  });
  afterAll(() => t?.close());

  it('tournamentinfo answers for a tournament on its calendar before anything is published, without its events', async () => {
    const f = publicTournament(provider);
    await save(t, desk, f.record);
    const info = (await publicPost(t, '/factory/tournamentinfo', { tournamentId: f.tournamentId }).expect(200)).body;
    expect(info.success).toBe(true);
    expect(info.tournamentInfo).toMatchObject({
      tournamentId: f.tournamentId,
      tournamentName: 'Public Open',
      startDate: '2026-12-01',
      endDate: '2026-12-07',
      eventInfo: [],
    });
    expect(info.tournamentInfo.venues[0].venueName).toBeTruthy();
    const text = JSON.stringify(info);
    for (const id of [...f.eventIds, ...f.drawIds]) expect(text).not.toContain(id);
    const byGet = (await request(t.url).get(`/factory/tournamentinfo/${f.tournamentId}`).expect(200)).body;
    expect(byGet).toEqual(info);
    // Everything else stays gated.
    const eventData = await publicPost(t, '/factory/eventdata', {
      tournamentId: f.tournamentId,
      eventId: f.eventIds[0],
    });
    expect(eventData.body).toEqual(NOT_FOUND);
    const schedule = await publicPost(t, '/factory/scheduledmatchups', { params: { tournamentId: f.tournamentId } });
    expect(schedule.body).toEqual(NOT_FOUND);
  });

  it('tournamentinfo of a tournament on no calendar stays unknown until published', async () => {
    const f = publicTournament(provider);
    delete f.record.parentOrganisation;
    // A user of no provider saves it: the record has no owner, so no calendar lists it.
    const admin = await seedAccount(t, { roles: ['superadmin', 'client'] });
    await save(t, admin, f.record);
    const info = await publicPost(t, '/factory/tournamentinfo', { tournamentId: f.tournamentId });
    expect(info.body).toEqual(NOT_FOUND);
    await mutate(t, admin, f.tournamentId, [publishEvent(f.eventIds[0])]);
    const published = await publicPost(t, '/factory/tournamentinfo', { tournamentId: f.tournamentId });
    expect(published.body.tournamentInfo.eventInfo).toHaveLength(1);
    expect((await publicPost(t, '/factory/tournamentinfo', { tournamentId: 'no-such-tournament' })).body).toEqual(
      NOT_FOUND,
    );
  });

  it('GET /live/:id serves the page with the tournament in it; unknown ids get a 404 page', async () => {
    const f = publicTournament(provider);
    f.record.tournamentName = 'Public <Open> & "Friends"';
    await save(t, desk, f.record);
    await mutate(t, desk, f.tournamentId, [publishEvent(f.eventIds[0])]);
    const page = await request(t.url).get(`/live/${f.tournamentId}`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('<h1>Public &lt;Open&gt; &amp; &quot;Friends&quot;</h1>');
    expect(page.text).not.toContain('<Open>');
    expect(page.text).toContain(f.eventIds[0]);
    expect(page.text).not.toContain(f.eventIds[1]);
    const script = /src="(\/live-assets\/live\.js\?v=[\w-]+)"/.exec(page.text)![1];
    const style = /href="(\/live-assets\/live\.css\?v=[\w-]+)"/.exec(page.text)![1];

    // supertest unpacks gzip itself: the header says how it travelled.
    const js = await request(t.url).get(script).set('Accept-Encoding', 'gzip').buffer(true).parse(binary).expect(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((js.body as Buffer).toString()).toContain('publicUpdate');
    const css = await request(t.url).get(style).set('Accept-Encoding', 'identity').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    await request(t.url).get(script).set('If-None-Match', js.headers.etag).expect(304);
    await request(t.url).get('/live-assets/other.js').expect(404);

    const missing = await request(t.url).get('/live/no-such-tournament').expect(404);
    expect(missing.text).toContain('Tournament not found');
  });

  it('GET /live/:id/qr.svg is a QR code of the page address, from PUBLIC_BASE_URL when set', async () => {
    const f = publicTournament(provider);
    await save(t, desk, f.record);
    const qr = await request(t.url).get(`/live/${f.tournamentId}/qr.svg`).buffer(true).parse(binary).expect(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = (qr.body as Buffer).toString();
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).toContain('<path');
    expect(svg).toContain(`<title>https://results.example.org/live/${f.tournamentId}</title>`);
    await request(t.url).get('/live/no-such-tournament/qr.svg').expect(404);
  });
});

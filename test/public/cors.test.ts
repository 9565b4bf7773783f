import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

/** What browsers of the public site and the desk app ask before they send (courthive-public sends If-None-Match). */
describe('CORS for the browser clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('leveldb', { CORS_ORIGINS: 'https://results.example.org,https://tmx.example.org' });
  });
  afterAll(() => t?.close());

  const preflight = (path: string, method: string, headers: string, origin = 'https://results.example.org') =>
    request(t.url)
      .options(path)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', headers);

  it('lets a public site revalidate with If-None-Match and read the ETag', async () => {
    const res = await preflight('/factory/eventdata', 'POST', 'content-type,authorization,if-none-match').expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://results.example.org');
    expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('if-none-match');
    const answer = await request(t.url)
      .post('/factory/tournamentinfo')
      .set('Origin', 'https://results.example.org')
      .send({ tournamentId: 'unknown' });
    expect(answer.headers['access-control-expose-headers']).toContain('ETag');
  });

  it('allows PATCH for the desk app (last selected provider)', async () => {
    const res = await preflight(
      '/auth/me/last-selected-provider',
      'PATCH',
      'content-type,authorization',
      'https://tmx.example.org',
    ).expect(204);
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
  });

  it('names no other origin', async () => {
    const res = await preflight('/factory/eventdata', 'POST', 'content-type', 'https://elsewhere.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

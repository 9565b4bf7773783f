import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';

/** TMX and courthive-public call these at start (courthive-public: runtime-loader.ts). */
describe('GET /i18n', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('leveldb');
  });
  afterAll(() => t?.close());

  it('serves the manifest the clients read (locales with code, labels and version), even with a stale token', async () => {
    const res = await request(t.url)
      .get('/i18n/manifest')
      .set('Authorization', 'Bearer expired.token.here')
      .expect(200);
    expect(res.headers['cache-control']).toContain('max-age=300');
    const en = res.body.locales.find((locale: { code: string }) => locale.code === 'en');
    expect(en).toMatchObject({
      code: 'en',
      label: 'English',
      nativeLabel: expect.any(String),
      version: expect.stringMatching(/^sha256-/),
    });
    expect(res.body.locales.length).toBeGreaterThan(1);
  });

  it('serves a locale with its version as ETag, gzipped when accepted, and 304 when the client holds it', async () => {
    const manifest = (await request(t.url).get('/i18n/manifest')).body;
    const fr = manifest.locales.find((locale: { code: string }) => locale.code === 'fr');
    const res = await request(t.url).get('/i18n/locales/fr').set('Accept-Encoding', 'gzip').expect(200);
    // Exactly the manifest's version: the clients keep the ETag as the version they hold and compare the two.
    expect(res.headers['etag']).toBe(fr.version);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Object.keys(res.body).length).toBeGreaterThan(0);
    const plain = await request(t.url).get('/i18n/locales/fr').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(res.body);
    await request(t.url).get('/i18n/locales/fr').set('If-None-Match', res.headers['etag']).expect(304);
  });

  it('answers 404 for a code the manifest does not list, paths included', async () => {
    await request(t.url).get('/i18n/locales/xx').expect(404);
    await request(t.url).get('/i18n/locales/..%2Fmanifest').expect(404);
    await request(t.url).get('/i18n/locales/..%2F..%2Fpackage').expect(404);
  });
});

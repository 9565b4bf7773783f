import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

interface Route {
  method: string;
  path: string;
}

/** Every route the contract lists (docs: wire contract, sections 1, 2, 3 and 6). */
const CONTRACT_ROUTES = [
  'POST /auth/login',
  'POST /auth/invite',
  'POST /auth/register',
  'POST /auth/allusers',
  'POST /auth/modify',
  'POST /auth/remove',
  'POST /auth/forgot-password',
  'POST /auth/reset-password',
  'GET /auth/me',
  'POST /auth/signout',
  'PATCH /auth/me/last-selected-provider',
  'POST /auth/magic/request',
  'POST /auth/magic/consume',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /provider/calendar',
  'POST /provider/my-calendars',
  'GET /provider/by-tournament/{tournamentId}/branding',
  'GET /provider/by-tournament/{tournamentId}/scoring-launch',
  'POST /provider/allproviders',
  'POST /provider/detail',
  'POST /provider/add',
  'POST /provider/modify',
  'POST /factory',
  'POST /factory/fetch',
  'POST /factory/save',
  'POST /factory/remove',
  'POST /factory/query',
  'POST /factory/score',
  'POST /factory/matchups',
  'POST /factory/generate',
  'POST /factory/history',
  'POST /factory/updated-at',
  'GET /factory',
  'GET /factory/version',
  'GET /factory/tournamentinfo/{tournamentId}',
  'POST /factory/tournamentinfo',
  'POST /factory/eventdata',
  'POST /factory/scheduledmatchups',
  'POST /factory/participants',
  'GET /',
  'GET /health',
  'GET /metrics',
  'GET /i18n/manifest',
  'GET /i18n/locales/{code}',
  'GET /provider/{providerId}/effective-config',
  'GET /live/{tournamentId}',
  'GET /live/{tournamentId}/qr.svg',
  'GET /live-assets/{file}',
  'GET /admin/export',
];

/** POST routes that take no body (`{}`): every other POST must document its body. */
const NO_BODY = ['POST /auth/allusers', 'POST /provider/allproviders'];

const PUBLIC = [
  'POST /auth/login',
  'POST /auth/register',
  'POST /auth/forgot-password',
  'POST /auth/reset-password',
  'POST /auth/magic/request',
  'POST /auth/magic/consume',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /provider/calendar',
  'GET /provider/by-tournament/{tournamentId}/branding',
  'GET /provider/by-tournament/{tournamentId}/scoring-launch',
  'GET /factory',
  'GET /factory/version',
  'GET /factory/tournamentinfo/{tournamentId}',
  'POST /factory/tournamentinfo',
  'POST /factory/eventdata',
  'POST /factory/scheduledmatchups',
  'POST /factory/participants',
  'GET /',
  'GET /health',
  'GET /metrics',
  'GET /i18n/manifest',
  'GET /i18n/locales/{code}',
  'GET /live/{tournamentId}',
  'GET /live/{tournamentId}/qr.svg',
  'GET /live-assets/{file}',
];

describe('OpenAPI at /api', () => {
  let t: TestApp;
  let doc: any;

  beforeAll(async () => {
    t = await startTestApp('leveldb');
    doc = (await request(t.url).get('/api-json').expect(200)).body;
  });
  afterAll(() => t?.close());

  /** The routes Express actually serves, apart from the OpenAPI pages themselves. */
  function servedRoutes(): string[] {
    const router = t.app.getHttpAdapter().getInstance().router as {
      stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
    };
    const routes: Route[] = router.stack.flatMap(({ route }) =>
      route ? Object.keys(route.methods).map((method) => ({ method, path: route.path })) : [],
    );
    // Nest mounts middleware (the request logger) as a catch-all route.
    return routes
      .filter(({ path }) => path !== '{/*splat}' && !/^\/api(\/|-|$)/.test(path))
      .map(({ method, path }) => `${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }

  function operation(route: string): any {
    const [method, path] = route.split(' ');
    return doc.paths[path]?.[method.toLowerCase()];
  }

  it('serves exactly the contract routes, and documents every one of them', () => {
    expect(servedRoutes().sort()).toEqual([...CONTRACT_ROUTES].sort());
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...CONTRACT_ROUTES].sort());
  });

  it('documents every POST body with the schema its route validates with', () => {
    for (const route of CONTRACT_ROUTES.filter((r) => r.startsWith('POST ') && !NO_BODY.includes(r))) {
      const body = operation(route).requestBody;
      expect(body?.required, route).toBe(true);
      const schema = body.content['application/json'].schema;
      expect(schema.properties ?? schema.anyOf, route).toBeDefined();
    }
    const schemaOf = (route: string) => operation(route).requestBody.content['application/json'].schema;
    expect(schemaOf('POST /auth/login')).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
      properties: { password: { type: 'string', maxLength: 1024 } },
    });
    expect(schemaOf('POST /factory').required).toEqual(['methods']);
    expect(schemaOf('POST /factory/score').anyOf).toHaveLength(2); // flat, or the older { params } wrapper
    // Fields read after the tournamentId/tournamentIds step are documented too.
    expect(schemaOf('POST /factory/eventdata')).toMatchObject({
      required: ['eventId'],
      properties: { tournamentId: { type: 'string' }, tournamentIds: { type: 'array' }, eventId: { type: 'string' } },
    });
    expect(schemaOf('POST /factory/scheduledmatchups').properties).toHaveProperty('matchUpFilters');
  });

  it('declares bearer auth, optional on public routes, with the roles a route needs', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.security).toEqual([{ bearer: [] }]);
    for (const route of CONTRACT_ROUTES) {
      const security = operation(route).security;
      if (PUBLIC.includes(route)) expect(security, route).toEqual([{}, { bearer: [] }]);
      else expect(security, route).toBeUndefined(); // the document's default: a token is required
    }
    expect(operation('POST /factory')['x-roles']).toEqual(['client']);
    expect(operation('POST /factory/score')['x-roles']).toEqual(['score', 'client']);
    expect(operation('POST /provider/add')['x-roles']).toEqual(['superadmin']);
  });

  it('serves the Swagger UI without a token', async () => {
    const ui = await request(t.url).get('/api').expect(200);
    expect(ui.headers['content-type']).toMatch(/^text\/html/);
    expect(ui.text).toContain('swagger-ui');
    const init = await request(t.url).get('/api/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/factory/eventdata');
  });
});

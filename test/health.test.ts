import { Client } from 'pg';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchGate } from '../src/lifecycle/batch-gate';
import { TEST_PG_URL } from './support/postgres';
import { BACKENDS, startTestApp, type TestApp } from './support/app';

describe.each(BACKENDS)('operations routes on %s', (backend) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('answers GET / and GET /health while the store is up', async () => {
    app = await startTestApp(backend);
    await request(app.url).get('/').expect(200, { message: 'Factory server' });
    const health = await request(app.url).get('/health').expect(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      storage: { provider: backend, status: 'up' },
      cache: { status: 'up' },
    });
  });

  it('answers 503 on GET /health once the store is unreachable, while GET / still answers', async () => {
    app = await startTestApp(backend);
    await request(app.url).get('/health').expect(200);
    if (backend === 'postgres') {
      // Drop the database under the running server: every new connection now fails.
      await dropDatabaseOf(app);
    } else {
      await app.storage.close();
    }
    const health = await request(app.url).get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', storage: { provider: backend, status: 'down' } });
    // The public answer never carries the cause (host names, paths).
    expect(JSON.stringify(health.body)).not.toMatch(/127\.0\.0\.1|leveldb\/|does not exist/);
    await request(app.url).get('/').expect(200, { message: 'Factory server' });
  });

  it('answers 503 shutting_down once a graceful shutdown has begun, so balancers stop routing here', async () => {
    app = await startTestApp(backend);
    await app.app.get(BatchGate).close();
    const health = await request(app.url).get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'shutting_down', storage: { provider: backend, status: 'up' } });
  });
});

async function dropDatabaseOf(app: TestApp): Promise<void> {
  const storage = app.config.storage;
  if (storage.provider !== 'postgres' || !storage.connectionString) throw new Error('expected a postgres test app');
  const name = new URL(storage.connectionString).pathname.slice(1);
  const admin = new Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../support/app';
import { startServer } from '../support/server-process';

/** The real `src/main.ts` in its own process, writing to its real standard output. */
describe('LOG_LEVEL of a server process', () => {
  const root = mkdtempSync(join(tmpdir(), 'cfs-loglevel-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function run(level: string): Promise<{ stdout: string; stderr: string }> {
    const dir = mkdtempSync(join(root, `${level}-`));
    const server = await startServer({
      LOG_LEVEL: level,
      JWT_SECRET: TEST_JWT_SECRET,
      LEVELDB_PATH: join(dir, 'leveldb'),
    });
    try {
      await fetch(`${server.url}/`, { headers: { 'x-request-id': 'level-check-1' } });
      await fetch(`${server.url}/auth/me`, { headers: { authorization: 'Bearer not-a-real-token-Qq3' } });
    } finally {
      await server.stop();
    }
    return server.output;
  }

  it('writes JSON lines to standard output at info, with the request and its id', async () => {
    const { stdout } = await run('info');
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines.some((line) => line.msg === 'Nest application successfully started')).toBe(true);
    expect(lines.find((line) => line.req?.url === '/')).toMatchObject({ level: 30, reqId: 'level-check-1' });
    expect(lines.find((line) => line.req?.url === '/auth/me')).toMatchObject({ level: 40, res: { statusCode: 401 } });
    expect(stdout).not.toContain('not-a-real-token-Qq3');
  });

  it('writes nothing at all when silent', async () => {
    const { stdout, stderr } = await run('silent');
    expect(stdout).toBe('');
    expect(stderr).toBe('');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_JWT_SECRET } from '../support/app';
import { spawnServer, startServer, waitUntilHealthy, type ServerProcess } from '../support/server-process';

const EMAIL = 'live-admin@example.com';
const PASSWORD = 'live-admin-password';

/** A real server process on the embedded store, with a superadmin to save and publish as a desk would. */
export class LiveServer {
  server!: ServerProcess;
  token = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'cfs-live-'));
  private env: Record<string, string> = {
    STORAGE_PROVIDER: 'leveldb',
    LEVELDB_PATH: join(this.dir, 'leveldb'),
    JWT_SECRET: TEST_JWT_SECRET,
    SUPERADMIN_EMAIL: EMAIL,
    SUPERADMIN_PASSWORD: PASSWORD,
  };

  get url(): string {
    return this.server.url;
  }

  async start(): Promise<void> {
    this.server = await startServer(this.env);
    this.env.APP_PORT = String(this.server.port);
    await this.login();
  }

  /** Stops the process and starts it again on the same port and store (as after a deploy). */
  async restart(whileDown: () => Promise<void> = async () => undefined): Promise<void> {
    await this.server.stop();
    await whileDown();
    this.server = await spawnServer(this.env);
    await waitUntilHealthy(this.server);
    await this.login();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async post(path: string, body: object): Promise<any> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as any;
    if (!response.ok || answer?.error) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  save(record: object): Promise<any> {
    return this.post('/factory/save', { tournamentRecord: record });
  }

  mutate(tournamentId: string, methods: Array<{ method: string; params?: object }>): Promise<any> {
    return this.post('/factory', { tournamentIds: [tournamentId], methods });
  }

  private async login(): Promise<void> {
    const response = await fetch(`${this.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    this.token = ((await response.json()) as { token: string }).token;
    if (!this.token) throw new Error('superadmin login failed');
  }
}

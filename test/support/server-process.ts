import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reservedPort } from './ports';

const MAIN = resolve(__dirname, '../../src/main.ts');
const REGISTER = resolve(__dirname, 'swc-register.mjs');

/** How a server process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A real `src/main.ts` running in its own process (compiled on the fly, no build needed). */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Everything printed so far. */
  output: { stdout: string; stderr: string };
  exited: Promise<ProcessExit>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; resolves at once if already gone. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
}

/**
 * Spawns the server with only PATH, the given variables and a free `APP_PORT`; no variable of the
 * test process leaks in. Does not wait for it to listen: see `waitUntilHealthy`.
 */
export async function spawnServer(env: Record<string, string>, cwd?: string): Promise<ServerProcess> {
  const port = env.APP_PORT ? Number(env.APP_PORT) : await reservedPort();
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(REGISTER).href, '-e', `require(${JSON.stringify(MAIN)})`],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env, APP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<ProcessExit>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, ...output })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `/health` until the server answers 200, failing early (with its stderr) if it exits. */
export async function waitUntilHealthy(server: ServerProcess, timeoutMs = 20_000): Promise<unknown> {
  let gone: ProcessExit | undefined;
  void server.exited.then((run) => (gone = run));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`server exited with ${gone.code ?? gone.signal}: ${gone.stderr}`);
    const answer = await fetch(`${server.url}/health`).then(
      async (response) => (response.ok ? ((await response.json()) as unknown) : undefined),
      () => undefined,
    );
    if (answer !== undefined) return answer;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`no healthy answer from ${server.url} within ${timeoutMs} ms: ${server.output.stderr}`);
}

/** `spawnServer` + `waitUntilHealthy`. */
export async function startServer(env: Record<string, string>, cwd?: string): Promise<ServerProcess> {
  const server = await spawnServer(env, cwd);
  try {
    await waitUntilHealthy(server);
  } catch (error) {
    await server.stop('SIGKILL');
    throw error;
  }
  return server;
}

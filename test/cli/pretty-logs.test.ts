import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { wantsPrettyLogs } from '../../src/logging/pretty';
import { TEST_JWT_SECRET } from '../support/app';
import { reservedPort } from '../support/ports';

const ROOT = resolve(__dirname, '..', '..');
/** util-linux `script` runs a command on a pseudo-terminal: how a person at a terminal runs it. */
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
const ESC = String.fromCharCode(27);
const COLOURED_INFO = `${ESC}[32mINFO${ESC}[39m`;

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs `command` on a pseudo-terminal until it exits or `until` matches its output; the output. */
function onTerminal(command: string[], env: Record<string, string>, until?: RegExp): Promise<string> {
  return new Promise((done) => {
    const child = spawn(SCRIPT!, ['-qfec', command.map(quote).join(' '), '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm', JWT_SECRET: TEST_JWT_SECRET, ...env },
      detached: true,
    });
    let output = '';
    const stop = () => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(stop, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) stop();
    });
    child.on('exit', () => {
      clearTimeout(timer);
      done(output);
    });
  });
}

describe('readable logs for people at a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfs-pretty-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are chosen for a terminal outside production only', () => {
    expect(wantsPrettyLogs('development', { isTTY: true })).toBe(true);
    expect(wantsPrettyLogs('test', { isTTY: true })).toBe(true);
    expect(wantsPrettyLogs('production', { isTTY: true })).toBe(false);
    expect(wantsPrettyLogs('development', { isTTY: false })).toBe(false);
    expect(wantsPrettyLogs('development', {})).toBe(false);
  });

  it.skipIf(!SCRIPT)(
    'the CLI prints coloured lines and a progress bar on a terminal, JSON and counts elsewhere',
    async () => {
      const env = { NODE_ENV: 'test', STORAGE_PROVIDER: 'leveldb', LEVELDB_PATH: join(dir, 'cli') };
      const terminal = await onTerminal(
        [process.execPath, 'src/cli/run.mjs', 'export', '--out', join(dir, 'terminal.jsonl')],
        env,
      );
      expect(terminal).toContain(COLOURED_INFO);
      expect(terminal).toContain('exporting the leveldb store to');
      expect(terminal).toMatch(/\rtournaments █+ 0\/0/);

      const piped = await new Promise<string>((done) =>
        execFile(
          process.execPath,
          ['src/cli/run.mjs', 'export', '--out', join(dir, 'piped.jsonl')],
          { cwd: ROOT, env: { PATH: process.env.PATH, JWT_SECRET: TEST_JWT_SECRET, ...env } },
          (_error, _stdout, stderr) => done(stderr),
        ),
      );
      expect(piped).not.toContain(`${ESC}[`);
      expect(piped).toMatch(/^\{"level":30,.*"msg":"exporting the leveldb store to /m);
      expect(piped).toContain('tournaments: 0/0\n');
    },
    60_000,
  );

  it.skipIf(!SCRIPT)(
    'the server (as `pnpm watch` runs it) prints coloured lines on a terminal',
    async () => {
      const register = pathToFileURL(join(ROOT, 'test', 'support', 'swc-register.mjs')).href;
      const output = await onTerminal(
        [process.execPath, '--import', register, '-e', `require(${JSON.stringify(join(ROOT, 'src', 'main.ts'))})`],
        {
          NODE_ENV: 'development',
          LOG_LEVEL: 'info',
          APP_PORT: String(await reservedPort()),
          STORAGE_PROVIDER: 'leveldb',
          LEVELDB_PATH: join(dir, 'server'),
        },
        /successfully started/,
      );
      expect(output).toContain(COLOURED_INFO);
      expect(output).toMatch(/Nest application successfully started/);
      expect(output).not.toMatch(/^\{"level"/m);
    },
    60_000,
  );
});

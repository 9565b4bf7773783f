import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deskAccount, login } from './accounts';
import { medianOfRuns } from './aggregate';
import { prepareTournaments, runBench, type PreparedTournament, type SizeFigures } from './bench';
import { machineInfo } from './machine';
import { parseOptions, USAGE, type CliOptions } from './options';
import { table } from './report';
import { spawnBenchServer, type BenchServer } from './server';

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
let server: BenchServer | undefined;
/** The engine workers the server reports on /health (0: the engine on its main thread). */
let engineWorkers: number | undefined;

/** `pnpm bench [options]`: see docs/benchmarks.md and `pnpm bench --help`. */
async function main(): Promise<number> {
  const cli = parseOptions(process.argv.slice(2));
  if (cli.help) {
    process.stderr.write(USAGE);
    return 0;
  }
  process.once('SIGINT', () => void Promise.resolve(server?.stop()).finally(() => process.exit(130)));
  const started = new Date();
  const machine = machineInfo();
  const prepared = prepareTournaments(cli.bench, progress);
  const runs: Array<Record<string, SizeFigures>> = [];
  for (let run = 1; run <= cli.runs; run++) {
    if (cli.runs > 1) progress(`run ${run} of ${cli.runs}`);
    runs.push(await oneRun(cli, prepared));
  }
  const sizes = runs.length > 1 ? medianOfRuns(runs) : runs[0];
  const summary = {
    bench: 'competition-factory-server',
    schema: 1,
    label: cli.label,
    startedAt: started.toISOString(),
    wallS: Math.round((Date.now() - started.getTime()) / 1000),
    target: {
      url: cli.url ?? 'spawned',
      storage: cli.storage,
      redis: !!cli.redisUrl,
      entry: cli.url ? 'external' : cli.entry,
      logLevel: cli.url ? 'external' : cli.logLevel,
      env: cli.url ? {} : cli.serverEnv,
      engineWorkers,
    },
    machine,
    options: cli.bench,
    runs: runs.length,
    /** With several runs: the median of each figure (the worst of each failure count). */
    sizes,
    perRun: runs.length > 1 ? runs : undefined,
    ok: runs.every((result) => Object.values(result).every((size) => size.ok)),
  };
  const json = JSON.stringify(summary, null, 2);
  if (cli.out) {
    writeFileSync(resolve(cli.out), json + '\n');
    progress(`summary written to ${cli.out}`);
  } else {
    process.stdout.write(json + '\n');
  }
  const heading = runs.length > 1 ? `medians of ${runs.length} runs` : 'one run';
  process.stderr.write(`\n${cli.storage}${cli.redisUrl ? ' + Redis' : ''}, ${heading}\n\n${table(sizes)}\n`);
  return summary.ok ? 0 : 1;
}

/** One run: a fresh server (unless --url), the desk account, every size. */
async function oneRun(
  cli: CliOptions,
  prepared: Record<string, PreparedTournament>,
): Promise<Record<string, SizeFigures>> {
  try {
    let url = cli.url;
    let credentials = cli.credentials;
    if (!url) {
      progress(`starting a server (${cli.storage}${cli.redisUrl ? ' + Redis' : ''}, from ${cli.entry})`);
      server = await spawnBenchServer({
        storage: cli.storage,
        pgUrl: cli.pgUrl,
        redisUrl: cli.redisUrl,
        entry: cli.entry,
        logLevel: cli.logLevel,
        env: cli.serverEnv,
      });
      url = server.url;
      credentials = { token: await login(url, server.superadmin.email, server.superadmin.password) };
    }
    engineWorkers = await workersOf(url);
    await untilWarm(url);
    const account = await deskAccount(url, credentials);
    progress(`desks sign in as ${account.email} (provider ${account.providerId})`);
    return await runBench(url, account, cli.bench, prepared, progress);
  } finally {
    await server?.stop();
    server = undefined;
  }
}

/** `engine.workers` from `/health`; undefined when the server does not say (an older one). */
async function workersOf(url: string): Promise<number | undefined> {
  try {
    const health = (await (await fetch(`${url}/health`)).json()) as { engine?: { workers?: number } };
    return health.engine?.workers;
  } catch {
    return undefined;
  }
}

/**
 * Waits (60 s at most) until every engine worker has warmed up, as an operator waits before sending
 * desks to a new instance: the figures are of a running server, not of its first seconds.
 */
async function untilWarm(url: string): Promise<void> {
  type Health = { engine?: { warmUpBatches?: number; hosts?: Array<{ warmUp?: unknown }> } };
  const deadline = Date.now() + 60_000;
  for (let waited = false; Date.now() < deadline; waited = true) {
    const { engine } = (await (await fetch(`${url}/health`)).json()) as Health;
    if (!engine?.warmUpBatches || (engine.hosts ?? []).every((host) => host.warmUp)) {
      if (waited) progress('engine workers warmed up');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  progress('engine workers still warming up after 60 s: measuring anyway');
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    // A failed fetch says why only in its cause (e.g. the other side closed).
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    process.stderr.write(`[bench] failed: ${error.stack ?? error.message}${cause}\n`);
    process.exit(2);
  },
);

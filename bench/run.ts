import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deskAccount, login } from './accounts';
import { runBench } from './bench';
import { machineInfo } from './machine';
import { parseOptions, USAGE } from './options';
import { table } from './report';
import { spawnBenchServer, type BenchServer } from './server';

/** `pnpm bench [options]`: see docs/benchmarks.md and `pnpm bench --help`. */
async function main(): Promise<number> {
  const cli = parseOptions(process.argv.slice(2));
  if (cli.help) {
    process.stderr.write(USAGE);
    return 0;
  }
  const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const started = new Date();
  const machine = machineInfo();
  let server: BenchServer | undefined;
  const stop = () => server?.stop();
  process.once('SIGINT', () => void Promise.resolve(stop()).finally(() => process.exit(130)));
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
      });
      url = server.url;
      credentials = { token: await login(url, server.superadmin.email, server.superadmin.password) };
    }
    const account = await deskAccount(url, credentials);
    progress(`desks sign in as ${account.email} (provider ${account.providerId})`);
    const sizes = await runBench(url, account, cli.bench, progress);
    const summary = {
      bench: 'competition-factory-server',
      schema: 1,
      label: cli.label,
      startedAt: started.toISOString(),
      wallS: Math.round((Date.now() - started.getTime()) / 1000),
      target: {
        url: server ? 'spawned' : url,
        storage: cli.storage,
        redis: !!cli.redisUrl,
        entry: server ? cli.entry : 'external',
        logLevel: server ? cli.logLevel : 'external',
      },
      machine,
      options: cli.bench,
      sizes,
      ok: Object.values(sizes).every((size) => size.ok),
    };
    const json = JSON.stringify(summary, null, 2);
    if (cli.out) {
      writeFileSync(resolve(cli.out), json + '\n');
      progress(`summary written to ${cli.out}`);
    } else {
      process.stdout.write(json + '\n');
    }
    process.stderr.write(`\n${table(sizes)}\n`);
    return summary.ok ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`[bench] failed: ${error.stack ?? error.message}\n`);
    process.exit(2);
  },
);

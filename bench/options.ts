import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS, type BenchOptions, type Scenario } from './bench';
import { SIZES } from './tournaments';

export const USAGE = `pnpm bench [options]

Starts a server of its own (fresh store, removed afterwards) unless --url names a running one.

  --storage leveldb|postgres   store of the started server; with --url, only the label (default leveldb)
  --redis                      the started server uses Redis (--redis-url, default redis://127.0.0.1:6379)
  --pg-url URL                 PostgreSQL for the throwaway database (default postgres://postgres@127.0.0.1:5432/test)
  --server src|dist            run src/ compiled on the fly (default) or dist/main.js from \`pnpm build\`
  --log-level LEVEL            LOG_LEVEL of the started server (default info, as in production)
  --env KEY=VALUE              more environment for the started server (repeatable), e.g. PUBLIC_CACHE_WARM=false
  --url URL                    drive this running server instead
  --token JWT                  with --url: a client, admin or superadmin token (or BENCH_TOKEN)
  --email E --password P       with --url: sign in instead (or BENCH_EMAIL, BENCH_PASSWORD)
  --keep                       with --url: leave the bench tournaments on the server
  --sizes a,b                  tournament sizes: ${Object.keys(SIZES).join(', ')} (default medium,large)
  --scenarios a,b              ${SCENARIOS.join(', ')} (default all)
  --batches N                  batches of the one-desk scenarios, sequential and bases, and of each
                               phase of mixed (default 100)
  --pace-ms N                  pause between an ack and that desk's next batch (default 0: back to back)
  --warmup N                   untimed batches before it (default 10)
  --duration S                 seconds of each many-desk scenario (default 10)
  --desks N                    desks in the many-desk scenarios (default 8)
  --cold-reads N               cold public reads per route (default 10)
  --read-duration S            seconds of each warm public-read phase (default 5)
  --connections N              concurrent connections of the warm-read phase (default 4)
  --inflight N                 batches sent at once on one tournament in the inflight scenario (default 400)
  --inflight-desks N           desks sending them, all on that tournament (default 1)
  --mixed-readers N            readers requesting cold public event data in the mixed scenario (default 16)
  --cold-loads N               timed loads of a tournament from the store in the cold scenario (default 10)
  --cold-tail N                batches committed just before, for the loads to replay (default 5)
  --floor-limit N              most batches replayed on the engine alone per scenario (default 300)
  --settle-ms N                pause before each floor replay, for the server's background work (default 1500)
  --cache-dir DIR              generated tournaments (default .bench-cache); --no-cache to regenerate
  --out FILE                   write the JSON summary there instead of stdout
  --label TEXT                 a name for this run, kept in the summary
  --runs N                     repeat the whole run N times (a fresh server each) and report medians (default 1)
`;

export interface CliOptions {
  help: boolean;
  url?: string;
  credentials: { token?: string; email?: string; password?: string };
  storage: 'leveldb' | 'postgres';
  redisUrl?: string;
  pgUrl: string;
  entry: 'src' | 'dist';
  logLevel: string;
  serverEnv: Record<string, string>;
  out?: string;
  label?: string;
  runs: number;
  bench: BenchOptions;
}

export function parseOptions(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string' },
      token: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      keep: { type: 'boolean' },
      storage: { type: 'string', default: 'leveldb' },
      redis: { type: 'boolean' },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
      'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      server: { type: 'string', default: 'src' },
      'log-level': { type: 'string', default: 'info' },
      env: { type: 'string', multiple: true },
      sizes: { type: 'string', default: 'medium,large' },
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      batches: { type: 'string', default: '100' },
      'pace-ms': { type: 'string', default: '0' },
      warmup: { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      desks: { type: 'string', default: '8' },
      'cold-reads': { type: 'string', default: '10' },
      'read-duration': { type: 'string', default: '5' },
      connections: { type: 'string', default: '4' },
      inflight: { type: 'string', default: '400' },
      'inflight-desks': { type: 'string', default: '1' },
      'mixed-readers': { type: 'string', default: '16' },
      'cold-loads': { type: 'string', default: '10' },
      'cold-tail': { type: 'string', default: '5' },
      'floor-limit': { type: 'string', default: '300' },
      'settle-ms': { type: 'string', default: '1500' },
      'cache-dir': { type: 'string', default: '.bench-cache' },
      'no-cache': { type: 'boolean' },
      out: { type: 'string' },
      label: { type: 'string' },
      runs: { type: 'string', default: '1' },
    },
  });
  const storage = values.storage;
  if (storage !== 'leveldb' && storage !== 'postgres') throw new Error(`--storage must be leveldb or postgres`);
  const entry = values.server;
  if (entry !== 'src' && entry !== 'dist') throw new Error(`--server must be src or dist`);
  const sizes = list(values.sizes);
  for (const size of sizes) if (!SIZES[size]) throw new Error(`unknown size "${size}"`);
  const scenarios = list(values.scenarios) as Scenario[];
  for (const scenario of scenarios)
    if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${scenario}"`);
  return {
    help: !!values.help,
    url: values.url?.replace(/\/+$/, ''),
    credentials: {
      token: values.token ?? process.env.BENCH_TOKEN,
      email: values.email ?? process.env.BENCH_EMAIL,
      password: values.password ?? process.env.BENCH_PASSWORD,
    },
    storage,
    redisUrl: values.redis ? values['redis-url'] : undefined,
    pgUrl: values['pg-url']!,
    entry,
    logLevel: values['log-level']!,
    serverEnv: Object.fromEntries((values.env ?? []).map(keyValue)),
    out: values.out,
    label: values.label,
    runs: Math.floor(count(values.runs!, 'runs', 1)),
    bench: {
      sizes,
      scenarios,
      batches: count(values.batches!, 'batches', 1),
      paceMs: count(values['pace-ms']!, 'pace-ms', 0),
      warmup: count(values.warmup!, 'warmup', 0),
      durationS: count(values.duration!, 'duration', 0.1),
      desks: count(values.desks!, 'desks', 1),
      coldReads: count(values['cold-reads']!, 'cold-reads', 1),
      readDurationS: count(values['read-duration']!, 'read-duration', 0.1),
      connections: count(values.connections!, 'connections', 1),
      inflight: Math.floor(count(values.inflight!, 'inflight', 1)),
      inflightDesks: Math.floor(count(values['inflight-desks']!, 'inflight-desks', 1)),
      mixedReaders: Math.floor(count(values['mixed-readers']!, 'mixed-readers', 1)),
      coldLoads: Math.floor(count(values['cold-loads']!, 'cold-loads', 1)),
      coldTail: Math.floor(count(values['cold-tail']!, 'cold-tail', 0)),
      floorLimit: count(values['floor-limit']!, 'floor-limit', 1),
      settleMs: count(values['settle-ms']!, 'settle-ms', 0),
      cacheDir: values['no-cache'] ? undefined : resolve(values['cache-dir']!),
      remove: !!values.url && !values.keep,
    },
  };
}

function keyValue(text: string): [string, string] {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(text);
  if (!match) throw new Error(`--env takes KEY=VALUE, got "${text}"`);
  return [match[1], match[2]];
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function count(text: string, name: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number of at least ${min}`);
  return value;
}

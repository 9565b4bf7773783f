// `pnpm start`: builds with `nest build` only when dist/ is missing or older than the sources (and
// the live page's bundle when build/live/ is older than live-page/, and the engine worker's bundle
// when build/engine/ is older than src/), then runs the server in this
// same process, so signals (Ctrl-C, SIGTERM) reach its graceful shutdown.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');
const inputs = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newestChange(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stats.mtimeMs);
}

function builtAt(file = entry) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

const sourcesChanged = Math.max(...inputs.map((input) => newestChange(join(root, input))));
if (builtAt() < sourcesChanged) {
  console.error(builtAt() < 0 ? 'Building the server (first start)...' : 'Sources changed: rebuilding the server...');
  const nest = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'nest.cmd' : 'nest');
  const build = spawnSync(nest, ['build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    console.error(build.error ? `Build could not start: ${build.error.message}` : 'Build failed; not starting.');
    process.exit(build.status ?? 1);
  }
}

if (builtAt(join(root, 'build', 'live', 'live.js')) < newestChange(join(root, 'live-page'))) {
  console.error('Building the live page...');
  const { buildLivePage } = await import('./build-live.mjs');
  await buildLivePage();
}

if (builtAt(join(root, 'build', 'engine', 'worker.cjs')) < newestChange(join(root, 'src'))) {
  console.error('Building the engine worker...');
  const { buildEngineWorker } = await import('./build-engine-worker.mjs');
  await buildEngineWorker();
}

await import(pathToFileURL(entry).href);

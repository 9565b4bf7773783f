// `pnpm build:worker` (also run by `pnpm build`, `pnpm start`, `pnpm watch` and the test setup): bundles the engine
// pool's worker (src/engine/host/worker-main.ts and what it imports from src/) into
// build/engine/worker.cjs. Packages stay external: the worker loads the engine from node_modules.
import { build, context } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const workerFile = join(root, 'build', 'engine', 'worker.cjs');

const options = () => ({
  absWorkingDir: root,
  entryPoints: [join(root, 'src', 'engine', 'host', 'worker-main.ts')],
  outfile: workerFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});

export async function buildEngineWorker() {
  await build(options());
}

/** Rebuilds the bundle whenever a source it includes changes (`pnpm watch`). */
export async function watchEngineWorker() {
  const watching = await context(options());
  await watching.watch();
  return watching;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildEngineWorker();
  console.error(`Engine worker built into ${workerFile}`);
}

// `pnpm watch`: the development server (`nest start --watch`), with the engine worker's bundle
// rebuilt beside it whenever the sources change, so the workers never run older code than the rest.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root, watchEngineWorker } from './build-engine-worker.mjs';

const watching = await watchEngineWorker();
const nest = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'nest.cmd' : 'nest');
const server = spawn(nest, ['start', '--watch'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', async (code) => {
  await watching.dispose();
  process.exit(code ?? 0);
});

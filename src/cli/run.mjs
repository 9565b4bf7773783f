// Starts the admin CLI (src/cli/admin.ts) on the project's Node:
//   node src/cli/run.mjs <create|list|reset-password|set-roles> [--flags]
// Uses the compiled dist/cli/admin.js when it is newer than every source file (a built deployment,
// no dev dependencies needed); otherwise compiles the TypeScript sources in memory with SWC, so a
// fresh clone works right after `pnpm install` and an edited tree never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.sql'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function loadCompiled() {
  const compiled = join(root, 'dist', 'cli', 'admin.js');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < newestSource(join(root, 'src'))) return undefined;
  return require(compiled);
}

function loadSource() {
  let swc;
  try {
    swc = require('@swc/core');
  } catch {
    console.error('dist/ is missing or older than src/, and @swc/core is not installed: run `pnpm build` first.');
    process.exit(1);
  }
  const options = {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  };
  // Same compiler settings as the tests (vitest + SWC): decorators with metadata, CommonJS.
  require.extensions['.ts'] = (module, filename) => {
    const { code } = swc.transformFileSync(filename, { ...options, filename });
    module._compile(code, filename);
  };
  process.setSourceMapsEnabled(true);
  return require(join(root, 'src', 'cli', 'admin.ts'));
}

const cli = loadCompiled() ?? loadSource();
process.exitCode = await cli.main(process.argv.slice(2));

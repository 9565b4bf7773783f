// `pnpm build:live` (also run by `pnpm build`, `pnpm start` and the test setup): bundles the live
// results page (live-page/) into build/live/live.js and build/live/live.css, which the server serves
// at /live-assets/. Minified, no source maps: the page's weight is what a phone on venue Wi-Fi pays.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sourceDir = join(root, 'live-page');
export const outDir = join(root, 'build', 'live');

export async function buildLivePage() {
  await build({
    absWorkingDir: root,
    entryPoints: { live: join(sourceDir, 'src', 'main.ts'), 'live-style': join(sourceDir, 'src', 'live.css') },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildLivePage();
  console.error(`Live page built into ${outDir}`);
}

import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Where `pnpm build:live` (scripts/build-live.mjs) writes the page bundle: the same from src/ and dist/. */
export const LIVE_BUILD_DIR = join(__dirname, '..', '..', 'build', 'live');

export interface LiveAsset {
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  /** Short content hash: the page links `?v=<hash>`, so a new build is fetched at once. */
  hash: string;
}

const FILES: Array<[name: string, file: string, type: string]> = [
  ['live.js', 'live.js', 'text/javascript; charset=utf-8'],
  ['live.css', 'live-style.css', 'text/css; charset=utf-8'],
];

/** The live page's script and style, read once at start and kept gzipped in memory (about 20 KB). */
@Injectable()
export class LiveAssets {
  private readonly logger = new Logger(LiveAssets.name);
  private readonly assets = new Map<string, LiveAsset>();

  constructor() {
    for (const [name, file, type] of FILES) {
      try {
        const body = readFileSync(join(LIVE_BUILD_DIR, file));
        const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
        this.assets.set(name, { name, type, body, gzip: gzipSync(body, { level: 9 }), hash });
      } catch {
        this.logger.warn(`live page asset ${file} is missing in ${LIVE_BUILD_DIR}: run pnpm build:live`);
      }
    }
  }

  get(name: string): LiveAsset | undefined {
    return this.assets.get(name);
  }

  /** False when the bundle was not built: the page answers 503 saying so. */
  get ready(): boolean {
    return this.assets.size === FILES.length;
  }
}

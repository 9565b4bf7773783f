import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One entry of `@courthive/i18n`'s manifest, as TMX and courthive-public read it. */
export interface LocaleEntry {
  code: string;
  label: string;
  nativeLabel: string;
  /** A content hash (`sha256-...`): the locale's ETag, exactly. */
  version: string;
  [field: string]: unknown;
}

export interface LocaleManifest {
  version: string;
  generatedAt: string;
  locales: LocaleEntry[];
}

export interface LocaleFile {
  etag: string;
  json: Buffer;
  gzip: Buffer;
}

/**
 * The translations of the CourtHive clients, from the `@courthive/i18n` package: its manifest is
 * read at start (a few kilobytes); each locale (about 200 KB) is read and gzipped at its first
 * request, then kept. A new package version brings new translations.
 */
export class Locales {
  readonly manifest: LocaleManifest;
  private readonly dir: string;
  private readonly files = new Map<string, LocaleFile>();

  constructor(manifestPath = require.resolve('@courthive/i18n/manifest.json')) {
    this.manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as LocaleManifest;
    this.dir = join(dirname(manifestPath), 'locales');
  }

  /** The locale's file, or undefined for a code the manifest does not list. */
  file(code: string): LocaleFile | undefined {
    const cached = this.files.get(code);
    if (cached) return cached;
    const entry = this.manifest.locales.find((locale) => locale.code === code);
    if (!entry) return undefined;
    // The code comes from the manifest, never from the request: no path can be smuggled in.
    const json = readFileSync(join(this.dir, `${entry.code}.json`));
    // Unquoted on purpose: the clients store the ETag as the locale's version and compare it with the manifest's.
    const file = { etag: entry.version, json, gzip: gzipSync(json) };
    this.files.set(code, file);
    return file;
  }
}

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTournament, SIZES } from '../../bench/tournaments';
import { exportLines, exportToFile } from '../../src/transfer/export';
import { openTestStorage, type TestStore } from '../support/storage';
import { exportLinesOf, exportText } from './helpers';

const COUNT = 200;
const MiB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resident memory now: the total, and (on Linux) its anonymous and file-backed parts. */
function resident(): { rss: number; anon?: number; file?: number } {
  const rss = process.memoryUsage.rss();
  if (!existsSync('/proc/self/status')) return { rss };
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss, anon: kib('RssAnon'), file: kib('RssFile') };
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

/**
 * An export holds one tournament at a time, so its memory does not grow with the store: 200 large
 * tournaments (one generated record stored under 200 ids, straight into storage) are exported
 * while the process's resident memory is sampled (after a short warm-up). PostgreSQL is the source: on LevelDB, RSS also
 * counts the store's memory-mapped table files as they are read (file-backed pages, printed apart).
 */
describe('export memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfs-export-memory-'));
  let store: TestStore;
  let bytes = 0;

  beforeAll(async () => {
    store = await openTestStorage('postgres');
    const large = generateTournament('large', SIZES.large!);
    bytes = large.bytes;
    const at = new Date().toISOString();
    const write = (i: number) => {
      const tournamentId = `memory-${String(i).padStart(3, '0')}`;
      const json = large.json.split(large.tournamentId).join(tournamentId);
      const log = { tournamentId, version: 1, methods: [], userId: 'memory@example.com', at, kind: 'save' as const };
      return store.storage.tournaments.commit([{ tournamentId, version: 1, json, log }]);
    };
    for (let i = 0; i < COUNT; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => write(i + k)));
  }, 120_000);

  afterAll(async () => {
    await store?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`exports ${COUNT} large tournaments with less than 100 MB of RSS growth`, async () => {
    const file = join(dir, 'memory.jsonl.gz');
    gc();
    const cold = resident();
    // A short export first (20 tournaments, thrown away) brings V8's heap to its working size, so
    // the growth below is what the export's length adds, not the collector's first expansion.
    let warmed = 0;
    for await (const text of exportLines(store.storage))
      if (text.startsWith('{"type":"tournament"') && ++warmed === 20) break;
    const before = resident();
    const peak = { ...before };
    const sample = () => {
      const now = resident();
      peak.rss = Math.max(peak.rss, now.rss);
      if (now.anon !== undefined) peak.anon = Math.max(peak.anon ?? 0, now.anon);
      if (now.file !== undefined) peak.file = Math.max(peak.file ?? 0, now.file);
    };
    const sampler = setInterval(sample, 5);
    const started = performance.now();
    try {
      await exportToFile(store.storage, file);
    } finally {
      clearInterval(sampler);
    }
    sample();
    const growth = peak.rss - before.rss;
    const parts =
      before.anon === undefined
        ? ''
        : ` (anonymous +${mib(peak.anon! - before.anon)}, file-backed +${mib(peak.file! - before.file!)})`;
    console.log(
      `export of ${COUNT} large tournaments (${mib(bytes)} MiB each, ${mib(COUNT * bytes)} MiB in all) from PostgreSQL: ` +
        `RSS ${mib(before.rss)} MiB before, peak +${mib(growth)} MiB${parts}, ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s, file ${mib(statSync(file).size)} MiB; ` +
        `from a forced GC before the warm-up (${mib(cold.rss)} MiB): peak +${mib(peak.rss - cold.rss)} MiB`,
    );
    expect(growth / MiB).toBeLessThan(100);
    const lines = exportLinesOf(exportText(file));
    expect(lines.at(-1)).toMatchObject({ type: 'end', counts: { tournament: COUNT, log: COUNT } });
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/config';
import type { PublicReads } from '../../src/public/public-reads.service';
import { PublicWarmer, WARM_QUIET_MS } from '../../src/public/public-warmer';

/** A PublicReads whose warm() burns `busyMs` of CPU, as a cold eventdata computation does. */
function busyReads(busyMs: number, starts: number[]): PublicReads {
  return {
    warm: async () => {
      starts.push(performance.now());
      const until = performance.now() + busyMs;
      while (performance.now() < until);
      return true;
    },
  } as unknown as PublicReads;
}

const config = (warmIntervalMs: number) => ({ publicCache: { warmIntervalMs } }) as AppConfig;

describe('PublicWarmer pacing', () => {
  it('rests four times as long as each warm took, so warming keeps to a fifth of the event loop', async () => {
    const starts: number[] = [];
    const warmer = new PublicWarmer(busyReads(20, starts), config(0));
    warmer.schedule('t1', 2, ['e1', 'e2', 'e3', 'e4']);
    await warmer.idle();
    expect(warmer.warmed).toBe(4);
    for (let i = 1; i < starts.length; i++) {
      // 20 ms of work, then at least 80 ms of rest (a little timer slack allowed).
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(98);
    }
  });

  it('collapses repeated scores of one event into the newest version, at most once per interval', async () => {
    const versions: number[] = [];
    const reads = {
      warm: async (_route: string, _tournamentId: string, version: number) => {
        versions.push(version);
        return true;
      },
    } as unknown as PublicReads;
    const warmer = new PublicWarmer(reads, config(300));
    for (let version = 2; version <= 4; version++) warmer.schedule('t1', version, ['e1']);
    await warmer.idle();
    // Queued together: only the newest is computed.
    expect(versions).toEqual([4]);

    const held = performance.now();
    for (let version = 5; version <= 8; version++) warmer.schedule('t1', version, ['e1']);
    await warmer.idle();
    // Inside the interval: held to its end, then the newest once.
    expect(versions).toEqual([4, 8]);
    expect(performance.now() - held).toBeGreaterThanOrEqual(250);
  });

  it("waits for a tournament's commits to stop, while a quiet tournament is warmed meanwhile", async () => {
    const warmed: Array<{ tournamentId: string; version: number; at: number }> = [];
    const reads = {
      warm: async (_route: string, tournamentId: string, version: number) => {
        warmed.push({ tournamentId, version, at: performance.now() });
        return true;
      },
    } as unknown as PublicReads;
    const warmer = new PublicWarmer(reads, config(0));
    const started = performance.now();
    warmer.schedule('quiet', 2, ['e1']);
    // A desk scoring back to back: a commit every 20 ms for 400 ms.
    let version = 2;
    let lastCommit = 0;
    while (performance.now() - started < 400) {
      warmer.schedule('busy', version++, ['e1']);
      lastCommit = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(warmed.map((w) => w.tournamentId)).toEqual(['quiet']);
    await warmer.idle();
    // Once quiet: one warm, of the newest version.
    expect(warmed.map((w) => [w.tournamentId, w.version])).toEqual([
      ['quiet', 2],
      ['busy', version - 1],
    ]);
    // Measured from the last commit itself (a loaded machine's late sleep after it once ate the margin).
    expect(warmed[1]!.at - lastCommit).toBeGreaterThanOrEqual(WARM_QUIET_MS - 2);
  });
});

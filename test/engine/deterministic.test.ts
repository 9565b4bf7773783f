import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { newSeed, runDeterministic } from '../../src/engine/deterministic';

const RealDate = Date;
const realRandom = Math.random;
const AT = Date.parse('2026-12-01T10:15:30.250Z');

/** `count` values of `Math.random` inside a run with the given inputs. */
function randoms(seed: number, count: number, at = AT): number[] {
  return runDeterministic({ seed, at }, () => Array.from({ length: count }, () => Math.random()));
}

describe('runDeterministic', () => {
  afterEach(() => {
    // A failure inside a run must not leak a swapped global into the next test.
    expect(globalThis.Date).toBe(RealDate);
    expect(Math.random).toBe(realRandom);
  });

  it('gives the same Math.random sequence for the same seed, whatever the clock', () => {
    const first = randoms(42, 1000);
    expect(randoms(42, 1000)).toEqual(first);
    expect(randoms(42, 1000, AT + 86_400_000)).toEqual(first);
    expect(new Set(first).size).toBe(1000);
    for (const value of first) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('gives another sequence for another seed', () => {
    expect(randoms(43, 20)).not.toEqual(randoms(42, 20));
    expect(randoms(0, 20)).not.toEqual(randoms(2 ** 32 - 1, 20));
  });

  it('freezes Date.now(), new Date() and Date() at `at` for the whole run', async () => {
    const seen = runDeterministic({ seed: 1, at: AT }, () => {
      const start = { now: Date.now(), date: new Date().getTime(), text: Date() };
      // Work that takes real time: the frozen clock does not move.
      const until = performance.now() + 20;
      while (performance.now() < until);
      return { start, end: { now: Date.now(), date: new Date().toISOString(), text: Date() } };
    });
    expect(seen.start).toEqual({ now: AT, date: AT, text: new RealDate(AT).toString() });
    expect(seen.end).toEqual({ now: AT, date: '2026-12-01T10:15:30.250Z', text: new RealDate(AT).toString() });
    // And the real clock is back (and moving) afterwards.
    const before = Date.now();
    await sleep(5);
    expect(Date.now()).toBeGreaterThan(before);
    expect(Math.abs(Date.now() - new RealDate().getTime())).toBeLessThan(1000);
  });

  it('still builds dates from arguments, and every date is a Date', () => {
    const outside = new Date(0);
    const made = runDeterministic({ seed: 1, at: AT }, () => ({
      epoch: new Date(0),
      iso: new Date('2020-02-29T12:00:00.000Z'),
      parts: new Date(2021, 5, 15, 9, 30),
      copy: new Date(outside),
      invalid: new Date('not a date'),
      frozen: new Date(),
      utc: Date.UTC(2022, 0, 2),
      parsed: Date.parse('2023-03-04T05:06:07.000Z'),
      isDate: [new Date(), new Date(1), outside].map((d) => d instanceof Date),
      tag: Object.prototype.toString.call(new Date()),
    }));
    expect(made.epoch.getTime()).toBe(0);
    expect(made.iso.toISOString()).toBe('2020-02-29T12:00:00.000Z');
    expect(made.parts.getTime()).toBe(new RealDate(2021, 5, 15, 9, 30).getTime());
    expect(made.copy.getTime()).toBe(0);
    expect(Number.isNaN(made.invalid.getTime())).toBe(true);
    expect(made.frozen.getTime()).toBe(AT);
    expect(made.utc).toBe(RealDate.UTC(2022, 0, 2));
    expect(made.parsed).toBe(RealDate.parse('2023-03-04T05:06:07.000Z'));
    expect(made.isDate).toEqual([true, true, true]);
    expect(made.tag).toBe('[object Date]');
    // Dates made during the run are ordinary Dates once it is over.
    for (const date of [made.epoch, made.iso, made.parts, made.frozen]) {
      expect(date).toBeInstanceOf(Date);
      expect(Object.getPrototypeOf(date)).toBe(RealDate.prototype);
    }
  });

  it('restores Math.random and Date after the work, and answers what the work returned', () => {
    const result = runDeterministic({ seed: 7, at: AT }, () => {
      expect(Math.random).not.toBe(realRandom);
      expect(globalThis.Date).not.toBe(RealDate);
      return 'done';
    });
    expect(result).toBe('done');
    expect(globalThis.Date).toBe(RealDate);
    expect(Math.random).toBe(realRandom);
    expect(Date.now()).not.toBe(AT);
  });

  it('restores Math.random and Date when the work throws', () => {
    expect(() =>
      runDeterministic({ seed: 7, at: AT }, () => {
        Math.random();
        throw new Error('engine blew up');
      }),
    ).toThrow('engine blew up');
    expect(globalThis.Date).toBe(RealDate);
    expect(Math.random).toBe(realRandom);
    // The next run starts its own sequence: nothing of the failed one carries over.
    expect(randoms(7, 5)).toEqual(randoms(7, 5));
  });

  it('refuses asynchronous work, with the globals restored', () => {
    expect(() => runDeterministic({ seed: 7, at: AT }, async () => Math.random())).toThrow(/synchronous/);
    expect(globalThis.Date).toBe(RealDate);
    expect(Math.random).toBe(realRandom);
  });

  it('keeps the outer run’s sequence and clock in a nested run', () => {
    const nested = runDeterministic({ seed: 5, at: AT }, () => {
      const a = Math.random();
      const inner = runDeterministic({ seed: 99, at: 0 }, () => [Math.random(), Date.now()]);
      return [a, ...inner, Math.random(), Date.now()];
    });
    const [r1, r2, r3] = randoms(5, 3);
    expect(nested).toEqual([r1, r2, AT, r3, AT]);
    expect(globalThis.Date).toBe(RealDate);
  });

  it('draws new seeds as 32-bit unsigned integers that vary', () => {
    const seeds = Array.from({ length: 50 }, () => newSeed());
    for (const seed of seeds) {
      expect(Number.isInteger(seed)).toBe(true);
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThan(2 ** 32);
    }
    expect(new Set(seeds).size).toBeGreaterThan(45);
  });
});

describe('code running beside deterministic batches', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('sees the real clock and the real Math.random: a timer and HTTP requests between 400 batches', async () => {
    const SEED = 1234;
    const PER_BATCH = 50;
    // Every value the batches can draw, and the frozen clock: nothing outside may see them.
    const seededValues = new Set(randoms(SEED, PER_BATCH));
    let batchesDone = 0;

    type Sample = { now: number; date: number; random: number; batchesDone: number; realDate: boolean };
    const sample = (): Sample => ({
      now: Date.now(),
      date: new Date().getTime(),
      random: Math.random(),
      batchesDone,
      realDate: globalThis.Date === RealDate && Math.random === realRandom,
    });
    const handled: Sample[] = [];
    server = createServer((request, response) => {
      handled.push(sample());
      response.end('ok');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const ticks: Sample[] = [];
    const timer = setInterval(() => ticks.push(sample()), 1);
    const inside: Array<{ now: number; first: number }> = [];
    const requests: Array<Promise<string>> = [];
    const startedAt = RealDate.now();
    try {
      for (let batch = 0; batch < 400; batch++) {
        if (batch % 10 === 0) requests.push(fetch(url).then((answer) => answer.text()));
        inside.push(
          runDeterministic({ seed: SEED, at: AT }, () => {
            // About a millisecond of engine-like work, drawing from the seeded generator.
            const values = Array.from({ length: PER_BATCH }, () => Math.random());
            const until = performance.now() + 1;
            while (performance.now() < until);
            return { now: Date.now(), first: values[0] };
          }),
        );
        batchesDone++;
        // The awaits the executor makes between batches (store, socket): other work runs here.
        await (batch % 3 === 0 ? sleep(1) : nextTurn());
      }
      expect(await Promise.all(requests)).toEqual(Array(requests.length).fill('ok'));
    } finally {
      clearInterval(timer);
    }
    const endedAt = RealDate.now();

    // The batches themselves ran frozen and seeded.
    const [first] = randoms(SEED, 1);
    expect(inside.every((run) => run.now === AT && run.first === first)).toBe(true);

    // Requests and timer ticks really ran between batches, not only before or after them.
    expect(handled).toHaveLength(40);
    expect(ticks.length).toBeGreaterThan(20);
    const between = (samples: Sample[]) => samples.filter((s) => s.batchesDone > 0 && s.batchesDone < 400);
    expect(between(handled).length).toBeGreaterThanOrEqual(20);
    expect(between(ticks).length).toBeGreaterThanOrEqual(20);

    for (const seen of [...handled, ...ticks]) {
      expect(seen.realDate).toBe(true);
      expect(seen.now).not.toBe(AT);
      expect(seen.now).toBeGreaterThanOrEqual(startedAt);
      expect(seen.now).toBeLessThanOrEqual(endedAt);
      expect(Math.abs(seen.date - seen.now)).toBeLessThanOrEqual(5);
      expect(seededValues.has(seen.random)).toBe(false);
    }
    // The clock moves for them: later samples, later times.
    for (const samples of [handled, ticks]) {
      for (let i = 1; i < samples.length; i++) expect(samples[i].now).toBeGreaterThanOrEqual(samples[i - 1].now);
      expect(samples[samples.length - 1].now).toBeGreaterThan(samples[0].now);
    }
    // And their random values are the real generator's: all different, not one seeded sequence.
    const outsideRandoms = [...handled, ...ticks].map((s) => s.random);
    expect(new Set(outsideRandoms).size).toBe(outsideRandoms.length);
  });
});

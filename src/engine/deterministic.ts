import { randomInt } from 'node:crypto';
import { xoroshiro128plus } from 'pure-rand';

/**
 * What makes one engine run repeatable: the seed of `Math.random` and the frozen clock. Stored with
 * every log entry, so that replaying its directives on the record before it gives the same record.
 */
export interface RunInputs {
  /** Seed of the generator that stands in for `Math.random` (a 32-bit unsigned integer). */
  seed: number;
  /** Epoch ms that `Date.now()` and `new Date()` answer during the run. */
  at: number;
}

const RealDate = Date;
const realRandom = Math.random;
let active = false;

/** A seed for a new batch, from the operating system's generator. */
export function newSeed(): number {
  return randomInt(0, 2 ** 32);
}

/**
 * Runs `work` with `Math.random` drawing from a generator seeded by `seed` and the clock stopped at
 * `at`; both are restored before it returns. The engine's only sources of variation are these two
 * (docs/mutations.md, Replay), and its calls are synchronous: nothing else can run while they are
 * swapped, so timers and requests around a batch always see the real clock and random.
 */
export function runDeterministic<T>({ seed, at }: RunInputs, work: () => T): T {
  // A nested run keeps the outer one's generator: one batch, one sequence.
  if (active) return work();
  const generator = xoroshiro128plus(seed >>> 0);
  const FrozenDate = new Proxy(RealDate, {
    construct: (target, args: unknown[]) => (args.length ? new target(...(args as [string])) : new target(at)),
    apply: () => new RealDate(at).toString(),
    get: (target, key, receiver) => (key === 'now' ? () => at : Reflect.get(target, key, receiver)),
  });
  active = true;
  globalThis.Date = FrozenDate;
  Math.random = () => (generator.unsafeNext() >>> 0) / 4_294_967_296;
  try {
    const result = work();
    if (result instanceof Promise) throw new Error('runDeterministic needs synchronous work');
    return result;
  } finally {
    globalThis.Date = RealDate;
    Math.random = realRandom;
    active = false;
  }
}

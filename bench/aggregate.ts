import { median, round } from './stats';

/** Counts of things that must not happen: across runs the worst is kept, never the median. */
const WORST = new Set([
  'errors',
  'failures',
  'lost',
  'duplicated',
  'versionMismatch',
  'versionGaps',
  'failedButLogged',
  'unexpected',
  'missing',
]);

/** Text that tells what a run found: when the runs differ, each run's, in order. */
const EACH_RUN = new Set(['conflictProbe']);

/**
 * Several runs' results (the same shape) folded into one: the median of every figure, the worst
 * of every failure count, `ok` only if every run was ok. Lists and text come from the first run
 * (but for the findings in EACH_RUN).
 */
export function medianOfRuns<T>(runs: T[]): T {
  return fold(runs as unknown[], '') as T;
}

function fold(values: unknown[], key: string): unknown {
  const first = values[0];
  if (typeof first === 'number') {
    const numbers = values.filter((value): value is number => typeof value === 'number');
    return WORST.has(key) ? Math.max(...numbers) : round(median(numbers));
  }
  if (typeof first === 'boolean') return values.every((value) => value === true);
  if (EACH_RUN.has(key) && values.some((value) => value !== first)) return values.join(', ');
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    const keys = new Set(values.flatMap((value) => (value && typeof value === 'object' ? Object.keys(value) : [])));
    return Object.fromEntries(
      [...keys].map((name) => [
        name,
        fold(
          values.map((value) => (value as Record<string, unknown>)?.[name]).filter((value) => value !== undefined),
          name,
        ),
      ]),
    );
  }
  return first;
}

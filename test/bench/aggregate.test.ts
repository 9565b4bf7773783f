import { describe, expect, it } from 'vitest';
import { medianOfRuns } from '../../bench/aggregate';
import { summarize } from '../../bench/stats';

describe('bench medians of several runs', () => {
  it('takes the median of each figure, the worst failure count, and ok only when every run was ok', () => {
    const run = (p50: number, lost: number, ok: boolean) => ({
      medium: { latencyMs: { p50 }, correctness: { lost, acked: 100 + p50, ok }, label: `p50 ${p50}` },
    });
    expect(medianOfRuns([run(10, 0, true), run(30, 2, false), run(20, 0, true)])).toEqual({
      medium: { latencyMs: { p50: 20 }, correctness: { lost: 2, acked: 120, ok: false }, label: 'p50 10' },
    });
  });

  it("keeps each run's finding when the runs found different things", () => {
    const run = (conflictProbe: string) => ({ medium: { sequentialBases: { conflictProbe } } });
    expect(medianOfRuns([run('refused'), run('refused')])).toEqual(run('refused'));
    expect(medianOfRuns([run('refused'), run('applied'), run('refused')])).toEqual(run('refused, applied, refused'));
  });

  it('summarises latencies with nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(samples)).toMatchObject({ count: 100, p50: 50, p95: 95, p99: 99, min: 1, max: 100, mean: 50.5 });
    expect(summarize([]).count).toBe(0);
  });
});

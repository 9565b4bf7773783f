import { describe, expect, it } from 'vitest';
import { installEngineState } from '../../src/engine/engine-state';
import { EngineCore } from '../../src/engine/host/engine-core';
import { EnginePool } from '../../src/engine/host/engine-pool';
import { warmUp } from '../../src/engine/host/warm-up';
import { mockTournament, testProvider } from '../support/records';

installEngineState();

describe('engine warm-up', () => {
  it('scores its own tournament step by step, then leaves the host as it found it', () => {
    const core = new EngineCore();
    const [realRandom, RealDate] = [Math.random, Date];
    const steps = warmUp(core, 40);
    let step = steps.next();
    let yields = 0;
    for (; !step.done; step = steps.next()) {
      yields++;
      // Between steps the host is free for real requests, with the real clock and random.
      expect([Math.random, Date]).toEqual([realRandom, RealDate]);
    }
    expect(step.value.batches).toBe(40);
    expect(yields).toBeGreaterThanOrEqual(40);
    expect(core.size).toBe(0);
  });

  it('does nothing when asked for no batches', () => {
    const core = new EngineCore();
    const steps = warmUp(core, 0);
    expect(steps.next()).toEqual({ done: true, value: { batches: 0, ms: 0 } });
  });

  it("in a worker, answers requests as they come and warms up between them, as /health's hosts report", async () => {
    const pool = new EnginePool(1, { warmUpBatches: 150 });
    expect(pool.warmUpBatches).toBe(150);
    expect(new EnginePool(0, { warmUpBatches: 150 }).warmUpBatches).toBe(0); // the main thread never does
    try {
      pool.start();
      const record = mockTournament(testProvider());
      const id = record.tournamentId;
      const sent = performance.now();
      const json = JSON.stringify(record);
      await pool.request(0, { type: 'put', tournamentId: id, version: 1, json, updatedAt: new Date().toISOString() });
      const reply = await pool.request<{ version: number; value: unknown }>(0, {
        ...{ type: 'read', tournamentId: id, read: { op: 'name' }, keep: true },
      });
      const answeredMs = performance.now() - sent;
      expect(reply.value).toBe(record.tournamentName);
      // Not queued behind the warm-up's 150 batches (seconds on a fresh thread).
      expect(pool.status()[0].warmUp).toBeUndefined();
      expect(answeredMs).toBeLessThan(2_000);
      await expect
        .poll(() => pool.status()[0].warmUp, { timeout: 60_000, interval: 100 })
        .toMatchObject({
          batches: 150,
        });
      expect(pool.status()[0].held).toBe(1); // the warm-up's own tournament is gone
    } finally {
      await pool.close();
    }
  }, 90_000);
});

import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchGate } from '../../src/lifecycle/batch-gate';
import { handleShutdownSignals } from '../../src/lifecycle/shutdown';

function harness(run: () => Promise<void>, timeoutMs = 1_000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const lines: Array<[level: string, message: string]> = [];
  const logger = {
    log: (message: string) => lines.push(['log', message]),
    warn: (message: string) => lines.push(['warn', message]),
    error: (message: string) => lines.push(['error', message]),
  };
  const on = (event: string, listener: (signal: NodeJS.Signals) => void) => signals.on(event, listener);
  handleShutdownSignals({ run, timeoutMs, signals: { on } as never, exit: (code) => exits.push(code), logger });
  return { signals, exits, lines, errors: () => lines.filter(([level]) => level === 'error') };
}

describe('shutdown signals', () => {
  afterEach(() => vi.useRealTimers());

  it.each(['SIGTERM', 'SIGINT'])('%s runs the shutdown once and exits 0 when it is done', async (signal) => {
    let finish!: () => void;
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const h = harness(run);
    h.signals.emit(signal, signal);
    expect(run).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    expect(h.exits).toEqual([]);
    finish();
    await vi.waitFor(() => expect(h.exits).toEqual([0]));
    expect(h.errors()).toEqual([]);
  });

  it('a shutdown still going at the timeout exits 1 with one line naming SHUTDOWN_TIMEOUT_MS', () => {
    vi.useFakeTimers();
    const h = harness(() => new Promise<void>(() => undefined), 500);
    h.signals.emit('SIGTERM', 'SIGTERM');
    vi.advanceTimersByTime(499);
    expect(h.exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.exits).toEqual([1]);
    expect(h.errors()).toHaveLength(1);
    expect(h.errors()[0]![1]).toContain('SHUTDOWN_TIMEOUT_MS (500 ms)');
  });

  it('a second signal exits 1 at once, without waiting for the shutdown', () => {
    const run = vi.fn(() => new Promise<void>(() => undefined));
    const h = harness(run);
    h.signals.emit('SIGTERM', 'SIGTERM');
    h.signals.emit('SIGINT', 'SIGINT');
    expect(h.exits).toEqual([1]);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('a failed shutdown exits 1 with its reason', async () => {
    const h = harness(() => Promise.reject(new Error('store would not close')));
    h.signals.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(h.exits).toEqual([1]));
    expect(h.errors().map(([, message]) => message)).toEqual(['shutdown failed: store would not close']);
  });
});

describe('BatchGate', () => {
  it('closes at once when nothing runs', async () => {
    const gate = new BatchGate();
    await gate.close();
    expect(gate.isClosing).toBe(true);
  });

  it('waits for admitted batches, refuses new ones with ERR_SHUTTING_DOWN meanwhile', async () => {
    const gate = new BatchGate();
    let finish!: (value: string) => void;
    const running = gate.run(() => new Promise<string>((resolve) => (finish = resolve)));
    expect(gate.inFlight).toBe(1);
    let closed = false;
    const closing = gate.close().then(() => (closed = true));
    await expect(gate.run(async () => 'late')).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    finish('done');
    await expect(running).resolves.toBe('done');
    await closing;
    expect(gate.inFlight).toBe(0);
  });

  it('counts a failed batch as finished', async () => {
    const gate = new BatchGate();
    const failing = gate.run(() => Promise.reject(new Error('engine said no')));
    const closing = gate.close();
    await expect(failing).rejects.toThrow('engine said no');
    await closing;
    expect(gate.inFlight).toBe(0);
  });
});

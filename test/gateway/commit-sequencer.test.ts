import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommitSequencer } from '../../src/gateway/commit-sequencer';

describe('CommitSequencer', () => {
  let out: string[];
  let sequencer: CommitSequencer;
  const send = (label: string) => () => out.push(label);

  beforeEach(() => {
    vi.useFakeTimers();
    out = [];
    sequencer = new CommitSequencer(1000);
  });
  afterEach(() => {
    sequencer.close();
    vi.useRealTimers();
  });

  it('delivers at once what comes in order, and the first version of an unknown tournament', () => {
    sequencer.submit({ t: 7 }, send('t7'));
    sequencer.submit({ t: 8 }, send('t8'));
    sequencer.submit({ u: 1 }, send('u1'));
    expect(out).toEqual(['t7', 't8', 'u1']);
    expect(sequencer.waiting).toBe(0);
  });

  it('holds a commit until its predecessor arrives, then sends both in version order', () => {
    sequencer.observe('t', 3);
    sequencer.submit({ t: 5 }, send('t5'));
    sequencer.submit({ t: 6 }, send('t6'));
    expect(out).toEqual([]);
    sequencer.submit({ t: 4 }, send('t4'));
    expect(out).toEqual(['t4', 't5', 't6']);
  });

  it('keeps tournaments apart: a gap in one holds nothing of another', () => {
    sequencer.observe('t', 1);
    sequencer.observe('u', 1);
    sequencer.submit({ t: 3 }, send('t3'));
    sequencer.submit({ u: 2 }, send('u2'));
    expect(out).toEqual(['u2']);
  });

  it('waits for every tournament of a batch that spans several', () => {
    sequencer.observe('t', 1);
    sequencer.observe('u', 1);
    sequencer.submit({ t: 3, u: 2 }, send('t3u2'));
    expect(out).toEqual([]);
    sequencer.submit({ t: 2 }, send('t2'));
    expect(out).toEqual(['t2', 't3u2']);
  });

  it('gives up on a missing version after the hold time and goes on in order', () => {
    sequencer.observe('t', 1);
    sequencer.submit({ t: 4 }, send('t4'));
    sequencer.submit({ t: 3 }, send('t3'));
    vi.advanceTimersByTime(999);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(['t3', 't4']);
    // The missing version turns up late: sent anyway, and what follows is not held.
    sequencer.submit({ t: 2 }, send('t2'));
    sequencer.submit({ t: 5 }, send('t5'));
    expect(out).toEqual(['t3', 't4', 't2', 't5']);
  });

  it('does not hold when told not to wait (the relay is down)', () => {
    sequencer.observe('t', 1);
    sequencer.submit({ t: 3 }, send('t3'), false);
    expect(out).toEqual(['t3']);
  });

  it('sends held commits of a removed tournament before the removal, then starts it afresh', () => {
    sequencer.observe('t', 1);
    sequencer.submit({ t: 4 }, send('t4'));
    sequencer.submit({ t: 3 }, send('t3'));
    sequencer.removed(['t'], send('removed'));
    expect(out).toEqual(['t3', 't4', 'removed']);
    sequencer.submit({ t: 1 }, send('t1 again'));
    expect(out.at(-1)).toBe('t1 again');
  });

  it('flushes what it holds on close, and a failing delivery does not stop the others', () => {
    const errors: unknown[] = [];
    sequencer = new CommitSequencer(1000, (error) => errors.push(error));
    sequencer.observe('t', 1);
    sequencer.submit({ t: 3 }, () => {
      throw new Error('socket gone');
    });
    sequencer.submit({ t: 4 }, send('t4'));
    sequencer.close();
    expect(out).toEqual(['t4']);
    expect(errors).toHaveLength(1);
    expect(sequencer.waiting).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { HostQueue } from '../../src/engine/host/host-queue';
import type { EngineRequest } from '../../src/engine/host/protocol';

type Item = { name: string; request: EngineRequest };

const batch = (name: string): Item => ({ name, request: { type: 'settle', key: 0, tournamentIds: [name] } });
const read = (name: string, urgent?: boolean): Item => ({
  name,
  request: { type: 'read', tournamentId: name, keep: true, read: { op: 'serialise', above: 0 }, urgent },
});

/** Names in the order the queue hands them out, all at time `now`. */
function order(queue: HostQueue<Item>, now: number): string[] {
  const names: string[] = [];
  for (let item = queue.next(now); item; item = queue.next(now)) names.push(item.name);
  return names;
}

describe('HostQueue', () => {
  it('hands out batches before the reads that arrived first, and snapshot reads in turn with batches', () => {
    const queue = new HostQueue<Item>(200);
    queue.push(read('r1'), 0);
    queue.push(batch('b1'), 1);
    queue.push(read('snapshot', true), 2);
    queue.push(batch('b2'), 3);
    expect(order(queue, 10)).toEqual(['b1', 'snapshot', 'b2', 'r1']);
  });

  it('lets a read that has waited its patience out go before the batches, then no other read for as long', () => {
    const queue = new HostQueue<Item>(200);
    queue.push(read('r1'), 0);
    queue.push(read('r2'), 0);
    for (let i = 0; i < 5; i++) queue.push(batch(`b${i}`), 100);
    expect(queue.next(150)?.name).toBe('b0');
    expect(queue.next(200)?.name).toBe('r1'); // waited 200 ms
    expect(queue.next(210)?.name).toBe('b1'); // r2 is overdue as well, but one read per 200 ms
    expect(queue.next(399)?.name).toBe('b2');
    expect(queue.next(400)?.name).toBe('r2');
    expect(order(queue, 400)).toEqual(['b3', 'b4']);
  });

  it('under a steady stream of batches, still answers reads (every patience interval at least)', () => {
    const queue = new HostQueue<Item>(200);
    const answered: number[] = [];
    for (let i = 0; i < 10; i++) queue.push(read(`r${i}`), 0);
    // A batch arrives every 10 ms and one thing is handled every 10 ms: batches never run out.
    for (let now = 0; now < 2_000; now += 10) {
      queue.push(batch(`b${now}`), now);
      if (queue.next(now)?.name.startsWith('r')) answered.push(now);
    }
    expect(answered).toHaveLength(9);
    for (let i = 1; i < answered.length; i++) expect(answered[i] - answered[i - 1]).toBe(200);
  });
});

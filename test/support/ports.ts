import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for servers a test starts later (a spawned server process, a proxy that is cut and
 * restored). A port from `listen(0)` is the kernel's to hand out again the moment it is released,
 * and in-process test apps listen on 0 all the time: one of them could take the port before the
 * spawned server binds it and answer its /health in its place. So these ports come from below the
 * kernel's ephemeral range (which `listen(0)` and outgoing connections never leave), in a slice of
 * their own per Vitest worker, handed out in turn and checked free by binding them.
 */
const SLICE = 1000;

function ephemeralFloor(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32768;
  } catch {
    return 32768;
  }
}

const worker = Number(process.env.VITEST_POOL_ID ?? 0) || 0;
const slices = Math.max(1, Math.floor((ephemeralFloor() - 10_000) / SLICE));
const first = 10_000 + (worker % slices) * SLICE;
// A worker process that replaces an earlier one of the same slice starts elsewhere in it.
let next = Math.floor(Math.random() * SLICE);

function bindable(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on now and that nothing else in this test run will be handed. */
export async function reservedPort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = first + (next++ % SLICE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${first}..${first + SLICE - 1}`);
}

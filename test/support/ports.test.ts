import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reservedPort } from './ports';

describe('reserved ports for spawned servers', () => {
  it('are distinct and lie below the range listen(0) and outgoing connections draw from', async () => {
    const floor = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 50 }, () => reservedPort()));
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) expect(port).toBeLessThan(floor);
  });
});

import { Agent, request } from 'node:http';

/** POSTs JSON and parses the answer; throws on a non-2xx status (with the body's message). */
export async function postJson<T = any>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Like `postJson`, but an `{ error }` answer (HTTP 200, as the contract has it) throws too. */
export async function postOk<T = any>(url: string, body: unknown, token?: string): Promise<T> {
  const answer = await postJson<T & { error?: unknown }>(url, body, token);
  if (answer && typeof answer === 'object' && 'error' in answer && answer.error) {
    throw new Error(`POST ${new URL(url).pathname}: ${JSON.stringify(answer.error).slice(0, 300)}`);
  }
  return answer;
}

export interface TimedRead {
  ms: number;
  status: number;
  bytes: number;
}

/**
 * Public reads as a site makes them: keep-alive connections (at most `connections`, reused), gzip
 * accepted, the whole body received. The body is not unpacked: that is the browser's time, not the
 * server's.
 */
export class ReadClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    connections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  post(path: string, body: object): Promise<TimedRead> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        `${this.baseUrl}${path}`,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
            'Accept-Encoding': 'gzip',
          },
        },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, bytes }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis, type RedisOptions } from 'ioredis';
import type { Namespace } from 'socket.io';
import { AppConfig } from '../config/config';

export interface BroadcastHealth {
  /** `redis`: several instances share broadcasts; `local`: this process only. */
  provider: 'redis' | 'local';
  status: 'up' | 'down';
}

/** Clients the adapter duplicates (stream reader, pub/sub subscriber): they wait for Redis, never give up. */
const PATIENT: Partial<RedisOptions> = { enableOfflineQueue: true, maxRetriesPerRequest: null };

/**
 * The Socket.IO Redis streams adapter and its Redis connections, when REDIS_URL is set: it
 * carries broadcasts between server instances. Redis is never on a batch's path: the publishing
 * client fails at once while Redis is down (desks on this instance still get everything; the
 * other instances miss what is sent meanwhile), the server starts without Redis, and ioredis
 * keeps reconnecting in the background. Closed at application shutdown, after the Socket.IO
 * server (which stops the adapter's stream reader).
 */
@Injectable()
export class BroadcastLink implements OnApplicationShutdown {
  private readonly logger = new Logger('BroadcastLink');
  private readonly publisher?: Redis;
  private readonly duplicates: Redis[] = [];
  private readonly names?: { streamName: string; channelPrefix: string };
  private reported?: 'up' | 'down';
  private closed = false;

  constructor(config: AppConfig) {
    if (!config.redis) return;
    // Stream and channels carry the key prefix, so deployments (and test runs) sharing a Redis stay apart.
    const base = `${config.redis.keyPrefix}socket.io`;
    this.names = { streamName: base, channelPrefix: base };
    const publisher = new Redis(config.redis.url, {
      // Not lazy: the adapter would connect a lazy client's duplicates itself, and reject unhandled while Redis is down.
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // The adapter fires PUBLISH (server-side emits) without awaiting it; unhandled, a rejection
    // while Redis is down would end the process.
    const publish = loose(publisher.publish.bind(publisher));
    publisher.publish = ((...args: unknown[]) => publish(...args).catch(() => 0)) as Redis['publish'];
    publisher.duplicate = (override?: Partial<RedisOptions>) =>
      this.duplicate({ ...publisher.options, ...PATIENT, ...override });
    this.watch(publisher);
    this.publisher = publisher;
  }

  /** True when REDIS_URL is set (several instances may run). */
  get enabled(): boolean {
    return !!this.publisher;
  }

  /** Every connection to Redis is ready: broadcasts reach the other instances. */
  get up(): boolean {
    return !!this.publisher && [this.publisher, ...this.duplicates].every((client) => client.status === 'ready');
  }

  health(): BroadcastHealth {
    if (!this.publisher) return { provider: 'local', status: 'up' };
    return { provider: 'redis', status: this.up ? 'up' : 'down' };
  }

  /** The adapter for the one Socket.IO server (both namespaces); undefined without Redis. */
  adapter(): ReturnType<typeof createAdapter> | undefined {
    if (!this.publisher || !this.names) return undefined;
    // Only publicUpdate rides the stream (desk commits go over pub/sub): a short stream is plenty.
    return createAdapter(this.publisher, { ...this.names, maxLen: 1000 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed || !this.publisher) return;
    this.closed = true;
    for (const client of [this.publisher, ...this.duplicates]) client.disconnect();
  }

  private duplicate(options: RedisOptions): Redis {
    const client = new Redis(options);
    // Both calls below are made by the adapter without a handler for their rejection.
    const subscribe = loose(client.subscribe.bind(client));
    client.subscribe = ((...args: unknown[]) =>
      subscribe(...args).catch((error: Error) => {
        if (!this.closed) this.logger.warn(`Redis subscribe failed: ${error.message}`);
        return 0;
      })) as Redis['subscribe'];
    // After close the adapter's reader would poll a closed client in a tight loop: park it instead.
    const xread = loose(client.xread.bind(client));
    client.xread = ((...args: unknown[]) =>
      this.closed ? new Promise(() => undefined) : xread(...args)) as Redis['xread'];
    this.watch(client);
    this.duplicates.push(client);
    return client;
  }

  /** Logs once when Redis goes away and once when every connection is back. */
  private watch(client: Redis): void {
    client.on('error', () => undefined); // reported by the close/ready transitions below
    client.on('close', () => {
      if (this.closed || this.reported === 'down') return;
      this.reported = 'down';
      this.logger.warn(
        'Redis unreachable: broadcasts no longer reach the other instances (desks here still get theirs); retrying',
      );
    });
    client.on('ready', () => {
      if (!this.up || this.reported === 'up') return;
      if (this.reported === 'down') this.logger.log('Redis reachable again: cross-instance broadcast resumed');
      this.reported = 'up';
    });
  }
}

/** A command with its overloads erased, to wrap it. */
function loose(command: unknown): (...args: unknown[]) => Promise<unknown> {
  return command as (...args: unknown[]) => Promise<unknown>;
}

/**
 * A server-side emit to the other instances (`packet`: event, arguments and, for answers, a last
 * callback). Called on the adapter, whose promise Socket.IO's own `serverSideEmit` drops: Redis
 * going away mid-call (a restart, a shutdown) is then `onError`, never an unhandled rejection.
 */
export function emitToInstances(namespace: Namespace, packet: unknown[], onError: (error: Error) => void): void {
  const adapter = namespace.adapter as unknown as { serverSideEmit(packet: unknown[]): unknown };
  try {
    const sent = adapter.serverSideEmit(packet);
    if (sent instanceof Promise) sent.catch(onError);
  } catch (error) {
    onError(error as Error);
  }
}

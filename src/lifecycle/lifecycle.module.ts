import { Module } from '@nestjs/common';
import { BatchGate } from './batch-gate';
import { SocketConnections } from './socket-connections';

/**
 * What graceful shutdown needs from inside the app: the batch gate (executor) and the Socket.IO
 * connections (gateway). The sequence itself is in `shutdown.ts`; see docs/lifecycle.md.
 */
@Module({
  providers: [BatchGate, SocketConnections],
  exports: [BatchGate, SocketConnections],
})
export class LifecycleModule {}

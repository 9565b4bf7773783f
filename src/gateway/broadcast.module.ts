import { Global, Module } from '@nestjs/common';
import { BroadcastLink } from './broadcast-link';

/** The cross-instance link (Redis adapter), global so that /health can report it. */
@Global()
@Module({ providers: [BroadcastLink], exports: [BroadcastLink] })
export class BroadcastModule {}

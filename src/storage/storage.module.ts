import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Storage } from './storage.types';

/** Makes the opened store injectable as `Storage` and closes it when the app shuts down. */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(private readonly storage: Storage) {}

  static forRoot(storage: Storage): DynamicModule {
    return { module: StorageModule, providers: [{ provide: Storage, useValue: storage }], exports: [Storage] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}

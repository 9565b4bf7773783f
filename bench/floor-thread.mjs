// One thread of the parallel floor (bench/floor.ts, parallelFloor), with the bench's own TypeScript loading.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import '../test/support/swc-register.mjs';

const { floorThread } = createRequire(import.meta.url)('./floor.ts');
floorThread(parentPort, workerData);

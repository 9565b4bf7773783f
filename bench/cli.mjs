// `pnpm bench`: runs bench/run.ts with the same on-the-fly SWC compilation the tests use (no build).
import { createRequire } from 'node:module';
import '../test/support/swc-register.mjs';

createRequire(import.meta.url)('./run.ts');

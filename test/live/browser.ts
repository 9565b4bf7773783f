import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); CHROMIUM_PATH overrides. Never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run: always in CI (a missing chromium fails there, as .ci/run installs
 * it), and elsewhere only when chromium is installed (else they are skipped with a message).
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM) || process.env.CI) return true;
  console.warn(`live page browser tests skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Containers often run as root without user namespaces; /dev/shm may be small.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

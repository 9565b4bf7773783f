import { ENGINE_VERSION } from '../engine/replay';

/**
 * How a desk's engine differs from the server's: `minor` when major.minor differ (TMX warns, and a
 * desk replaying broadcasts may compute another result than the server stored), `patch` when only
 * the patch level differs, undefined when they match or the desk did not say.
 */
export type EngineSkew = 'minor' | 'patch';

export const SERVER_ENGINE_VERSION: string = ENGINE_VERSION;

const SEMVER = /^(\d+)\.(\d+)(?:\.(\d+))?/;

export function engineSkew(deskVersion: string, serverVersion = SERVER_ENGINE_VERSION): EngineSkew | undefined {
  const desk = SEMVER.exec(deskVersion);
  const server = SEMVER.exec(serverVersion);
  if (!desk || !server) return undefined;
  if (desk[1] !== server[1] || desk[2] !== server[2]) return 'minor';
  return (desk[3] ?? '0') === (server[3] ?? '0') ? undefined : 'patch';
}

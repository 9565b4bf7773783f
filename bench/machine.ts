import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { version as engineVersion } from 'tods-competition-factory';

/** What the figures depend on: the machine, how busy it was at the start, and the code measured. */
export function machineInfo() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()}`,
    node: process.version,
    engine: engineVersion(),
    // Other work on the machine skews every figure: kept so noisy runs can be recognised.
    loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
    git: gitState(),
  };
}

function gitState(): { commit: string; dirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return { commit, dirty: dirty.length > 0 };
  } catch {
    return undefined;
  }
}

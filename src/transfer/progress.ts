/** How often a terminal bar is redrawn at most. */
const REDRAW_MS = 100;
const WIDTH = 30;

/**
 * Progress of a long command on standard error: a bar redrawn in place on a terminal, otherwise a
 * plain line at every tenth (logs and pipes get no control characters).
 */
export function progressReporter(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): (done: number, total: number) => void {
  let drawn = 0;
  let lastTenth = -1;
  return (done, total) => {
    const finished = done >= total;
    if (stream.isTTY) {
      const now = Date.now();
      if (!finished && now - drawn < REDRAW_MS) return;
      drawn = now;
      const filled = total ? Math.round((done / total) * WIDTH) : WIDTH;
      const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
      stream.write(`\r${label} ${bar} ${done}/${total}${finished ? '\n' : ''}`);
      return;
    }
    const tenth = total ? Math.floor((done / total) * 10) : 10;
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    stream.write(`${label}: ${done}/${total}\n`);
  };
}

import { writeBatch, type BatchOp, type Db } from './level-db';

interface Pending {
  ops: BatchOp[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: while one synced write is on its way to the disk, the writes that arrive join the
 * next one, so N commits ready at the same moment cost one fsync instead of N. Each caller's
 * operations stay together (atomic), and its promise resolves once they are durable.
 */
export class GroupWriter {
  private waiting: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Db) {}

  write(ops: BatchOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ ops, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length) {
      const group = this.waiting;
      this.waiting = [];
      try {
        await writeBatch(
          this.db,
          group.flatMap((pending) => pending.ops),
        );
        for (const pending of group) pending.resolve();
      } catch (error) {
        // One bad operation fails the whole group: write each alone so only its own caller fails.
        if (group.length === 1) group[0].reject(error);
        else for (const pending of group) await writeBatch(this.db, pending.ops).then(pending.resolve, pending.reject);
      }
    }
    this.flushing = false;
  }
}

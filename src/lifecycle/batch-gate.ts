import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/errors';

/**
 * Admission of batches (desk batches, REST mutations, uploads, removals). Open until shutdown
 * starts; then new batches are refused with `ERR_SHUTTING_DOWN` while the ones already admitted
 * run to completion, so each batch is either finished and answered, or never started.
 */
@Injectable()
export class BatchGate {
  private closing = false;
  private running = 0;
  private whenDrained: Array<() => void> = [];

  get isClosing(): boolean {
    return this.closing;
  }

  /** Batches admitted and not finished yet. */
  get inFlight(): number {
    return this.running;
  }

  /** Runs `work` as an admitted batch; throws `ERR_SHUTTING_DOWN` once the gate is closing. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) {
      throw new AppError(
        ErrorCode.SHUTTING_DOWN,
        'the server is shutting down; nothing was changed: send the batch again (same ackId) once reconnected',
      );
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running === 0) this.drained();
    }
  }

  /** Stops admitting; resolves once every admitted batch has finished (and been answered). */
  close(): Promise<void> {
    this.closing = true;
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenDrained.push(resolve));
  }

  private drained(): void {
    const waiting = this.whenDrained;
    this.whenDrained = [];
    for (const resolve of waiting) resolve();
  }
}

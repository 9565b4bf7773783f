/**
 * A token bucket per socket: `perWindow` events per `windowMs`, refilled continuously, so a desk
 * may burst up to the whole allowance and then sustain the average rate.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 10_000,
    now = Date.now(),
  ) {
    this.tokens = perWindow;
    this.last = now;
  }

  /** Takes one token; false when the allowance is used up. */
  take(now = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.perWindow, this.tokens + (elapsed * this.perWindow) / this.windowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

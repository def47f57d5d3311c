/**
 * Counts failed calls (bad credentials, refused roles) per subject (a source address, a key) in a
 * fixed window; a subject over its limit is told when to come back. In memory, per gateway
 * process: several gateways each allow the limit.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Seconds until the subject may try again, or 0 when it is not limited. */
  retryAfterSeconds(subject: string): number {
    const window = this.current(subject);
    if (!window || window.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.windowMs - this.now()) / 1000));
  }

  /** Counts a failure; true when it is the one that puts the subject over its limit. */
  fail(subject: string): boolean {
    let window = this.current(subject);
    if (window) window.failures += 1;
    else this.windows.set(subject, (window = { start: this.now(), failures: 1 }));
    if (this.windows.size > 10_000) this.sweep();
    return window.failures === this.limit;
  }

  private current(subject: string): { start: number; failures: number } | undefined {
    const window = this.windows.get(subject);
    if (window && this.now() - window.start >= this.windowMs) {
      this.windows.delete(subject);
      return undefined;
    }
    return window;
  }

  /** Drops ended windows, so addresses that failed once long ago do not accumulate. */
  private sweep(): void {
    for (const subject of [...this.windows.keys()]) this.current(subject);
  }
}

/**
 * Throughput over a sliding window of recent samples. The gateway's job view only has counters,
 * and a rate since the start would hide a stall (or a burst) for the rest of a long backup, so
 * the CLI measures what moved in the last few seconds.
 */
export class RateMeter {
  private readonly samples: Array<{ at: number; value: number }> = [];

  constructor(private readonly windowMs = 5_000) {}

  /** Records a counter reading; readings that go backwards (a restarted job) reset the window. */
  sample(value: number, at = Date.now()): void {
    const last = this.samples[this.samples.length - 1];
    if (last && value < last.value) this.samples.length = 0;
    this.samples.push({ at, value });
    // Keep one sample older than the window so the rate always spans at least the window.
    while (this.samples.length > 2 && at - this.samples[1].at >= this.windowMs) this.samples.shift();
  }

  /** Units per second, or undefined until two readings some time apart exist. */
  rate(): number | undefined {
    if (this.samples.length < 2) return undefined;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.value - first.value) / seconds : undefined;
  }

  /** Milliseconds until `total` at the current rate, when that is knowable. */
  etaMs(total: number | undefined): number | undefined {
    const rate = this.rate();
    const last = this.samples[this.samples.length - 1];
    if (!total || !last || !rate || rate <= 0) return undefined;
    return (Math.max(total - last.value, 0) / rate) * 1000;
  }
}

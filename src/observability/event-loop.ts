/**
 * Event-loop delay over fixed windows (perf_hooks' monitorEventLoopDelay): the
 * last complete window's p50, p99 and max, so a scrape and the dashboard see
 * the same figures, and a stall long ago does not hide in a since-start max.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface LagWindow {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const NS_PER_MS = 1e6;

export class EventLoopLag {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private last: LagWindow = { p50Ms: 0, p99Ms: 0, maxMs: 0 };

  constructor(
    windowMs = 1000,
    private readonly resolutionMs = 10,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.timer = setInterval(() => this.roll(), windowMs);
    this.timer.unref();
  }

  /** The last complete window. */
  peek(): LagWindow {
    return this.last;
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private roll(): void {
    const h = this.histogram;
    // The monitor's own resolution is part of every sample: subtract it out.
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / NS_PER_MS - this.resolutionMs) : 0);
    this.last =
      h.count === 0
        ? { p50Ms: 0, p99Ms: 0, maxMs: 0 }
        : { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    h.reset();
  }
}

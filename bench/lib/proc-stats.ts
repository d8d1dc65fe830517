/** CPU time and resident memory of another process, from /proc (Linux only). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second for /proc/<pid>/stat times (nearly always 100). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** user + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond();
}

/** Resident set size in bytes (VmRSS), or NaN when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Watches one process over a measured interval: CPU as a percentage of one
 * core between `start()` and `stop()`, and peak RSS sampled every `everyMs`
 * from `start()` until `finish()`.
 */
export class ProcessSampler {
  private timer: NodeJS.Timeout | null = null;
  private cpuAtStart = 0;
  private startedAt = 0;
  private cpuPercentValue = Number.NaN;
  private peak = 0;

  constructor(
    readonly pid: number,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.cpuAtStart = cpuSeconds(this.pid);
    this.startedAt = performance.now();
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  /** Ends the CPU interval; RSS sampling continues until `finish()`. */
  stop(): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.cpuPercentValue = ((cpuSeconds(this.pid) - this.cpuAtStart) / seconds) * 100;
    this.sample();
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  get cpuPercent(): number {
    return this.cpuPercentValue;
  }

  get peakRssBytes(): number {
    return this.peak;
  }

  private sample(): void {
    const rss = rssBytes(this.pid);
    if (rss > this.peak) this.peak = rss;
  }
}

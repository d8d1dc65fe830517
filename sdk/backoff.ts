/**
 * Exponential backoff with full jitter: attempt n waits a uniformly random time
 * in [0, min(max, base * 2^n)). With the defaults the ceilings are 1 s, 2 s,
 * 4 s … 30 s. `reset()` after a successful connection starts over.
 */
export interface BackoffOptions {
  /** Ceiling of the first attempt, in ms (default 1000). */
  baseMs?: number;
  /** Largest ceiling, in ms (default 30000). */
  maxMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs)) {
      throw new RangeError('backoff needs 0 < baseMs <= maxMs');
    }
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The ceiling of attempt n (default: the next one). */
  ceiling(n = this.attempt): number {
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 60));
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const ceiling = this.ceiling();
    this.attempt += 1;
    // Clamped so a faulty source cannot reach the ceiling or go negative.
    const draw = this.random();
    const r = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1 - Number.EPSILON) : 0.5;
    return Math.floor(r * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}

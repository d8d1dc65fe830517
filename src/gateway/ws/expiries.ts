/**
 * Token expiries of every connection on one timer. A Timeout per connection
 * costs about 330 bytes of heap, an eighth of a bare `ws` connection, because
 * a delay unlike the others' gets a timer list of its own, and a token's
 * remaining life almost always is unlike the others'. Here a connection costs
 * one entry in the set of the second its token expires in, and one timer ticks
 * each second while any expiry is pending: a token is acted on within a second
 * of expiring.
 */
export class ExpirySchedule<T> {
  private readonly bySecond = new Map<number, Set<T>>();
  private timer: NodeJS.Timeout | null = null;
  /** Every second up to this one has been handled. */
  private handledSecond: number;

  constructor(
    private readonly onExpired: (item: T) => void,
    private readonly now: () => number = Date.now,
    private readonly tickMs = 1000,
  ) {
    this.handledSecond = currentSecond(this.now()) - 1;
  }

  /** `item` expires at `expiresAt` (ms since the epoch); already past, it expires on the next tick. */
  add(item: T, expiresAt: number): void {
    // Idle since the last expiry: nothing is pending, so the walk may start at the present.
    if (!this.timer) this.handledSecond = Math.max(this.handledSecond, currentSecond(this.now()) - 1);
    const second = this.dueSecond(expiresAt);
    let due = this.bySecond.get(second);
    if (!due) {
      due = new Set();
      this.bySecond.set(second, due);
    }
    due.add(item);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
  }

  /** Forgets `item` (its connection closed first); `expiresAt` as given to add(). */
  delete(item: T, expiresAt: number): void {
    const second = this.dueSecond(expiresAt);
    const due = this.bySecond.get(second);
    if (!due) return;
    due.delete(item);
    if (due.size === 0) this.bySecond.delete(second);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bySecond.clear();
  }

  /** The first second whose tick comes at or after `expiresAt`, and never one already handled. */
  private dueSecond(expiresAt: number): number {
    return Math.max(Math.ceil(expiresAt / 1000), this.handledSecond + 1);
  }

  private tick(): void {
    // Seconds are walked one by one, so a tick's cost follows the time elapsed, not the expiries pending.
    const current = currentSecond(this.now());
    for (let second = this.handledSecond + 1; second <= current; second++) {
      const due = this.bySecond.get(second);
      this.handledSecond = second;
      if (!due) continue;
      this.bySecond.delete(second);
      for (const item of due) this.onExpired(item);
    }
    if (this.bySecond.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

/** Second `s` is handled once the clock reaches s × 1000 ms, never before an expiry bucketed in it. */
function currentSecond(ms: number): number {
  return Math.floor(ms / 1000);
}

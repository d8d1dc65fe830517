/**
 * A progress bar on stderr for long benchmark phases (set-up, runs, drains):
 * label, done/total, rate and ETA. On a TTY it redraws one line in place; when
 * stderr is a file or pipe (CI, `npm test`) it prints a plain line every few
 * seconds instead, so logs stay readable.
 */

export interface ProgressOptions {
  /** Where to draw; defaults to process.stderr. */
  stream?: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): boolean };
  /** Unit named in the rate, e.g. "users" → "12.5 users/s". */
  unit?: string;
  /** Non-TTY: at most one line per this many ms (the final line is always printed). */
  plainEveryMs?: number;
  /** Leave the rate out (time-based phases, where it would always be 1 s/s). */
  noRate?: boolean;
  /** Clock, for tests. */
  now?: () => number;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class Progress {
  private done = 0;
  private readonly started: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private finished = false;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly tty: boolean;
  private readonly now: () => number;

  constructor(
    readonly label: string,
    readonly total: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** Sets the count done so far (monotonic); redraws when due. */
  update(done: number): void {
    this.done = Math.min(this.total, Math.max(this.done, done));
    this.draw(false);
  }

  tick(by = 1): void {
    this.update(this.done + by);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.finished) return;
    this.done = Math.max(this.done, 0);
    this.draw(true);
    this.finished = true;
    if (this.tty) this.stream.write('\n');
  }

  /** The line as drawn, without the TTY control characters. */
  line(): string {
    const elapsed = (this.now() - this.started) / 1000;
    const fraction = this.total > 0 ? this.done / this.total : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = this.done >= this.total ? 0 : rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const unit = this.options.unit ? ` ${this.options.unit}` : '';
    return (
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total}` +
      (this.options.noRate ? '' : ` ${rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10}${unit}/s`) +
      ` elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}`
    );
  }

  private draw(final: boolean): void {
    if (this.finished) return;
    const now = this.now();
    const every = this.tty ? REDRAW_MS : (this.options.plainEveryMs ?? 5000);
    if (!final && now - this.lastDraw < every) return;
    this.lastDraw = now;
    if (this.tty) this.stream.write(`\r${this.line()}\x1b[K`);
    else this.stream.write(`${this.line()}\n`);
  }
}

/**
 * A phase measured in time rather than items (a timed load run): a bar that
 * advances every second until `stop()`.
 */
export function timedProgress(label: string, seconds: number, options: ProgressOptions = {}): { stop(): void } {
  const total = Math.max(1, Math.round(seconds));
  const progress = new Progress(label, total, { unit: 's', noRate: true, ...options });
  const started = performance.now();
  progress.update(0);
  const timer = setInterval(() => progress.update(Math.floor((performance.now() - started) / 1000)), 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      progress.update(total);
      progress.finish();
    },
  };
}

/**
 * Runs the push queue: claims due jobs in batches, hands each to the handler
 * of its kind, then completes it or puts it back with exponential backoff.
 * Sleeps until the next job falls due (or a poll interval, for jobs other
 * nodes enqueue); a local enqueue wakes it early.
 */
import type { Logger } from '../observability/logger.js';
import type { Job, PushQueue } from './queue/queue.js';

/** What a handler decided: done (sent, skipped, or given up), or run again at a time. */
export type JobResult = { done: true } | { done: false; retryAt: number; error: string };

export type JobHandler = (job: Job) => Promise<JobResult>;

export interface WorkerOptions {
  pollMs: number;
  /** Jobs claimed at once. */
  batch: number;
  /** How long a claim lasts before another node may take the job over. */
  leaseMs: number;
  /** Attempts before a job that keeps throwing is dropped. */
  maxAttempts: number;
  retryBaseMs: number;
  now?: () => number;
}

const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** base·2^(attempt-1), ±50% jitter so retries of a burst spread out, capped at an hour. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  const exponential = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random()));
}

export class PushWorker {
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly now: () => number;

  constructor(
    private readonly queue: PushQueue,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.wake(this.now());
  }

  /** Runs the queue at `at` at the latest (sooner if already due). */
  wake(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - this.now()));
    this.timer.unref();
  }

  /** Stops claiming; resolves when the jobs in hand are finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'push queue run failed'))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake(this.now());
        }
      });
  }

  private async drain(): Promise<void> {
    try {
      // A read first: polling an idle queue must not cost a write (a disk sync on SQLite).
      const due = await this.queue.nextDueAt();
      if (due === null || due > this.now()) return;
      for (;;) {
        const jobs = await this.queue.claim(this.now(), this.options.batch, this.options.leaseMs);
        await Promise.all(jobs.map((job) => this.run(job)));
        if (jobs.length < this.options.batch || this.stopped) break;
      }
    } finally {
      if (!this.stopped) await this.scheduleNext();
    }
  }

  private async scheduleNext(): Promise<void> {
    const poll = this.now() + this.options.pollMs;
    let next = poll;
    try {
      const due = await this.queue.nextDueAt();
      if (due !== null) next = Math.min(poll, due);
    } catch {
      // The store is unreachable: poll again later.
    }
    this.wake(next);
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers[job.kind];
    let result: JobResult;
    if (!handler) {
      this.logger.error({ kind: job.kind, id: job.id }, 'push job of an unknown kind dropped');
      result = { done: true };
    } else {
      try {
        result = await handler(job);
      } catch (error) {
        if (job.attempt >= this.options.maxAttempts) {
          this.logger.error({ err: error, kind: job.kind, attempt: job.attempt }, 'push job failed for good');
          result = { done: true };
        } else {
          this.logger.warn({ err: error, kind: job.kind, attempt: job.attempt }, 'push job failed; retrying');
          const retryAt = this.now() + backoffMs(job.attempt, this.options.retryBaseMs);
          result = { done: false, retryAt, error: error instanceof Error ? error.message : String(error) };
        }
      }
    }
    try {
      if (result.done) await this.queue.complete(job.id, job.attempt);
      else await this.queue.retry(job.id, job.attempt, result.retryAt, result.error);
    } catch (error) {
      // The lease runs out and the job is claimed again: at least once.
      this.logger.warn({ err: error, kind: job.kind }, 'push job outcome not recorded');
    }
  }
}

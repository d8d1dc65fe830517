/**
 * The durable job queue push runs on: a table in SQLite (embedded) or in
 * PostgreSQL (scale-out, claimed with FOR UPDATE SKIP LOCKED). One contract
 * suite (contract.ts) holds both to the same behaviour.
 *
 * A job is claimed under a lease: a node that dies mid-job leaves it to be
 * claimed again once the lease ends (at-least-once). Completion and retry name
 * the attempt they finish, so a stale worker cannot finish a re-claimed job.
 */

/** Times are epoch milliseconds, given by the caller (the queue reads no clock). */
export interface NewJob {
  kind: string;
  /**
   * Coalescing key: at most one pending (not yet claimed) job per key. A job
   * enqueued while one with its key is pending is merged into it (it keeps its
   * payload and its earlier runAt). Null: never merged.
   */
  key: string | null;
  /** JSON-serialisable. */
  payload: unknown;
  runAt: number;
}

export interface Job {
  id: string;
  kind: string;
  key: string | null;
  payload: unknown;
  /** Attempts so far, this one included (1 on the first claim). */
  attempt: number;
  createdAt: number;
}

export interface EnqueueResult {
  created: number;
  /** Jobs merged into a pending job with the same key. */
  merged: number;
}

export interface PushQueue {
  /** Enqueues the jobs in one durable step. */
  enqueue(jobs: readonly NewJob[]): Promise<EnqueueResult>;
  /**
   * Claims up to `limit` jobs due at `now` (pending with runAt <= now, or
   * claimed earlier with an expired lease), oldest due first, leased until
   * now + leaseMs. Concurrent claims, from any node, never get the same job.
   */
  claim(now: number, limit: number, leaseMs: number): Promise<Job[]>;
  /** Removes the job (done, or given up); false when `attempt` is no longer its current claim. */
  complete(id: string, attempt: number): Promise<boolean>;
  /**
   * Puts the job back to run at `runAt`. When a job with its key became
   * pending meanwhile, the two merge (this one is removed). False when
   * `attempt` is no longer its current claim.
   */
  retry(id: string, attempt: number, runAt: number, error: string): Promise<boolean>;
  /** Jobs not yet completed (pending or claimed). */
  depth(): Promise<number>;
  /** When the next job falls due (a runAt or a lease end), or null when the queue is empty. */
  nextDueAt(): Promise<number | null>;
}

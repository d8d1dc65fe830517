/**
 * PushQueue on PostgreSQL: a table every node polls; claims take rows with
 * FOR UPDATE SKIP LOCKED, so concurrent claimers on any node split the due
 * jobs between them and none is run twice (until its lease ends).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { isUniqueViolation, type Observe, timed } from '../../store/postgres/pool.js';
import { type JobRow, toJob } from '../store/rows.js';
import type { EnqueueResult, Job, NewJob, PushQueue } from './queue.js';

export class PostgresPushQueue implements PushQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  enqueue(jobs: readonly NewJob[]): Promise<EnqueueResult> {
    return timed(this.observe, 'pushQueue.enqueue', async () => {
      if (jobs.length === 0) return { created: 0, merged: 0 };
      // One statement: duplicates of a key within the batch merge like any other.
      const { rowCount } = await this.pool.query(
        `INSERT INTO push_jobs (id, kind, key, payload, state, due_at, created_at)
         SELECT id, kind, key, payload, 'pending', due_at, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS j (id, kind, key, payload, due_at)
         ON CONFLICT (key) WHERE state = 'pending' DO NOTHING`,
        [
          jobs.map(() => randomUUID()),
          jobs.map((job) => job.kind),
          jobs.map((job) => job.key),
          jobs.map((job) => JSON.stringify(job.payload ?? null)),
          jobs.map((job) => Math.floor(job.runAt)),
          Date.now(),
        ],
      );
      const created = rowCount ?? 0;
      return { created, merged: jobs.length - created };
    });
  }

  claim(now: number, limit: number, leaseMs: number): Promise<Job[]> {
    return timed(this.observe, 'pushQueue.claim', async () => {
      const { rows } = await this.pool.query<JobRow>(
        `UPDATE push_jobs j SET state = 'claimed', due_at = $3, attempt = j.attempt + 1
           FROM (SELECT id FROM push_jobs WHERE due_at <= $1 ORDER BY due_at, created_at
                 LIMIT $2 FOR UPDATE SKIP LOCKED) due
          WHERE j.id = due.id
         RETURNING j.id, j.kind, j.key, j.payload, j.attempt, j.created_at`,
        [Math.floor(now), limit, Math.floor(now + leaseMs)],
      );
      return rows.map(toJob).sort((a, b) => a.createdAt - b.createdAt);
    });
  }

  complete(id: string, attempt: number): Promise<boolean> {
    return timed(this.observe, 'pushQueue.complete', () => this.remove(id, attempt));
  }

  retry(id: string, attempt: number, runAt: number, error: string): Promise<boolean> {
    return timed(this.observe, 'pushQueue.retry', async () => {
      try {
        const { rowCount } = await this.pool.query(
          `UPDATE push_jobs SET state = 'pending', due_at = $1, last_error = $2
            WHERE id = $3 AND attempt = $4 AND state = 'claimed'`,
          [Math.floor(runAt), error.slice(0, 1000), id, attempt],
        );
        return (rowCount ?? 0) > 0;
      } catch (err) {
        // A job with the same key became pending meanwhile: it does this one's work.
        if (isUniqueViolation(err)) return this.remove(id, attempt);
        throw err;
      }
    });
  }

  depth(): Promise<number> {
    return timed(this.observe, 'pushQueue.depth', async () => {
      const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM push_jobs');
      return Number(rows[0]?.n ?? 0);
    });
  }

  nextDueAt(): Promise<number | null> {
    return timed(this.observe, 'pushQueue.nextDueAt', async () => {
      const { rows } = await this.pool.query<{ due: number | null }>('SELECT min(due_at) AS due FROM push_jobs');
      const due = rows[0]?.due;
      return due === null || due === undefined ? null : Number(due);
    });
  }

  private async remove(id: string, attempt: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "DELETE FROM push_jobs WHERE id = $1 AND attempt = $2 AND state = 'claimed'",
      [id, attempt],
    );
    return (rowCount ?? 0) > 0;
  }
}

/**
 * PushQueue on SQLite: a table in the embedded database, written by the writer
 * thread like every other store, so a job is on disk before enqueue resolves
 * and survives a restart. One node only.
 */
import { randomUUID } from 'node:crypto';
import { type Db, isSqliteError, type Observe, timed } from '../../store/sqlite/database.js';
import { type JobRow, toJob } from '../store/rows.js';
import type { EnqueueResult, Job, NewJob, PushQueue } from './queue.js';

export class SqlitePushQueue implements PushQueue {
  private readonly statements;
  private readonly enqueueTransaction;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.statements = {
      insert: db.prepare<[string, string, string | null, string, number, number]>(
        `INSERT INTO push_jobs (id, kind, key, payload, state, due_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT (key) WHERE state = 'pending' DO NOTHING`,
      ),
      claim: db.prepare<{ now: number; limit: number; leaseEnd: number }, JobRow>(
        `UPDATE push_jobs SET state = 'claimed', due_at = @leaseEnd, attempt = attempt + 1
          WHERE id IN (SELECT id FROM push_jobs WHERE due_at <= @now ORDER BY due_at, created_at LIMIT @limit)
         RETURNING id, kind, key, payload, attempt, created_at`,
      ),
      complete: db.prepare<[string, number]>(
        "DELETE FROM push_jobs WHERE id = ? AND attempt = ? AND state = 'claimed'",
      ),
      retry: db.prepare<[number, string, string, number]>(
        `UPDATE push_jobs SET state = 'pending', due_at = ?, last_error = ?
          WHERE id = ? AND attempt = ? AND state = 'claimed'`,
      ),
      depth: db.prepare<[], number>('SELECT count(*) FROM push_jobs').pluck(),
      nextDueAt: db.prepare<[], number | null>('SELECT min(due_at) FROM push_jobs').pluck(),
    };
    this.enqueueTransaction = db.transaction((jobs: readonly NewJob[], createdAt: number) => {
      let created = 0;
      for (const job of jobs) {
        const result = this.statements.insert.run(
          randomUUID(),
          job.kind,
          job.key,
          JSON.stringify(job.payload ?? null),
          Math.floor(job.runAt),
          createdAt,
        );
        created += result.changes;
      }
      return { created, merged: jobs.length - created };
    });
  }

  enqueue(jobs: readonly NewJob[]): Promise<EnqueueResult> {
    return timed(this.observe, 'pushQueue.enqueue', () =>
      jobs.length === 0 ? { created: 0, merged: 0 } : this.enqueueTransaction.immediate(jobs, Date.now()),
    );
  }

  claim(now: number, limit: number, leaseMs: number): Promise<Job[]> {
    return timed(this.observe, 'pushQueue.claim', () =>
      this.statements.claim
        .all({ now: Math.floor(now), limit, leaseEnd: Math.floor(now + leaseMs) })
        .map(toJob)
        .sort((a, b) => a.createdAt - b.createdAt),
    );
  }

  complete(id: string, attempt: number): Promise<boolean> {
    return timed(this.observe, 'pushQueue.complete', () => this.statements.complete.run(id, attempt).changes > 0);
  }

  retry(id: string, attempt: number, runAt: number, error: string): Promise<boolean> {
    return timed(this.observe, 'pushQueue.retry', () => {
      try {
        return this.statements.retry.run(Math.floor(runAt), error.slice(0, 1000), id, attempt).changes > 0;
      } catch (err) {
        // A job with the same key became pending meanwhile: it does this one's work.
        if (isSqliteError(err, 'SQLITE_CONSTRAINT_UNIQUE'))
          return this.statements.complete.run(id, attempt).changes > 0;
        throw err;
      }
    });
  }

  depth(): Promise<number> {
    return timed(this.observe, 'pushQueue.depth', () => this.statements.depth.get() ?? 0);
  }

  nextDueAt(): Promise<number | null> {
    return timed(this.observe, 'pushQueue.nextDueAt', () => this.statements.nextDueAt.get() ?? null);
  }
}

/**
 * Group commit for MessageStore.append: drafts of concurrent calls are queued
 * and written in ONE transaction (one WAL sync for the whole batch), each in
 * its own savepoint so a refused draft rejects only its own promise. Promises
 * settle only after COMMIT returned, so an acknowledged message is durable.
 */
import type { AppendResult } from '../stores.js';
import type { MessageDraft } from '../records.js';
import { report, type Db, type Observe } from './database.js';
import type { DraftWriter } from './append.js';

interface Pending {
  draft: MessageDraft;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
  outcome?: { ok: true; result: AppendResult } | { ok: false; error: unknown };
}

export interface GroupCommitOptions {
  /** Most drafts per transaction; the rest waits for the next one. */
  maxBatch?: number;
  observe?: Observe;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly observe: Observe | undefined;
  private readonly commitBatch: (batch: Pending[]) => void;

  constructor(db: Db, writer: DraftWriter, options: GroupCommitOptions = {}) {
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 512));
    this.observe = options.observe;
    // Called inside the batch transaction, better-sqlite3 runs this one as a
    // SAVEPOINT: a throw rolls back this draft only and is rethrown here.
    const appendOne = db.transaction((draft: MessageDraft) => writer.append(draft));
    this.commitBatch = db.transaction((batch: Pending[]) => {
      for (const pending of batch) {
        try {
          pending.outcome = { ok: true, result: appendOne(pending.draft) };
        } catch (error) {
          // An error that aborted the whole transaction (disk full, I/O)
          // leaves nothing to commit: fail the batch.
          if (!db.inTransaction) throw error;
          pending.outcome = { ok: false, error };
        }
      }
    }).immediate;
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(draft: MessageDraft): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ draft, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued, now. Used before other writes and at close. */
  flushAll(): void {
    while (this.queue.length > 0) this.flushOne();
  }

  /** Flushes what is queued and refuses new appends. */
  close(): void {
    this.flushAll();
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushOne();
      // Let other I/O run between full batches.
      if (this.queue.length > 0) this.schedule();
    });
  }

  private flushOne(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    const startedAt = performance.now();
    try {
      this.commitBatch(batch);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the batch is durable.
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      report(this.observe, 'messages.commit_batch', startedAt);
    }
    for (const pending of batch) {
      const outcome = pending.outcome;
      if (outcome?.ok) pending.resolve(outcome.result);
      else pending.reject(outcome ? outcome.error : new Error('draft was not processed'));
    }
  }
}

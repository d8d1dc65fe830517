/**
 * Group commit: the inputs of concurrent calls are queued and written in ONE
 * transaction (one WAL sync for the whole batch), and a refused input rejects
 * only its own promise. Promises settle only after COMMIT returned, so an
 * acknowledged write is durable.
 *
 * Expected refusals (StoreError) are thrown before an input writes anything,
 * so the batch runs without savepoints. Any other error rolls the batch back,
 * and it is replayed with a savepoint per input, which isolates the culprit.
 *
 * BatchCommitter is the mechanism; GroupCommitter applies it to
 * MessageStore.append, and the DeliveryStore to acks and sent marks.
 */

import { StoreError } from '../errors.js';
import type { MessageDraft } from '../records.js';
import type { AppendResult } from '../stores.js';
import type { DraftWriter } from './append.js';
import { type Db, type Observe, report } from './database.js';

interface Pending<I, O> {
  input: I;
  resolve: (result: O) => void;
  reject: (err: unknown) => void;
  outcome?: { ok: true; result: O } | { ok: false; error: unknown };
}

export interface GroupCommitOptions {
  /** Most inputs per transaction; the rest waits for the next one. */
  maxBatch?: number;
  observe?: Observe;
}

export interface BatchCommitOptions extends GroupCommitOptions {
  /** Reported to `observe` with the duration of each batch transaction. */
  operation: string;
  /**
   * false: the batch commits without waiting for the disk (synchronous=NORMAL
   * in WAL mode). For writes whose loss a crash may cost, like delivery acks
   * (a lost ack only means a message is delivered again); the next durable
   * commit syncs them too.
   */
  durable?: boolean;
  /** Runs inside each batch transaction after its inputs, before COMMIT. */
  beforeCommit?: () => void;
}

/** Something holding queued writes that other writes must not overtake. */
export interface Flushable {
  flushAll(): void;
}

export class BatchCommitter<I, O> implements Flushable {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly observe: Observe | undefined;
  private readonly operation: string;
  private readonly fastBatch: (batch: Pending<I, O>[]) => void;
  private readonly isolatedBatch: (batch: Pending<I, O>[]) => void;
  private readonly db: Db;
  private readonly durable: boolean;

  /** `apply` runs inside the batch transaction, once per input, in call order. */
  constructor(db: Db, apply: (input: I) => O, options: BatchCommitOptions) {
    this.db = db;
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 512));
    this.observe = options.observe;
    this.operation = options.operation;
    this.durable = options.durable ?? true;
    const beforeCommit = options.beforeCommit ?? (() => {});
    this.fastBatch = db.transaction((batch: Pending<I, O>[]) => {
      for (const pending of batch) {
        try {
          pending.outcome = { ok: true, result: apply(pending.input) };
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          pending.outcome = { ok: false, error };
        }
      }
      beforeCommit();
    }).immediate;
    // Called inside the batch transaction, better-sqlite3 runs this one as a
    // SAVEPOINT: a throw rolls back this input only and is rethrown here.
    const applyOne = db.transaction(apply);
    this.isolatedBatch = db.transaction((batch: Pending<I, O>[]) => {
      for (const pending of batch) {
        try {
          pending.outcome = { ok: true, result: applyOne(pending.input) };
        } catch (error) {
          // An error that aborted the whole transaction (disk full, I/O)
          // leaves nothing to commit: fail the batch.
          if (!db.inTransaction) throw error;
          pending.outcome = { ok: false, error };
        }
      }
      beforeCommit();
    }).immediate;
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued, now. Used before other writes and at close. */
  flushAll(): void {
    while (this.queue.length > 0) this.flushOne();
  }

  /** Flushes what is queued and refuses new inputs. */
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
    if (!this.durable) this.db.pragma('synchronous = NORMAL');
    try {
      this.commit(batch);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the batch is durable.
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      if (!this.durable) this.db.pragma('synchronous = FULL');
      report(this.observe, this.operation, startedAt);
    }
    for (const pending of batch) {
      const outcome = pending.outcome;
      if (outcome?.ok) pending.resolve(outcome.result);
      else pending.reject(outcome ? outcome.error : new Error('input was not processed'));
    }
  }

  /** The batch without savepoints, or, when an unexpected error rolled it back, with one per input. */
  private commit(batch: Pending<I, O>[]): void {
    try {
      this.fastBatch(batch);
    } catch (error) {
      if (this.db.inTransaction) throw error;
      for (const pending of batch) pending.outcome = undefined;
      this.isolatedBatch(batch);
    }
  }
}

/** Group commit for MessageStore.append, observed as `messages.commit_batch`. */
export class GroupCommitter extends BatchCommitter<MessageDraft, AppendResult> {
  constructor(db: Db, writer: DraftWriter, options: GroupCommitOptions = {}) {
    super(db, (draft) => writer.append(draft), {
      ...options,
      operation: 'messages.commit_batch',
      beforeCommit: () => writer.indexAppended(),
    });
  }
}

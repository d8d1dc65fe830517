/**
 * Group commit: the inputs of concurrent calls are queued and written by ONE
 * statement in ONE transaction per batch (one round trip, one WAL flush). One
 * batch is in flight at a time per committer, so batches commit in call order
 * and the calls arriving meanwhile form the next one. Promises settle only
 * after COMMIT (the statement's own implicit transaction: node-postgres
 * resolves a query at ReadyForQuery, which the server sends after committing).
 *
 * Refusals the batch detects itself (not_member, ...) come back per input.
 * When the statement fails as a whole because of one input (a constraint or a
 * bad value), nothing committed, and the inputs are written again one by one,
 * so that only the faulty one fails. A deadlock or serialization failure
 * reruns the batch.
 */
import { isInputError, type Observe, report, withRetry } from './pool.js';

export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** Writes the inputs in one transaction; one outcome per input, in order. */
export type WriteBatch<I, O> = (inputs: readonly I[]) => Promise<Outcome<O>[]>;

interface Pending<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export interface BatchOptions {
  /** Most inputs per transaction; the rest waits for the next one (default 512). */
  maxBatch?: number;
  observe?: Observe;
}

/** Something holding queued writes that other writes must not overtake. */
export interface Flushable {
  flushAll(): Promise<void>;
}

const noop = () => {};

export class BatchCommitter<I, O> implements Flushable {
  private queue: Pending<I, O>[] = [];
  private draining: Promise<void> | null = null;
  private last: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly maxBatch: number;
  private readonly observe: Observe | undefined;

  constructor(
    private readonly write: WriteBatch<I, O>,
    /** Reported to `observe` with the duration of each batch. */
    private readonly operation: string,
    options: BatchOptions = {},
  ) {
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 512));
    this.observe = options.observe;
  }

  enqueue(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    const promise = new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
    });
    this.last = promise.then(noop, noop);
    this.start();
    return promise;
  }

  /** Resolves once everything queued before the call has settled (batches settle in order). */
  async flushAll(): Promise<void> {
    await this.last;
  }

  /** Refuses new inputs and flushes what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushAll();
  }

  private start(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // Queued between the loop's last check and here.
      if (this.queue.length > 0) this.start();
    });
  }

  private async drain(): Promise<void> {
    // The calls of the current tick join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      await this.commit(this.queue.splice(0, this.maxBatch));
    }
  }

  private async commit(batch: Pending<I, O>[]): Promise<void> {
    const startedAt = performance.now();
    let outcomes: Outcome<O>[];
    try {
      outcomes = await this.writeChecked(batch.map((pending) => pending.input));
    } catch (error) {
      if (batch.length > 1 && isInputError(error)) {
        for (const pending of batch) await this.commitAlone(pending);
      } else {
        for (const pending of batch) pending.reject(error);
      }
      return;
    } finally {
      report(this.observe, this.operation, startedAt);
    }
    for (const [i, pending] of batch.entries()) settle(pending, outcomes[i]);
  }

  private async commitAlone(pending: Pending<I, O>): Promise<void> {
    try {
      settle(pending, (await this.writeChecked([pending.input]))[0]);
    } catch (error) {
      pending.reject(error);
    }
  }

  private writeChecked(inputs: readonly I[]): Promise<Outcome<O>[]> {
    return withRetry(async () => {
      const outcomes = await this.write(inputs);
      if (outcomes.length !== inputs.length) {
        throw new Error(`${this.operation}: ${outcomes.length} outcomes for ${inputs.length} inputs`);
      }
      return outcomes;
    });
  }
}

function settle<I, O>(pending: Pending<I, O>, outcome: Outcome<O> | undefined): void {
  if (outcome?.ok) pending.resolve(outcome.value);
  else pending.reject(outcome ? outcome.error : new Error('input was not processed'));
}

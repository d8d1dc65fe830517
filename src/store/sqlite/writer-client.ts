/** The main thread's side of the writer thread: calls out, results back, both in batches. */
import type { Worker } from 'node:worker_threads';
import { StoreError } from '../errors.js';
import type { Observe } from './database.js';
import type { SqliteStorageOptions } from './direct.js';
import { startThread, threadReady } from './threads.js';
import type { StoreName, WriterReply, WriterRequest, WriterResult } from './writer-protocol.js';

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriterThread {
  private readonly calls = new Map<number, PendingCall>();
  private outgoing: WriterRequest[] = [];
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly observe: Observe | undefined,
  ) {
    worker.on('message', (reply: WriterReply) => this.onReply(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the SQLite writer thread exited (${code})`)));
  }

  static async start(options: SqliteStorageOptions): Promise<WriterThread> {
    const worker = startThread('writer-thread', {
      path: options.path,
      ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    });
    const thread = new WriterThread(worker, options.observe);
    await threadReady(worker);
    return thread;
  }

  call(store: StoreName, method: string, args: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      // Everything called in this turn of the event loop (sends read from many sockets) goes in one message.
      if (this.outgoing.length === 0) setImmediate(() => this.post());
      this.outgoing.push({ id, store, method, args });
    });
  }

  async stop(): Promise<void> {
    this.failure ??= new Error('storage is closed');
    await this.worker.terminate();
  }

  private post(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (this.failure) {
      for (const { id } of batch) this.settle({ id, ok: false }, this.failure);
      return;
    }
    this.worker.postMessage(batch);
  }

  private onReply(reply: WriterReply): void {
    if (reply.type === 'observe') {
      for (const [operation, seconds] of reply.observations) {
        try {
          this.observe?.(operation, seconds);
        } catch {
          // A metrics failure must not fail a store call.
        }
      }
      return;
    }
    if (reply.type !== 'results') return;
    for (const result of reply.results) this.settle(result);
  }

  private settle(result: WriterResult, failure?: Error): void {
    const call = this.calls.get(result.id);
    if (!call) return;
    this.calls.delete(result.id);
    if (failure) call.reject(failure);
    else if (result.ok) call.resolve(result.value);
    else call.reject(storeFailure(result));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const call of this.calls.values()) call.reject(this.failure);
    this.calls.clear();
  }
}

/** The writer's error, rebuilt on this side: a StoreError keeps its kind, a driver error its code. */
function storeFailure(result: WriterResult): Error {
  const { message, kind, code } = result.error ?? { message: 'write failed', kind: undefined, code: undefined };
  return kind ? new StoreError(kind, message) : Object.assign(new Error(message), code ? { code } : {});
}

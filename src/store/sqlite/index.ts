/**
 * Embedded SQLite storage: one file, one process — for a single node only;
 * several nodes need the PostgreSQL storage.
 *
 * Writes run on a writer thread (writer-thread.ts) with synchronous=FULL, so a
 * write resolves only once it is on disk, and the main thread keeps serving
 * sockets while the disk syncs. Reads run here, on a read-only connection: in
 * WAL mode a reader sees a transaction only after its commit (and sync)
 * finished, so nothing not yet durable is ever read, and a write that resolved
 * is visible to the next read.
 */
import { Worker } from 'node:worker_threads';
import { StoreError } from '../errors.js';
import type { Storage } from '../stores.js';
import type { Observe } from './database.js';
import { openDirectStorage, type SqliteStorageOptions } from './direct.js';
import { type StoreName, WRITE_METHODS, type WriterReply, type WriterRequest } from './writer-protocol.js';

export type { SqliteStorageOptions };

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Under tsx (tests, benchmarks) the sources run as .ts, and the thread needs tsx too; built, as .js. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WRITER_URL = new URL(`./writer-thread${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const writer = await WriterThread.start(options);
  let reader: Storage;
  try {
    reader = openDirectStorage({
      path: options.path,
      readOnly: true,
      ...(options.observe ? { observe: options.observe } : {}),
    });
  } catch (error) {
    await writer.stop();
    throw error;
  }
  const route = <T extends object>(store: Exclude<StoreName, 'storage'>, local: T): T => {
    const writes = new Set(WRITE_METHODS[store]);
    return new Proxy(local, {
      get(target, property, receiver) {
        // An own property is an override set on this object (tests wrap methods): it wins.
        if (typeof property === 'string' && writes.has(property) && !Object.hasOwn(target, property)) {
          return (...args: unknown[]) => writer.call(store, property, args);
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  let closing: Promise<void> | undefined;
  return {
    users: route('users', reader.users),
    conversations: route('conversations', reader.conversations),
    messages: route('messages', reader.messages),
    delivery: route('delivery', reader.delivery),
    media: route('media', reader.media),
    ping: async () => {
      await reader.ping();
      await writer.call('storage', 'ping', []);
    },
    close() {
      closing ??= (async () => {
        try {
          await writer.call('storage', 'close', []);
        } finally {
          await writer.stop();
          await reader.close();
        }
      })();
      return closing;
    },
  };
}

class WriterThread {
  private readonly calls = new Map<number, PendingCall>();
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

  static start(options: SqliteStorageOptions): Promise<WriterThread> {
    // A worker does not inherit tsx's loader hooks on Node 20: register them first.
    const entry = FROM_SOURCE
      ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WRITER_URL.href)}); })`
      : WRITER_URL;
    const worker = new Worker(entry, {
      eval: FROM_SOURCE,
      workerData: { path: options.path, ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}) },
    });
    const thread = new WriterThread(worker, options.observe);
    return new Promise((resolve, reject) => {
      const onStart = (reply: WriterReply) => {
        if (reply.type === 'ready') resolve(thread);
        else if (reply.type === 'failed') reject(new Error(reply.message));
        else return;
        worker.off('message', onStart);
      };
      worker.on('message', onStart);
      worker.once('error', reject);
    });
  }

  call(store: StoreName, method: string, args: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, store, method, args } satisfies WriterRequest);
    });
  }

  async stop(): Promise<void> {
    this.failure ??= new Error('storage is closed');
    await this.worker.terminate();
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
    if (reply.type !== 'result') return;
    const call = this.calls.get(reply.id);
    if (!call) return;
    this.calls.delete(reply.id);
    if (reply.ok) {
      call.resolve(reply.value);
      return;
    }
    const { message, kind, code } = reply.error ?? { message: 'write failed', kind: undefined, code: undefined };
    const error = kind ? new StoreError(kind, message) : Object.assign(new Error(message), code ? { code } : {});
    call.reject(error);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const call of this.calls.values()) call.reject(this.failure);
    this.calls.clear();
  }
}

export { toFtsQuery } from './search-query.js';

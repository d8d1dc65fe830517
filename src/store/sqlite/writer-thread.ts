/**
 * The writer thread: owns the only writing connection and runs every store
 * write, so COMMIT's disk sync (a few milliseconds) never blocks the main
 * thread's sockets. Writes that arrive while a sync is in flight queue up and
 * share the next group commit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StoreError } from '../errors.js';
import type { AppendResult, Storage } from '../stores.js';
import { packAppend } from './append-codec.js';
import { openDirectStorage, type SqliteStorageOptions } from './direct.js';
import type { WriterReply, WriterRequest, WriterRequests, WriterResult } from './writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('writer-thread.ts runs as a worker thread');

let observations: [string, number][] = [];
const options = workerData as SqliteStorageOptions;

function reply(message: WriterReply): void {
  port?.postMessage(message);
}

let results: WriterResult[] = [];

/** Results of this turn go back in one message, after the turn's timings. */
function answer(result: WriterResult): void {
  if (results.length === 0) {
    process.nextTick(() => {
      flushObservations();
      reply({ type: 'results', results });
      results = [];
    });
  }
  results.push(result);
}

function flushObservations(): void {
  if (observations.length === 0) return;
  reply({ type: 'observe', observations });
  observations = [];
}

let storage: Storage;
try {
  storage = openDirectStorage({
    path: options.path,
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    checkpointsElsewhere: true,
    observe: (operation, seconds) => {
      observations.push([operation, seconds]);
      if (observations.length === 1) setTimeout(flushObservations, 100).unref();
    },
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  throw error;
}

const inFlight = new Set<Promise<void>>();

port.on('message', (requests: WriterRequests) => {
  for (const request of requests) {
    // close() answers last: the writes it flushes answer first, so none is left unanswered.
    const earlier = request.store === 'storage' && request.method === 'close' ? [...inFlight] : [];
    const work = handle(request, earlier);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }
});

async function handle({ id, store, method, args }: WriterRequest, earlier: Promise<void>[]): Promise<void> {
  try {
    const target = store === 'storage' ? storage : storage[store];
    const fn = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
    if (typeof fn !== 'function') throw new Error(`no store method ${store}.${method}`);
    let value = await fn.apply(target, args);
    if (store === 'messages' && method === 'append') value = packAppend(value as AppendResult);
    await Promise.allSettled(earlier);
    answer({ id, ok: true, value });
  } catch (error) {
    answer({
      id,
      ok: false,
      error: {
        message: error instanceof Error ? error.message : String(error),
        kind: error instanceof StoreError ? error.kind : undefined,
        code: (error as { code?: unknown }).code === undefined ? undefined : String((error as { code?: unknown }).code),
      },
    });
  }
}

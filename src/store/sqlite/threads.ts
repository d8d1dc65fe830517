/** Starts one of the SQLite store's worker threads (the writer, the checkpointer). */
import { Worker } from 'node:worker_threads';

/** Under tsx (tests, benchmarks) the sources run as .ts, and the thread needs tsx too; built, as .js. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

export function startThread(name: 'writer-thread' | 'checkpoint-thread', workerData: unknown): Worker {
  const url = new URL(`./${name}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);
  // A worker does not inherit tsx's loader hooks on Node 20: register them first.
  const entry = FROM_SOURCE
    ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`
    : url;
  return new Worker(entry, { eval: FROM_SOURCE, workerData });
}

/** Resolves once the thread says it is ready, rejects when it says it failed. */
export function threadReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; message?: string }) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new Error(message.message));
      else return;
      worker.off('message', onMessage);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

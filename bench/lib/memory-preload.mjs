/**
 * Preloaded into a measured process (NODE_OPTIONS=--import=<this file>) so a
 * benchmark can read its memory after a full garbage collection and take heap
 * snapshots, the same way for the chat server and for the bare `ws` server it
 * is compared with. With $BENCH_MEMORY_PORT set it listens on 127.0.0.1:PORT:
 *
 * - GET /memory: collects garbage twice, then answers process.memoryUsage() as JSON;
 * - GET /snapshot?file=PATH: writes a V8 heap snapshot to PATH (after a collection).
 *
 * `--expose-gc` is not allowed in NODE_OPTIONS, so the flag is set at run time
 * and `gc` taken from a fresh context.
 */
import { createServer } from 'node:http';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread } from 'node:worker_threads';

const port = Number(process.env.BENCH_MEMORY_PORT);
// Preloads run in worker threads too (the SQLite writer): only the main thread measures.
if (port > 0 && isMainThread) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const collect = () => {
    gc();
    gc();
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://memory');
    try {
      if (url.pathname === '/memory') {
        collect();
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(process.memoryUsage()));
        return;
      }
      const file = url.searchParams.get('file');
      if (url.pathname === '/snapshot' && file) {
        collect();
        writeHeapSnapshot(file);
        response.writeHead(200).end(file);
        return;
      }
      response.writeHead(404).end();
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  server.listen(port, '127.0.0.1');
  // The measuring endpoint must not keep a process alive that is shutting down.
  server.unref();
}

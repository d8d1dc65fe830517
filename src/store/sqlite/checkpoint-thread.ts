/**
 * The checkpoint thread: copies the write-ahead log back into the database
 * file. Left to itself SQLite does this inside a COMMIT on the writer thread
 * every ~4 MB of log, and every send queued behind that commit waits the tens
 * of milliseconds the copy and its disk sync take: the tail of the send
 * latency. A PASSIVE checkpoint on its own connection runs beside the writer
 * without blocking it (the writer keeps a far larger automatic threshold as a
 * safety net, see database.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (!port) throw new Error('checkpoint-thread.ts runs as a worker thread');
const { path, intervalMs } = workerData as { path: string; intervalMs: number };

const db = new Database(path);
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or briefly unable: the next tick tries again, and the writer's own threshold stays.
  }
}, intervalMs);
port.postMessage({ type: 'ready' });

port.on('message', (message: string) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.postMessage({ type: 'stopped' });
  port.close();
});

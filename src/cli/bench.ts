/**
 * `chat bench [NAME…] [--quick]`: runs the benchmark suite (bench/run.ts) with
 * a progress bar on stderr (one step per scenario) while its report streams
 * to stdout; the reports land in bench/results/.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Output } from './output.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Only counts the steps of a bare `chat bench`; bench/run.ts holds the registry. */
const ALL = [
  'store',
  'relay-baseline',
  'direct',
  'group',
  'peer-socketio',
  'peer-ejabberd',
  'cluster',
  'idle',
  'history',
  'reconnect-storm',
  'fanout',
];

export function progressBar(done: number, total: number, label: string, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
}

export function benchCommand(args: string[], out: Output): Promise<number> {
  const names = args.filter((arg) => !arg.startsWith('--'));
  const total = (names.length > 0 ? names : ALL).length;
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let done = -1;
  let current = '';
  const draw = () => {
    if (!tty) return;
    const elapsed = Math.round((Date.now() - started) / 1000);
    process.stderr.write(`\r${progressBar(Math.max(0, done), total, `${current} ${elapsed}s`)}\x1b[K`);
  };
  const timer = setInterval(draw, 1000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const scenario = /^== (\S+)/.exec(line)?.[1];
      if (scenario) {
        done += 1;
        current = scenario;
      }
      if (tty) process.stderr.write('\r\x1b[K');
      out.line(line);
      draw();
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(timer);
      if (pending) out.line(pending);
      done = total;
      current = code === 0 ? 'done' : `failed (${code})`;
      draw();
      if (tty) process.stderr.write('\n');
      resolve(code ?? 1);
    });
  });
}

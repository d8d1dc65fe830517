/** Runs the bare relay (relay.ts) as its own child process, like the server. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface RelayProcess {
  /** ws://127.0.0.1:PORT */
  url: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Starts relay.ts, or another script that prints `listening PORT` the same way (the Socket.IO peer). */
export function startRelayProcess(script = join(import.meta.dirname, 'relay.ts')): Promise<RelayProcess> {
  // tsx only transpiles the script at load time; the running code is plain JavaScript on `ws`.
  const child = spawn(process.execPath, ['--import', 'tsx', script, '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('relay did not start'));
    }, 30_000);
    let output = '';
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}`));
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (!match || child.pid === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const pid = child.pid;
      resolve({
        url: `ws://127.0.0.1:${match[1]}`,
        child,
        pid,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

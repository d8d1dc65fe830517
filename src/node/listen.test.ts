/**
 * The listening socket's accept queue: Node's default (511) overflows when
 * thousands of clients reconnect at once, and each dropped SYN waits a second
 * or more for its retry. For a listening socket, `ss` reports the queue's
 * limit as Send-Q.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startTestServer } from '../testing/server.js';

function acceptQueueLimit(port: number): number {
  const line = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim();
  const [, , sendQ] = line.split(/\s+/);
  return Number(sendQ);
}

describe('listening socket', () => {
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));

  for (const [what, env, wanted] of [
    ['by default', {}, 4096],
    ['as CHAT_LISTEN_BACKLOG says', { CHAT_LISTEN_BACKLOG: '1500' }, 1500],
  ] as const) {
    it(`queues connections ${what}, up to the kernel's cap`, async () => {
      const server = await startTestServer(env);
      try {
        const port = Number(new URL(server.url).port);
        assert.equal(acceptQueueLimit(port), Math.min(wanted, somaxconn));
      } finally {
        await server.close();
      }
    });
  }
});

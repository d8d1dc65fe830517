/** The users and direct conversations a WebSocket load runs on, set up over REST (not measured). */
import { LoadClient } from './http-client.js';
import { Progress } from './progress.js';
import type { PairEndpoints } from './ws-driver.js';

interface Registered {
  user: { id: string };
  token: string;
}

export interface PairSetup {
  /** Starts the usernames, unique per scenario. */
  prefix: string;
  /** The WebSocket URL of the pair's sender (`side` 0) or receiver (1) with its token. */
  wsUrl(pair: number, side: 0 | 1, token: string): string;
}

export async function registerPairs(baseUrl: string, pairs: number, setup: PairSetup): Promise<PairEndpoints[]> {
  const client = new LoadClient(baseUrl, 16);
  const post = async <T>(path: string, body: unknown, token?: string): Promise<T> => {
    const res = await client.request<T>('POST', path, body, token);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const register = (username: string) =>
    post<Registered>('/api/v1/auth/register', { username, password: 'bench-password' });
  const endpoints: PairEndpoints[] = new Array(pairs);
  const progress = new Progress('register pairs', pairs, { unit: 'pairs' });
  let next = 0;
  try {
    // argon2 hashing dominates; a few at a time keeps the server's thread pool busy.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < pairs) {
          const i = next++;
          const sender = await register(`${setup.prefix}_s${i}`);
          const receiver = await register(`${setup.prefix}_r${i}`);
          const { conversation } = await post<{ conversation: { id: string } }>(
            '/api/v1/conversations',
            { type: 'direct', userId: receiver.user.id },
            sender.token,
          );
          endpoints[i] = {
            senderUrl: setup.wsUrl(i, 0, sender.token),
            receiverUrl: setup.wsUrl(i, 1, receiver.token),
            conversationId: conversation.id,
          };
          progress.tick();
        }
      }),
    );
  } finally {
    progress.finish();
    client.close();
  }
  return endpoints;
}

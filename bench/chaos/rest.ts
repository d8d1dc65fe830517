/** A small REST client for the run's own calls (set-up and reading back), retrying through faults. */
import type { StoredMessage } from './history.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RestClient {
  constructor(private readonly baseUrl: string) {}

  /** Retries network errors and 5xx/429 for up to `patienceMs`; other statuses throw. */
  async call<T>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; patienceMs?: number } = {},
  ): Promise<T> {
    const deadline = Date.now() + (options.patienceMs ?? 30_000);
    let last = '';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(this.baseUrl + path, {
          method,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) return JSON.parse(text) as T;
        last = `${res.status} ${text.slice(0, 200)}`;
        if (res.status < 500 && res.status !== 429) break;
      } catch (error) {
        last = String(error);
      }
      await sleep(200);
    }
    throw new Error(`${method} ${path}: ${last}`);
  }

  /** Every stored message of a conversation, in seq order. */
  async allMessages(conversationId: string, token: string): Promise<StoredMessage[]> {
    const all: StoredMessage[] = [];
    let after = 0;
    for (;;) {
      const page = await this.call<{ messages: StoredMessage[]; hasMore: boolean }>(
        'GET',
        `/api/v1/conversations/${conversationId}/messages?after=${after}&limit=200`,
        { token },
      );
      for (const m of page.messages) {
        all.push({
          id: m.id,
          seq: m.seq,
          senderId: m.senderId,
          clientMsgId: m.clientMsgId,
          content: m.content,
          type: m.type,
          ...(m.system ? { system: { event: m.system.event, targetId: m.system.targetId } } : {}),
        });
      }
      const last = page.messages.at(-1);
      if (!page.hasMore || !last) return all;
      after = last.seq;
    }
  }
}

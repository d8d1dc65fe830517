/**
 * One device driven through the SDK's ChatClient for failure tests: it
 * records what the app was handed (per conversation, in order) and which
 * sends the server acknowledged, and counts the retryable refusals it saw.
 * The client reconnects and retries by itself; the test only watches.
 */
import assert from 'node:assert/strict';
import WS from 'ws';
import { ChatClient } from '../../sdk/client.js';
import type { ChatApiError } from '../../sdk/errors.js';
import type { Message } from '../../sdk/protocol.js';
import type { TestUser } from './server.js';
import { waitFor } from './ws.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
  };
}

export class SdkPeer {
  readonly client: ChatClient;
  /** What the app got, per conversation, in order. */
  readonly received = new Map<string, Message[]>();
  /** clientMsgId → stored message, for every send the server acknowledged. */
  readonly acked = new Map<string, Message>();
  /** Error frames and failed REST calls the client reported, by code. */
  readonly errors = new Map<string, number>();
  /** Sends the SDK gave up on (a non-retryable refusal): none expected. */
  readonly failed: { clientMsgId: string; error: ChatApiError }[] = [];
  disconnects = 0;

  constructor(
    readonly user: TestUser,
    baseUrl: string,
  ) {
    this.client = new ChatClient({
      baseUrl,
      token: user.token,
      WebSocket: WS,
      deviceId: `dev-${user.user.id.slice(0, 8)}`,
      storage: memoryStorage(),
      reconnect: { baseMs: 50, maxMs: 400 },
      heartbeatIntervalMs: 700,
      gapWaitMs: 200,
      ackDelayMs: 20,
      sendRetryDelayMs: 100,
    });
    this.client.on('message', (message) => {
      const list = this.received.get(message.conversationId) ?? [];
      list.push(message);
      this.received.set(message.conversationId, list);
    });
    this.client.on('sendAcked', ({ send, message }) => this.acked.set(send.clientMsgId, message));
    this.client.on('sendFailed', ({ send, error }) => this.failed.push({ clientMsgId: send.clientMsgId, error }));
    this.client.on('disconnected', () => {
      this.disconnects++;
    });
    this.client.on('error', (error) => {
      const code = (error as Partial<ChatApiError>).code ?? error.name;
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    });
  }

  /** Queues a send; its acknowledgement shows in `acked`. */
  send(conversationId: string, clientMsgId: string): void {
    this.client.send(conversationId, `message ${clientMsgId}`, { clientMsgId }).catch(() => {});
  }

  seqs(conversationId: string): number[] {
    return (this.received.get(conversationId) ?? []).map((m) => m.seq);
  }

  close(): void {
    this.client.close();
  }
}

/** Resolves once every sender has all its sends acknowledged (the SDK retries on its own). */
export function allAcknowledged(senders: readonly SdkPeer[], sentPerSender: number, timeoutMs = 30_000): Promise<true> {
  return waitFor(
    'every send acknowledged',
    () => (senders.every((p) => p.acked.size === sentPerSender) ? true : undefined),
    timeoutMs,
  );
}

/** Resolves once every device was handed at least `count` messages of the conversation. */
export async function allReceived(
  devices: readonly SdkPeer[],
  conversationId: string,
  count: number,
  timeoutMs = 20_000,
): Promise<void> {
  for (const peer of devices) {
    await waitFor(
      `${peer.user.user.username} received everything`,
      () => (peer.seqs(conversationId).length >= count ? true : undefined),
      timeoutMs,
    );
  }
}

/**
 * The end state after a failure: the store holds every acknowledged send once
 * (as acknowledged) and nothing else of theirs, dense seqs from 1, each sender's sends in
 * its order; every device was handed every stored message once, in seq order.
 */
export function assertAllDelivered(
  history: readonly Message[],
  senders: readonly SdkPeer[],
  devices: readonly SdkPeer[],
  sentPerSender: number,
): void {
  const conversationId = history[0]?.conversationId ?? '';
  assert.deepEqual(
    history.map((m) => m.seq),
    Array.from({ length: history.length }, (_, i) => i + 1),
    'history: dense seqs from 1',
  );
  const senderIds = new Set(senders.map((peer) => peer.user.user.id));
  const stored = history.filter((m) => m.type !== 'system' && senderIds.has(m.senderId));
  const total = senders.length * sentPerSender;
  assert.equal(stored.length, total, "exactly the senders' messages are stored");
  assert.equal(new Set(stored.map((m) => m.clientMsgId)).size, total, 'no clientMsgId stored twice');
  for (const peer of senders) {
    assert.equal(peer.failed.length, 0, `${peer.user.user.username}: no send given up`);
    assert.equal(peer.acked.size, sentPerSender, `${peer.user.user.username}: every send acknowledged`);
    for (const [clientMsgId, message] of peer.acked) {
      const found = stored.find((m) => m.clientMsgId === clientMsgId);
      assert.equal(found?.id, message.id, `acknowledged ${clientMsgId} is stored as acknowledged`);
    }
    const own = stored.filter((m) => m.senderId === peer.user.user.id).map((m) => m.clientMsgId);
    assert.deepEqual(own, [...own].sort(), `${peer.user.user.username}: stored in send order`);
  }
  for (const peer of devices) {
    assert.deepEqual(
      (peer.received.get(conversationId) ?? []).map((m) => m.id),
      history.map((m) => m.id),
      `device of ${peer.user.user.username}: every stored message once, in seq order`,
    );
  }
}

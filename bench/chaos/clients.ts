/**
 * One chaos client: an SDK ChatClient for one user over sockets the run can
 * cut, recording every send attempt, ack, failure, timeout, received message
 * and reconnect in its history.
 */
import { ChatClient } from '../../sdk/client.js';
import { faultySockets, type SocketControl } from '../../sdk/testkit.js';
import type { ClientEvent, ClientHistory } from './history.js';

export interface AckTiming {
  client: number;
  sentAt: number;
  ackedAt: number;
}

export interface ChaosClientOptions {
  index: number;
  userId: string;
  token: string;
  baseUrl: string;
  conversations: string[];
  /** Run start (ms since epoch): event times are relative to it. */
  t0: number;
  sendTimeoutMs: number;
  acks: AckTiming[];
}

export class ChaosClient {
  readonly history: ClientHistory;
  readonly chat: ChatClient;
  readonly conversations: string[];
  private readonly control: SocketControl = { sockets: [] };
  private readonly sentAt = new Map<string, number>();
  private sent = 0;

  constructor(private readonly options: ChaosClientOptions) {
    this.conversations = options.conversations;
    this.history = { client: options.index, userId: options.userId, events: [], resumeFrom: 0 };
    this.chat = new ChatClient({
      baseUrl: options.baseUrl,
      token: options.token,
      WebSocket: faultySockets(this.control),
      deviceId: `chaos-${options.index}`,
      reconnect: { baseMs: 100, maxMs: 2_000 },
      heartbeatIntervalMs: 4_000,
      gapWaitMs: 500,
      ackDelayMs: 100,
      sendRetryDelayMs: 200,
    });
    this.chat.on('message', (m) =>
      this.record({
        at: 0,
        kind: 'recv',
        conversationId: m.conversationId,
        id: m.id,
        seq: m.seq,
        senderId: m.senderId,
        content: m.content,
      }),
    );
    this.chat.on('sendAcked', ({ send, message }) => {
      const sentAt = this.sentAt.get(send.clientMsgId);
      if (sentAt !== undefined) {
        this.sentAt.delete(send.clientMsgId);
        this.options.acks.push({ client: options.index, sentAt, ackedAt: Date.now() });
      }
      this.record({
        at: 0,
        kind: 'ack',
        clientMsgId: send.clientMsgId,
        conversationId: message.conversationId,
        id: message.id,
        seq: message.seq,
      });
    });
    this.chat.on('sendFailed', ({ send, error }) => {
      this.sentAt.delete(send.clientMsgId);
      this.record({ at: 0, kind: 'fail', clientMsgId: send.clientMsgId, code: error.code });
    });
    this.chat.on('connected', () => this.record({ at: 0, kind: 'connected' }));
    this.chat.on('disconnected', ({ code }) => this.record({ at: 0, kind: 'disconnected', code }));
    this.chat.on('error', () => {});
  }

  get open(): boolean {
    return this.chat.state === 'open';
  }

  /** Sends not yet acknowledged or refused. */
  get pending(): number {
    return this.chat.pendingSends().length;
  }

  connect(): Promise<void> {
    return this.chat.connect();
  }

  send(conversationId: string): void {
    const n = this.sent++;
    const clientMsgId = `k${this.options.index}-${n}`;
    const content = `c${this.options.index} #${n} to ${conversationId.slice(0, 8)}`;
    this.sentAt.set(clientMsgId, Date.now());
    this.record({ at: 0, kind: 'send', clientMsgId, conversationId, content });
    this.chat.send(conversationId, content, { clientMsgId }).catch(() => {});
    setTimeout(() => {
      if (this.sentAt.has(clientMsgId)) this.record({ at: 0, kind: 'timeout', clientMsgId });
    }, this.options.sendTimeoutMs).unref();
  }

  /** The client left the conversation: it sends there no more. */
  leave(conversationId: string): void {
    const at = this.conversations.indexOf(conversationId);
    if (at >= 0) this.conversations.splice(at, 1);
  }

  /** Drops the TCP connection without a closing handshake; the SDK reconnects. */
  drop(): void {
    const socket = this.control.sockets.at(-1);
    if (socket?.readyState === 1) {
      this.record({ at: 0, kind: 'drop' });
      socket.cut();
    }
  }

  /** Last seq the app got, per conversation. */
  cursors(): Record<string, number> {
    return this.chat.cursors();
  }

  markResume(): void {
    this.history.resumeFrom = this.history.events.length;
  }

  close(): void {
    this.chat.close();
  }

  private record(event: ClientEvent): void {
    this.history.events.push({ ...event, at: Date.now() - this.options.t0 });
  }
}

/**
 * ChatClient: the REST helpers plus the real-time session — reconnection,
 * ordered exactly-once delivery, delivery acks, the send outbox and typing.
 */
import { Backoff, type BackoffOptions } from './backoff.js';
import { CHANGE_SYNC_REF, ChangeCursors } from './changes.js';
import { Connection, type ConnectionState, type HelloFrame } from './connection.js';
import { ChatApiError } from './errors.js';
import { type ChatEventMap, Emitter, type Listener } from './events.js';
import { Outbox, type PendingSend, type SendOptions } from './outbox.js';
import type { Message, ServerFrame } from './protocol.js';
import { ReceiptSender } from './receipts.js';
import { ReorderBuffer } from './reorder.js';
import { ChatRest, newClientMsgId, type RestOptions, randomHex } from './rest.js';
import { globalWebSocket, missingWebSocket, type WebSocketConstructor, webSocketUrl } from './socket.js';
import { type ChatStorage, ClientState } from './storage.js';
import { TypingNotifier } from './typing.js';

export interface ChatClientOptions extends RestOptions {
  /** Names this device's delivery cursor on the server; generated (and stored, with a storage) when omitted. */
  deviceId?: string;
  /** A WebSocket constructor (the `ws` package in Node); the global `WebSocket` otherwise. */
  WebSocket?: WebSocketConstructor;
  /** Keeps the outbox (and the generated deviceId) across page reloads. */
  storage?: ChatStorage;
  /** Default: `chat-sdk:<user id from the token>[:<deviceId>]`. */
  storageKey?: string;
  /** Last seq the app already has, per conversation: nothing up to it is delivered again. */
  cursors?: Record<string, number>;
  /** Last change number the app already has, per conversation (from `changeCursors()`): missed changes are replayed. */
  changeCursors?: Record<string, number>;
  /** Reconnect backoff: full jitter, ceilings base·2^n up to max (defaults 1 s, 30 s). */
  reconnect?: BackoffOptions;
  /** Ping period (default 30 s); no frame for two periods drops and reconnects. */
  heartbeatIntervalMs?: number;
  /** How long a seq gap may stay open before it is read over REST (default 500 ms). */
  gapWaitMs?: number;
  /** Delivery acks are coalesced for this long (default 100 ms). */
  ackDelayMs?: number;
  /** Typing start renewal and idle stop (default 3 s). */
  typingIntervalMs?: number;
  /** First wait before retrying a send after a retryable error (default 1 s). */
  sendRetryDelayMs?: number;
}

export class ChatClient extends ChatRest {
  readonly deviceId: string;
  private readonly emitter: Emitter<ChatEventMap>;
  private readonly connection: Connection;
  private readonly reorder: ReorderBuffer;
  private readonly changes: ChangeCursors;
  private readonly outbox: Outbox;
  private readonly typingNotifier: TypingNotifier;
  private readonly acks: ReceiptSender;
  private readonly saved: ClientState;
  private readonly socketImpl: WebSocketConstructor | undefined;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private awaitingReplay = false;
  /** The change sync waits for the gap sync's answer (messages first). */
  private changeSyncAfterGaps = false;

  constructor(options: ChatClientOptions) {
    super(options);
    this.emitter = new Emitter<ChatEventMap>((error, event) => {
      if (event !== 'error') this.emitter.emit('error', toError(error));
    });
    this.socketImpl = options.WebSocket ?? globalWebSocket();
    const key = options.storageKey ?? ClientState.defaultKey(options.token, options.deviceId);
    this.saved = new ClientState(options.storage, key);
    const saved = this.saved.load();
    this.deviceId = options.deviceId ?? saved.deviceId ?? `sdk-${randomHex(10)}`;
    const transmit = (frame: Parameters<Connection['send']>[0]) => this.connection.send(frame);
    this.reorder = new ReorderBuffer(
      {
        gapWaitMs: options.gapWaitMs,
        fetchAfter: (conversationId, afterSeq) => this.history(conversationId, { after: afterSeq, limit: 200 }),
        deliver: (conversationId, messages) => {
          for (const message of messages) this.emitter.emit('message', message);
          this.acks.delivered(conversationId);
        },
        onError: (error) => this.emitter.emit('error', toError(error)),
      },
      options.cursors,
    );
    this.changes = new ChangeCursors(options.changeCursors);
    this.acks = new ReceiptSender(transmit, (id) => this.reorder.cursor(id), options.ackDelayMs);
    this.typingNotifier = new TypingNotifier(transmit, options.typingIntervalMs);
    this.outbox = new Outbox(
      {
        transmit,
        changed: (entries) => this.save(entries),
        acked: (send, message) => this.emitter.emit('sendAcked', { send, message }),
        failed: (send, error) => this.emitter.emit('sendFailed', { send, error }),
      },
      { retryDelayMs: options.sendRetryDelayMs },
    );
    this.outbox.restore(saved.outbox ?? []);
    this.connection = new Connection(
      {
        url: () => webSocketUrl(this.baseUrl, this.token, this.deviceId),
        WebSocket: this.socketImpl ?? missingWebSocket,
        backoff: new Backoff(options.reconnect),
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
        isUnauthorized: () => this.tokenRefused(),
      },
      {
        hello: (frame) => this.onHello(frame),
        frame: (frame) => this.onFrame(frame),
        down: (info) => {
          this.outbox.disconnected();
          this.typingNotifier.reset();
          this.awaitingReplay = false;
          this.changeSyncAfterGaps = false;
          this.emitter.emit('disconnected', info);
        },
        closed: (info) => this.shutDown(info, refusal(info)),
      },
    );
  }

  on<K extends keyof ChatEventMap>(event: K, listener: Listener<ChatEventMap[K]>): () => void {
    return this.emitter.on(event, listener);
  }

  once<K extends keyof ChatEventMap>(event: K, listener: Listener<ChatEventMap[K]>): () => void {
    return this.emitter.once(event, listener);
  }

  off<K extends keyof ChatEventMap>(event: K, listener: Listener<ChatEventMap[K]>): void {
    this.emitter.off(event, listener);
  }

  /** `open` once the server said hello; `connecting` while (re)trying. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Connects (and keeps reconnecting); resolves on `hello`, rejects when stopped for good (4401, 4403, `close()`). */
  connect(): Promise<void> {
    if (!this.socketImpl)
      return Promise.reject(new Error('no WebSocket: pass one (e.g. the `ws` package) as the WebSocket option'));
    if (this.connection.state === 'open') return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    // Awaiting callers see the rejection; fire-and-forget callers get no unhandled rejection
    // (the `closed` event reports it too).
    connected.catch(() => {});
    this.reorder.resume();
    this.connection.start();
    return connected;
  }

  /** Closes for good; queued sends stay queued (and stored) for the next `connect()`. */
  close(): void {
    const active = this.connection.state === 'open' || this.connection.state === 'connecting';
    const wasOpen = this.connection.state === 'open';
    this.acks.flush();
    this.connection.stop(1000, 'client closed');
    if (wasOpen)
      this.emitter.emit('disconnected', { code: 1000, reason: 'client closed', willReconnect: false, delayMs: null });
    this.shutDown(active ? { code: 1000, reason: 'client closed' } : null, new Error('client closed'));
  }

  /**
   * Sends a message through the outbox: queued while offline, retried with the
   * same clientMsgId until acknowledged, in order per conversation. Resolves
   * with the stored message; rejects with a ChatApiError if the server refuses it.
   */
  send(conversationId: string, content: string, options: SendOptions = {}): Promise<Message> {
    this.typingNotifier.stop(conversationId);
    const { clientMsgId = newClientMsgId(), ...rest } = options;
    return this.outbox.add({ ...rest, clientMsgId, conversationId, content });
  }

  /** Sends not yet acknowledged, in order. */
  pendingSends(): PendingSend[] {
    return this.outbox.pending();
  }

  /** Everything up to `seq` in the conversation is read (cumulative; sent when online). */
  markRead(conversationId: string, seq: number): void {
    this.acks.read(conversationId, seq);
  }

  /** Call on every keystroke in a conversation's composer. */
  typing(conversationId: string): void {
    this.typingNotifier.keystroke(conversationId);
  }

  stopTyping(conversationId: string): void {
    this.typingNotifier.stop(conversationId);
  }

  /** false while offline. */
  setPresence(status: 'online' | 'idle'): boolean {
    return this.connection.send({ type: 'presence:set', status });
  }

  /** Last seq delivered to the app, per conversation (persist it to pass back as `cursors`). */
  cursors(): Record<string, number> {
    return this.reorder.cursors();
  }

  /** Last change number delivered to the app, per conversation (persist it to pass back as `changeCursors`). */
  changeCursors(): Record<string, number> {
    return this.changes.snapshot();
  }

  private onHello(frame: HelloFrame): void {
    this.userId = frame.userId;
    this.awaitingReplay = true;
    this.emitter.emit('connected', { userId: frame.userId, deviceId: frame.deviceId, serverTime: frame.serverTime });
    this.outbox.connected();
    this.acks.connected();
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message:new':
        this.changes.seen(frame.message.conversationId);
        this.reorder.push(frame.message);
        // Also for a replayed duplicate: its ack may have been lost with the last connection.
        this.acks.delivered(frame.message.conversationId);
        return;
      case 'message:ack':
        this.outbox.ack(frame.clientMsgId, frame.message);
        return;
      case 'message:updated':
        // A numbered edit or deletion seen already (replayed after a live one) is not repeated.
        if (frame.changeSeq !== undefined && !this.changes.accept(frame.message.conversationId, frame.changeSeq))
          return;
        this.emitter.emit('messageUpdated', frame.message);
        return;
      case 'message:reaction': {
        if (!this.changes.accept(frame.conversationId, frame.changeSeq)) return;
        const { type: _type, ...event } = frame;
        this.emitter.emit('reaction', event);
        return;
      }
      case 'conversation:read':
        this.emitter.emit('conversationRead', { conversationId: frame.conversationId, seq: frame.seq });
        return;
      case 'message:preview': {
        const { conversationId, messageId, seq, preview } = frame;
        this.emitter.emit('messagePreview', { conversationId, messageId, seq, preview });
        return;
      }
      case 'message:delivered':
      case 'message:read': {
        const receipt = { conversationId: frame.conversationId, userId: frame.userId, seq: frame.seq };
        this.emitter.emit(frame.type === 'message:read' ? 'read' : 'delivered', receipt);
        return;
      }
      case 'typing:start':
      case 'typing:stop': {
        const typing = frame.type === 'typing:start';
        this.emitter.emit('typing', { conversationId: frame.conversationId, userId: frame.userId, typing });
        return;
      }
      case 'presence:update':
        this.emitter.emit('presence', { userId: frame.userId, status: frame.status, lastSeen: frame.lastSeen });
        return;
      case 'conversation:updated':
        this.emitter.emit('conversationUpdated', frame.conversation);
        return;
      case 'conversation:removed':
        this.emitter.emit('conversationRemoved', { conversationId: frame.conversationId });
        return;
      case 'conversation:state': {
        const { conversationId, pinned, pinnedAt, archived } = frame;
        this.emitter.emit('conversationState', { conversationId, pinned, pinnedAt, archived });
        return;
      }
      case 'conversation:pins':
        this.emitter.emit('conversationPins', { conversationId: frame.conversationId, pins: frame.pins });
        return;
      case 'sync:done': {
        if (frame.ref === 'sdk-gaps' && this.changeSyncAfterGaps) {
          this.changeSyncAfterGaps = false;
          this.connection.send(this.changes.syncFrame());
        }
        if (frame.ref === CHANGE_SYNC_REF) {
          this.changes.adoptHeads(frame.changes ?? {});
          this.emitter.emit('changesSynced', { cursors: this.changes.snapshot() });
          return;
        }
        const initial = this.awaitingReplay;
        this.awaitingReplay = false;
        // The replay is in: a gap still open is asked for again from our cursor.
        const gaps = this.reorder.gaps();
        if (initial && Object.keys(gaps).length > 0) {
          this.connection.send({ type: 'sync', conversations: gaps, ref: 'sdk-gaps' });
          this.changeSyncAfterGaps = true;
        } else if (initial) {
          // After the messages: then every change replayed is about a message the app has.
          this.connection.send(this.changes.syncFrame());
        }
        this.acks.flush();
        this.emitter.emit('synced', { initial });
        return;
      }
      case 'error': {
        const error = ChatApiError.fromFrame(frame.code, frame.message);
        if (frame.clientMsgId !== undefined && this.outbox.fail(frame.clientMsgId, error)) return;
        this.emitter.emit('error', error);
        return;
      }
      default:
        return;
    }
  }

  private shutDown(closed: { code: number; reason: string } | null, reason: Error): void {
    this.outbox.close();
    this.acks.close();
    this.typingNotifier.reset();
    this.reorder.pause();
    this.awaitingReplay = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(reason);
    if (closed) this.emitter.emit('closed', closed);
  }

  /** After a refused handshake: is it the token? (A browser cannot read the HTTP status.) */
  private async tokenRefused(): Promise<boolean> {
    try {
      await this.me();
      return false;
    } catch (error) {
      return error instanceof ChatApiError && error.status === 401;
    }
  }

  private save(outbox: readonly PendingSend[]): void {
    try {
      this.saved.save({ deviceId: this.deviceId, outbox: [...outbox] });
    } catch (error) {
      this.emitter.emit('error', toError(error));
    }
  }
}

function refusal(info: { code: number; reason: string }): ChatApiError {
  const forbidden = info.code === 4403;
  return new ChatApiError(forbidden ? 403 : 401, forbidden ? 'forbidden' : 'unauthorized', info.reason || 'refused');
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

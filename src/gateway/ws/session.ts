/**
 * One WebSocket connection: frames in and out, the bounded send queue, the
 * heartbeat, and this connection's per-conversation streams. What the frames
 * mean is decided by the handlers (handlers.ts); this file is the transport.
 */
import type { WebSocket } from 'ws';
import { toMessage } from '../../domain/mappers.js';
import { CLOSE_CODES, type ServerFrame } from '../../protocol/frames.js';
import type { MessageRecord } from '../../store/records.js';
import { ConversationStream, type StreamSource } from './stream.js';
import { corkUntilNextTurn, rawSocket } from './write-batch.js';

/**
 * A message goes to every member's connections and back to its sender in the
 * ack: it is serialised once, and its frame encoded once for all recipients.
 */
const messageJsons = new WeakMap<MessageRecord, string>();
const messageFrames = new WeakMap<MessageRecord, Buffer>();

function messageJson(message: MessageRecord): string {
  let json = messageJsons.get(message);
  if (json === undefined) {
    json = JSON.stringify(toMessage(message));
    messageJsons.set(message, json);
  }
  return json;
}

/** The bytes JSON.stringify({ type: 'message:new', message }) would give, `message` serialised once. */
function messageFrame(message: MessageRecord): Buffer {
  let frame = messageFrames.get(message);
  if (!frame) {
    frame = Buffer.from(`{"type":"message:new","message":${messageJson(message)}}`);
    messageFrames.set(message, frame);
  }
  return frame;
}

export interface SessionLimits {
  /** Bytes queued on the socket beyond which a reader counts as too slow and is disconnected. */
  maxBufferedBytes: number;
  /** Replay pauses while more than this is queued. */
  replayLowWaterBytes: number;
  /** No frame for this long and the connection is closed (4408). */
  heartbeatTimeoutMs: number;
}

export interface SessionHooks {
  /** Reads a conversation's messages for catch-up and replay. */
  source(conversationId: string): StreamSource;
  /** A message frame went out on this connection (the sent watermark). */
  onSent(session: Session, message: MessageRecord, replayed: boolean): void;
  onError(error: unknown): void;
  onSlowConsumer?(session: Session): void;
  /** The session has closed; `clean` unless the connection was lost or timed out. */
  onClose(session: Session, clean: boolean): void;
}

export class Session {
  readonly streams = new Map<string, ConversationStream>();
  /** Set once the connect-time outbox replay finished. */
  replayed = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly tcp;
  /** Bytes queued for the client at the start of this turn of the event loop. */
  private backlog = 0;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly deviceId: string,
    private readonly socket: WebSocket,
    private readonly limits: SessionLimits,
    private readonly hooks: SessionHooks,
    /** Watches (the admin dashboard): the registry keeps it out of every chat audience. */
    readonly observer = false,
  ) {
    this.tcp = rawSocket(socket);
    socket.on('close', (code) => this.finish(code === 1000 || code === 1001 || code === CLOSE_CODES.goingAway));
    socket.on('error', () => this.finish(false));
    this.touch();
  }

  /** Bytes queued on the socket (the send-queue metric). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Any frame from the client proves it is alive. */
  touch(): void {
    if (this.heartbeatTimer) this.heartbeatTimer.refresh();
    else {
      this.heartbeatTimer = setTimeout(
        () => this.close(CLOSE_CODES.heartbeatTimeout, 'heartbeat timeout'),
        this.limits.heartbeatTimeoutMs,
      );
      this.heartbeatTimer.unref();
    }
  }

  /** Sends a frame, or disconnects a reader that lets its queue grow past the limit. */
  send(frame: ServerFrame): boolean {
    return this.write(JSON.stringify(frame));
  }

  /** A `message:ack` frame, with the stored message serialised as its recipients got it. */
  sendAck(clientMsgId: string, message: MessageRecord): boolean {
    return this.write(
      `{"type":"message:ack","clientMsgId":${JSON.stringify(clientMsgId)},"message":${messageJson(message)}}`,
    );
  }

  private write(frame: string | Buffer): boolean {
    if (this.closed) return false;
    // What was still queued when this turn began: frames written in this turn wait in the
    // corked socket until its end, and say nothing about whether the client reads.
    if (!this.tcp || this.tcp.writableCorked === 0) this.backlog = this.socket.bufferedAmount;
    if (this.backlog > this.limits.maxBufferedBytes) {
      this.hooks.onSlowConsumer?.(this);
      this.close(CLOSE_CODES.slowConsumer, 'slow consumer');
      return false;
    }
    if (this.tcp) corkUntilNextTurn(this.tcp);
    // A Buffer would go out as a binary frame unless told otherwise.
    this.socket.send(frame, { binary: false });
    return true;
  }

  /** The stream of a conversation, created with a known starting point or none yet (null). */
  stream(conversationId: string, cursor: number | null): ConversationStream {
    let stream = this.streams.get(conversationId);
    if (!stream) {
      stream = new ConversationStream(
        conversationId,
        cursor,
        this.hooks.source(conversationId),
        { deliver: (message, replayed) => this.deliver(message, replayed), drained: () => this.drained() },
        this.hooks.onError,
      );
      this.streams.set(conversationId, stream);
    }
    return stream;
  }

  dropStream(conversationId: string): void {
    this.streams.get(conversationId)?.close();
    this.streams.delete(conversationId);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
    // A slow or dead peer may never complete the closing handshake.
    setTimeout(() => this.socket.terminate(), 2000).unref();
    this.finish(code === 1000 || code === CLOSE_CODES.goingAway);
  }

  private deliver(message: MessageRecord, replayed = false): void {
    if (this.write(messageFrame(message))) this.hooks.onSent(this, message, replayed);
  }

  private async drained(): Promise<void> {
    while (!this.closed && this.socket.bufferedAmount > this.limits.replayLowWaterBytes) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private finish(clean: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    for (const stream of this.streams.values()) stream.close();
    this.hooks.onClose(this, clean);
  }
}

/**
 * The send outbox. Every send gets a clientMsgId once and keeps it through all
 * retries, so the server stores it once however often it goes out. Sends of
 * one conversation go one at a time in call order (the server handles the
 * frames of one connection concurrently, so pipelining could reorder their
 * seqs); different conversations proceed independently. Unacknowledged sends
 * go out again, in order, on every (re)connection; a retryable error frame
 * retries later, any other rejects the send. With a storage the queue survives
 * a page reload.
 */
import { ChatApiError, isRetryable } from './errors.js';
import { type ClientFrame, clientFrame, type Message } from './protocol.js';

export type SendFrame = Extract<ClientFrame, { type: 'message:send' }>;

export interface SendOptions {
  messageType?: SendFrame['messageType'];
  mediaId?: string | null;
  replyToId?: string | null;
  /** Your own idempotency key; a random one by default. */
  clientMsgId?: string;
}

/** A send not yet acknowledged (JSON-serializable). */
export interface PendingSend {
  clientMsgId: string;
  conversationId: string;
  content: string;
  messageType?: SendFrame['messageType'];
  mediaId?: string | null;
  replyToId?: string | null;
  queuedAt: string;
  /** Times it went out so far. */
  attempts: number;
}

export interface OutboxHooks {
  /** Puts the frame on the wire; false while offline. */
  transmit(frame: SendFrame): boolean;
  /** The queue changed (for persistence). */
  changed(entries: readonly PendingSend[]): void;
  acked?(entry: PendingSend, message: Message): void;
  failed?(entry: PendingSend, error: ChatApiError): void;
}

export interface OutboxOptions {
  /** First wait after a retryable error (default 1000 ms), doubling per attempt. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

interface Waiter {
  resolve(message: Message): void;
  reject(error: Error): void;
}

export class Outbox {
  private entries: PendingSend[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly inFlight = new Set<string>();
  /** clientMsgId -> earliest retry time after a retryable error. */
  private readonly notBefore = new Map<string, number>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(
    private readonly hooks: OutboxHooks,
    options: OutboxOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  }

  /** Sends restored from storage go before any made since. */
  restore(saved: readonly PendingSend[]): void {
    const known = new Set(this.entries.map((e) => e.clientMsgId));
    const restored = saved
      .filter((e) => isPendingSend(e) && !known.has(e.clientMsgId))
      .map((e) => ({ ...e, attempts: Number.isFinite(e.attempts) ? e.attempts : 0 }));
    if (restored.length === 0) return;
    this.entries = [...restored, ...this.entries];
    this.hooks.changed(this.entries);
  }

  /** Queues a send; resolves with the stored message on `message:ack`. */
  add(entry: Omit<PendingSend, 'attempts' | 'queuedAt'>): Promise<Message> {
    const frame = toFrame({ ...entry, attempts: 0, queuedAt: '' });
    const checked = clientFrame.safeParse(frame);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const message = `${issue?.path.join('.') || 'frame'}: ${issue?.message ?? 'invalid'}`;
      return Promise.reject(new ChatApiError(400, 'invalid_request', message));
    }
    if (this.entries.some((e) => e.clientMsgId === entry.clientMsgId) || this.waiters.has(entry.clientMsgId)) {
      return Promise.reject(new ChatApiError(409, 'conflict', `clientMsgId ${entry.clientMsgId} is already queued`));
    }
    const promise = new Promise<Message>((resolve, reject) => this.waiters.set(entry.clientMsgId, { resolve, reject }));
    this.entries.push({ ...entry, queuedAt: new Date().toISOString(), attempts: 0 });
    this.hooks.changed(this.entries);
    this.flush();
    return promise;
  }

  /** A snapshot of the sends not yet acknowledged, in order. */
  pending(): PendingSend[] {
    return this.entries.map((e) => ({ ...e }));
  }

  has(clientMsgId: string): boolean {
    return this.entries.some((e) => e.clientMsgId === clientMsgId);
  }

  /** A (new) connection: everything unacknowledged goes out again, in order. */
  connected(): void {
    this.inFlight.clear();
    this.notBefore.clear();
    this.flush();
  }

  /** The connection is gone: whatever was in flight is unacknowledged. */
  disconnected(): void {
    this.inFlight.clear();
    this.clearTimer();
  }

  /** Puts out the head of each conversation's queue, unless it is in flight or waiting to retry. */
  flush(): void {
    this.clearTimer();
    const busy = new Set<string>();
    let earliest = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const entry of this.entries) {
      if (busy.has(entry.conversationId)) continue;
      busy.add(entry.conversationId);
      if (this.inFlight.has(entry.clientMsgId)) continue;
      const retryAt = this.notBefore.get(entry.clientMsgId) ?? 0;
      if (retryAt > now) {
        earliest = Math.min(earliest, retryAt);
        continue;
      }
      if (!this.hooks.transmit(toFrame(entry))) return;
      this.notBefore.delete(entry.clientMsgId);
      this.inFlight.add(entry.clientMsgId);
      entry.attempts += 1;
    }
    if (earliest !== Number.POSITIVE_INFINITY) {
      this.retryTimer = setTimeout(() => this.flush(), Math.max(0, earliest - Date.now()));
    }
  }

  /** A `message:ack`: resolves the send; false when the id is not ours (another tab, say). */
  ack(clientMsgId: string, message: Message): boolean {
    const entry = this.take(clientMsgId);
    if (!entry) return false;
    this.waiters.get(clientMsgId)?.resolve(message);
    this.waiters.delete(clientMsgId);
    this.hooks.acked?.(entry, message);
    this.flush();
    return true;
  }

  /** An `error` frame naming a send: retried later when retryable, otherwise rejected. */
  fail(clientMsgId: string, error: ChatApiError): boolean {
    const entry = this.entries.find((e) => e.clientMsgId === clientMsgId);
    if (!entry) return false;
    this.inFlight.delete(clientMsgId);
    if (isRetryable(error.code)) {
      const wait = Math.min(this.retryDelayMs * 2 ** Math.max(0, entry.attempts - 1), this.maxRetryDelayMs);
      const hinted = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
      this.notBefore.set(clientMsgId, Date.now() + Math.max(wait, hinted));
      this.flush();
      return true;
    }
    this.take(clientMsgId);
    this.waiters.get(clientMsgId)?.reject(error);
    this.waiters.delete(clientMsgId);
    this.hooks.failed?.(entry, error);
    this.flush();
    return true;
  }

  close(): void {
    this.clearTimer();
    this.inFlight.clear();
  }

  private take(clientMsgId: string): PendingSend | undefined {
    const index = this.entries.findIndex((e) => e.clientMsgId === clientMsgId);
    if (index < 0) return undefined;
    const [entry] = this.entries.splice(index, 1);
    this.inFlight.delete(clientMsgId);
    this.notBefore.delete(clientMsgId);
    this.hooks.changed(this.entries);
    return entry;
  }

  private clearTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

function toFrame(entry: PendingSend): SendFrame {
  const frame: SendFrame = {
    type: 'message:send',
    clientMsgId: entry.clientMsgId,
    conversationId: entry.conversationId,
    content: entry.content,
  };
  if (entry.messageType !== undefined) frame.messageType = entry.messageType;
  if (entry.mediaId !== undefined) frame.mediaId = entry.mediaId;
  if (entry.replyToId !== undefined) frame.replyToId = entry.replyToId;
  return frame;
}

function isPendingSend(value: unknown): value is PendingSend {
  const v = value as Partial<PendingSend> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.clientMsgId === 'string' &&
    typeof v.conversationId === 'string' &&
    typeof v.content === 'string'
  );
}

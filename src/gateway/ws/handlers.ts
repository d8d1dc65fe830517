/** What each client frame does. Every frame is validated; bad ones get an `error` frame. */
import type { RawData } from 'ws';
import { ChatError, type ErrorCode } from '../../protocol/errors.js';
import { CLOSE_CODES, type ClientFrame, clientFrame } from '../../protocol/frames.js';
import { LIMITS } from '../../protocol/limits.js';
import { adminFrames } from './admin.js';
import { type ChangeFeeds, replayChanges } from './changes.js';
import type { RealtimeDeps } from './gateway.js';
import type { MemberCache } from './members.js';
import type { Session } from './session.js';
import type { TypingRelay } from './typing.js';

type Handler<T extends ClientFrame['type']> = (
  session: Session,
  frame: Extract<ClientFrame, { type: T }>,
) => Promise<void>;

/** Counts events in a sliding window, per session. */
class WindowCounter {
  private readonly counts = new WeakMap<Session, { start: number; count: number }>();
  constructor(private readonly windowMs: number) {}

  /** Adds one and returns the count within the current window. */
  hit(session: Session, now: number): number {
    let entry = this.counts.get(session);
    if (!entry || now - entry.start >= this.windowMs) {
      entry = { start: now, count: 0 };
      this.counts.set(session, entry);
    }
    entry.count += 1;
    return entry.count;
  }
}

export class FrameHandlers {
  private readonly inFlight = new Set<Promise<void>>();
  /** Per connection and conversation, the sends waiting for the one before them to be queued for storage. */
  private readonly sendLanes = new WeakMap<Session, Map<string, Array<() => void>>>();
  private accepting = true;
  private readonly badFrames = new WindowCounter(60_000);
  private readonly typingFrames = new WindowCounter(10_000);
  /** Every frame but message:send, which goes through sendInOrder. */
  private readonly handlers: { [T in Exclude<ClientFrame['type'], 'message:send'>]: Handler<T> };

  constructor(
    private readonly deps: RealtimeDeps,
    private readonly typing: TypingRelay,
    private readonly members: MemberCache,
    private readonly replay: (session: Session, ref?: string) => Promise<void>,
    /** Change cursors per connection (changes.ts); without it `sync` ignores `changes`. */
    private readonly changeFeeds: ChangeFeeds | null = null,
  ) {
    this.handlers = {
      'message:forward': (session, frame) => this.forward(session, frame),
      'message:received': async (session, frame) => {
        await deps.messaging.acknowledgeDelivery(session.userId, session.deviceId, frame.conversationId, frame.seq);
      },
      'message:read': async (session, frame) => {
        deps.presence.activity(session.userId, session.id);
        await deps.messaging.markReadUpTo(session.userId, frame.conversationId, frame.seq, session.id);
      },
      'message:react': async (session, frame) => {
        if (!deps.reactions) throw new ChatError('invalid_request', 'reactions are not available');
        const outcome = await deps.reactions.react(session.userId, frame.messageId, frame.emoji);
        session.send({ type: 'reaction:ack', ...outcome, ...(frame.ref ? { ref: frame.ref } : {}) });
      },
      'typing:start': (session, frame) => this.typingFrame(session, frame.conversationId, true),
      'typing:stop': (session, frame) => this.typingFrame(session, frame.conversationId, false),
      'presence:set': async (session, frame) => {
        deps.presence.setStatus(session.userId, session.id, frame.status);
      },
      sync: (session, frame) => this.sync(session, frame),
      ping: async (session) => {
        deps.presence.heartbeat(session.userId, session.id);
        session.send({ type: 'pong' });
      },
      'admin:subscribe': (session, frame) => adminFrames(deps).subscribe(session, frame.ref),
      'admin:unsubscribe': async (session) => adminFrames(deps).unsubscribe(session),
    };
  }

  handle(session: Session, data: RawData, isBinary: boolean): void {
    session.touch();
    const frame = this.parse(session, data, isBinary);
    if (!frame) return;
    if (!this.accepting && frame.type === 'message:forward') {
      session.send({ type: 'error', code: 'unavailable', message: 'the server is shutting down', ...refOf(frame) });
      return;
    }
    if (!this.accepting && frame.type === 'message:send') {
      session.send({
        type: 'error',
        code: 'unavailable',
        message: 'the server is shutting down',
        clientMsgId: frame.clientMsgId,
      });
      return;
    }
    const work =
      frame.type === 'message:send'
        ? this.sendInOrder(session, frame)
        : (this.handlers[frame.type] as Handler<typeof frame.type>)(session, frame).catch((error: unknown) =>
            this.fail(session, frame, error),
          );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * Sends of one connection into one conversation are stored in the order they
   * were sent: each waits until the previous one has its place in the store's
   * write queue (not until it is durable), so pipelined sends still share
   * group commits. Other conversations and connections run in parallel.
   */
  private sendInOrder(session: Session, frame: Extract<ClientFrame, { type: 'message:send' }>): Promise<void> {
    let lanes = this.sendLanes.get(session);
    if (!lanes) {
      lanes = new Map();
      this.sendLanes.set(session, lanes);
    }
    const lane = lanes.get(frame.conversationId);
    if (!lane) {
      lanes.set(frame.conversationId, []);
      return this.sendInLane(session, frame, lanes);
    }
    const own = lanes;
    return new Promise<void>((resolve) => lane.push(() => resolve(this.sendInLane(session, frame, own))));
  }

  /** Runs one send of a lane; once it is queued for storage (or refused), the next send of the lane starts. */
  private sendInLane(
    session: Session,
    frame: Extract<ClientFrame, { type: 'message:send' }>,
    lanes: Map<string, Array<() => void>>,
  ): Promise<void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const lane = lanes.get(frame.conversationId);
      const next = lane?.shift();
      // Not from inside this send's store call: the next one starts on a fresh stack, as a promise would.
      if (next) queueMicrotask(next);
      else lanes.delete(frame.conversationId);
    };
    return (
      this.send(session, frame, release)
        .catch((error: unknown) => this.fail(session, frame, error))
        // A send refused before it was queued must not hold up the next one.
        .finally(release)
    );
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  /** Resolves when every frame being handled has been answered. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private parse(session: Session, data: RawData, isBinary: boolean): ClientFrame | null {
    let value: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not part of the protocol');
      value = JSON.parse(rawText(data));
    } catch {
      this.reject(session, 'invalid_request', 'a frame must be one JSON object in a text frame');
      return null;
    }
    const result = clientFrame.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.join('.') || 'frame';
      // Echo what identifies the request, so a client can tell which one was refused.
      const echo = (key: 'ref' | 'clientMsgId') =>
        typeof value === 'object' &&
        value !== null &&
        key in value &&
        typeof (value as Record<string, unknown>)[key] === 'string'
          ? String((value as Record<string, unknown>)[key]).slice(0, 128)
          : undefined;
      this.reject(
        session,
        'invalid_request',
        `${where}: ${issue?.message ?? 'invalid frame'}`,
        echo('ref'),
        echo('clientMsgId'),
      );
      return null;
    }
    return result.data;
  }

  private reject(session: Session, code: ErrorCode, message: string, ref?: string, clientMsgId?: string): void {
    session.send({ type: 'error', code, message, ...(ref ? { ref } : {}), ...(clientMsgId ? { clientMsgId } : {}) });
    if (this.badFrames.hit(session, Date.now()) > this.deps.options.badFramesPerMinute) {
      session.close(CLOSE_CODES.policyViolation, 'too many malformed frames');
    }
  }

  private fail(session: Session, frame: ClientFrame, error: unknown): void {
    if (!(error instanceof ChatError)) this.deps.logger.error({ err: error, frame: frame.type }, 'frame failed');
    const chatError = error instanceof ChatError ? error : new ChatError('internal_error');
    session.send({
      type: 'error',
      code: chatError.code,
      message: chatError.message,
      ...('clientMsgId' in frame ? { clientMsgId: frame.clientMsgId } : {}),
      ...('ref' in frame && frame.ref ? { ref: frame.ref } : {}),
    });
  }

  private async send(
    session: Session,
    frame: Extract<ClientFrame, { type: 'message:send' }>,
    onQueued: () => void,
  ): Promise<void> {
    const startedAt = Date.now();
    this.deps.presence.activity(session.userId, session.id);
    const input = {
      conversationId: frame.conversationId,
      clientMsgId: frame.clientMsgId,
      content: frame.content,
      ...(frame.messageType ? { type: frame.messageType } : {}),
      mediaId: frame.mediaId ?? null,
      replyToId: frame.replyToId ?? null,
    };
    const { stored } = await this.deps.messaging.send(session.userId, input, onQueued);
    // Sent only now: the message is durable, so the ack can never promise what a crash would lose.
    session.sendAck(frame.clientMsgId, stored);
    this.deps.metrics.ackLatency.observe((Date.now() - startedAt) / 1000);
  }

  /** One message:ack per target, in target order, each once its copy is durable. */
  private async forward(session: Session, frame: Extract<ClientFrame, { type: 'message:forward' }>): Promise<void> {
    this.deps.presence.activity(session.userId, session.id);
    const results = await this.deps.messaging.forward(session.userId, frame.messageId, frame.targets);
    for (const { stored } of results) session.sendAck(stored.clientMsgId, stored);
  }

  private async typingFrame(session: Session, conversationId: string, typing: boolean): Promise<void> {
    if (this.typingFrames.hit(session, Date.now()) > this.deps.options.typingFramesPer10s) {
      this.deps.metrics.rateLimited.typing.inc();
      throw new ChatError('rate_limited', 'too many typing frames', { retryAfterSeconds: 10 });
    }
    if (!(await this.members.get(conversationId)).has(session.userId)) {
      throw new ChatError('not_found', 'conversation not found');
    }
    this.deps.metrics.typingEvents.inc();
    if (typing) {
      this.deps.presence.activity(session.userId, session.id);
      this.typing.start(conversationId, session.userId);
    } else {
      this.typing.stop(conversationId, session.userId);
    }
  }

  /** Replays from the client's cursors, or everything unacknowledged when it names none. */
  private async sync(session: Session, frame: Extract<ClientFrame, { type: 'sync' }>): Promise<void> {
    if (!frame.conversations && !frame.changes) return this.replay(session, frame.ref);
    const { conversationStore } = this.deps;
    for (const [conversationId, lastSeq] of Object.entries(frame.conversations ?? {}).slice(
      0,
      LIMITS.syncConversationsMax,
    )) {
      const membership = await conversationStore.membership(conversationId, session.userId);
      const conversation = membership ? await conversationStore.byId(conversationId) : null;
      if (!membership || !conversation) continue;
      const stream = session.stream(conversationId, null);
      if (membership.visibleToSeq !== null) stream.end(membership.visibleToSeq);
      // Within the member's window, and never past the conversation's end: a cursor ahead of it
      // would make the stream drop the live messages up to there.
      const afterSeq = Math.min(Math.max(lastSeq, membership.visibleFromSeq - 1), conversation.lastSeq);
      await stream.resumeFrom(afterSeq, conversation.lastSeq);
    }
    if (frame.changes && this.changeFeeds && this.deps.reactions) {
      const heads = await replayChanges(session, frame.changes, this.changeFeeds, this.deps.reactions);
      session.send({ type: 'sync:done', ...(frame.ref ? { ref: frame.ref } : {}), changes: heads });
      return;
    }
    session.send(frame.ref ? { type: 'sync:done', ref: frame.ref } : { type: 'sync:done' });
  }
}

function refOf(frame: { ref?: string | undefined }): { ref?: string } {
  return frame.ref ? { ref: frame.ref } : {};
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

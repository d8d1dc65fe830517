/**
 * Bringing a connection's streams up to the store: the outbox replay on
 * connect (and on a bare `sync`), the start of a stream the session had no
 * cursor for, and the resync after the bus may have missed live events.
 */
import { CLOSE_CODES } from '../../protocol/frames.js';
import type { OutboxHead } from '../../store/stores.js';
import type { RealtimeDeps } from './gateway.js';
import type { Session } from './session.js';
import type { StreamSource } from './stream.js';

/** Sessions resynced at once: bounded store load after a gap. */
const RESYNC_CONCURRENCY = 8;

export class CatchUp {
  /** Each session's connect-time replay, which a resync waits for. */
  private readonly replays = new WeakMap<Session, Promise<void>>();

  constructor(private readonly deps: RealtimeDeps) {}

  /**
   * Replays every conversation this device has not acknowledged, one
   * conversation at a time (memory stays bounded), then says sync:done.
   */
  replay(session: Session, ref?: string): Promise<void> {
    const run = this.runReplay(session, ref);
    if (ref === undefined) this.replays.set(session, run);
    return run;
  }

  /** A conversation this session had no cursor for: it starts where the member's window starts. */
  async initStream(session: Session, conversationId: string): Promise<void> {
    const membership = await this.deps.conversationStore.membership(conversationId, session.userId);
    const stream = session.streams.get(conversationId);
    if (!membership || !stream || stream.position !== null) return;
    if (membership.visibleToSeq !== null) stream.end(membership.visibleToSeq);
    const conversation = await this.deps.conversationStore.byId(conversationId);
    await stream.resumeFrom(membership.visibleFromSeq - 1, conversation?.lastSeq ?? 0);
  }

  /**
   * Live events may have been missed: every session's streams catch up to
   * their conversations' lastSeq from the store, a few sessions at a time.
   */
  async resync(sessions: Iterable<Session>): Promise<void> {
    const queue = [...sessions];
    const worker = async () => {
      for (let session = queue.shift(); session; session = queue.shift()) {
        await this.resyncSession(session).catch((error: unknown) =>
          this.deps.logger.error({ err: error, userId: session?.userId }, 'resync failed'),
        );
      }
    };
    await Promise.all(Array.from({ length: RESYNC_CONCURRENCY }, worker));
  }

  source(conversationId: string): StreamSource {
    return {
      readAfter: async (afterSeq, toSeq, limit) =>
        (
          await this.deps.messageStore.page(
            conversationId,
            { fromSeq: afterSeq + 1, toSeq },
            { limit, after: afterSeq },
          )
        ).messages,
    };
  }

  private async runReplay(session: Session, ref?: string): Promise<void> {
    try {
      const heads = await this.deps.delivery.openDevice(session.userId, session.deviceId, this.now());
      for (const head of heads) {
        if (!session.isOpen) return;
        await startFrom(session, head);
      }
      // Live messages of conversations the outbox did not name (joined meanwhile) start at the join.
      for (const [conversationId, stream] of session.streams) {
        if (stream.position === null) await this.initStream(session, conversationId);
      }
      session.replayed = true;
      session.send(ref === undefined ? { type: 'sync:done' } : { type: 'sync:done', ref });
    } catch (error) {
      this.deps.logger.error({ err: error, userId: session.userId }, 'replay failed');
      session.close(CLOSE_CODES.goingAway, 'replay failed; reconnect');
    }
  }

  private async resyncSession(session: Session): Promise<void> {
    await this.replays.get(session);
    if (!session.isOpen) return;
    const heads = await this.deps.delivery.openDevice(session.userId, session.deviceId, this.now());
    for (const head of heads) {
      if (!session.isOpen) return;
      const stream = session.streams.get(head.conversationId);
      // A conversation with no stream yet (joined since the replay) starts at the device's cursor.
      if (stream) await stream.catchUpTo(head.lastSeq);
      else await startFrom(session, head);
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** A conversation's stream from the device's outbox position; a closed window ends at the removal. */
function startFrom(session: Session, head: OutboxHead): Promise<void> {
  const stream = session.stream(head.conversationId, null);
  if (head.windowClosed) stream.end(head.lastSeq);
  return stream.resumeFrom(head.afterSeq, head.lastSeq);
}

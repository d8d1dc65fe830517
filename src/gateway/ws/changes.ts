/**
 * Each connection's position in each conversation's change stream (reactions,
 * edits, deletions): live changes go out in change order, once; a gap (an
 * event lost or overtaken between nodes) is filled from the store first; a
 * `sync` naming a change cursor replays what the client missed, page by page.
 */
import type { ChangeItem, Reactions } from '../../domain/reactions.js';
import type { ServerFrame } from '../../protocol/frames.js';
import { LIMITS } from '../../protocol/limits.js';
import type { Session } from './session.js';

/** Changes read per store round trip: memory stays bounded however many were missed. */
const PAGE = 200;
/** A replay waits while more than this is queued on the socket. */
const LOW_WATER_BYTES = 256 * 1024;

interface Cursor {
  /** The last change number sent on this connection; null until the first one. */
  position: number | null;
  /** Work on this cursor runs one piece at a time, in arrival order. */
  chain: Promise<void>;
}

export function changeFrame(item: ChangeItem): ServerFrame {
  return item.kind === 'reaction'
    ? { type: 'message:reaction', ...item.event }
    : { type: 'message:updated', message: item.message, changeSeq: item.changeSeq };
}

export class ChangeFeeds {
  private readonly cursors = new WeakMap<Session, Map<string, Cursor>>();

  constructor(
    private readonly reactions: Reactions,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A live change addressed to this session's user. */
  offer(session: Session, conversationId: string, changeSeq: number, frame: ServerFrame): void {
    void this.enqueue(session, conversationId, async (cursor) => {
      if (cursor.position !== null) {
        if (changeSeq <= cursor.position) return;
        if (changeSeq > cursor.position + 1) await this.fill(session, conversationId, cursor, changeSeq - 1);
      }
      if (cursor.position !== null && changeSeq <= cursor.position) return;
      session.send(frame);
      cursor.position = changeSeq;
    });
  }

  /** The client has every change up to `afterChangeSeq`: sends the rest, in order, to the head. */
  replay(session: Session, conversationId: string, afterChangeSeq: number): Promise<void> {
    return this.enqueue(session, conversationId, async (cursor) => {
      // What this connection already sent, the client has.
      cursor.position = Math.max(cursor.position ?? afterChangeSeq, afterChangeSeq);
      await this.fill(session, conversationId, cursor, Number.POSITIVE_INFINITY);
    });
  }

  /** Live events may have been missed (a bus gap): every known position catches up to the store. */
  async catchUp(sessions: Iterable<Session>): Promise<void> {
    const work: Promise<void>[] = [];
    for (const session of sessions) {
      for (const [conversationId, cursor] of this.cursors.get(session) ?? []) {
        if (cursor.position === null) continue;
        work.push(
          this.enqueue(session, conversationId, (c) => this.fill(session, conversationId, c, Number.POSITIVE_INFINITY)),
        );
      }
    }
    await Promise.all(work);
  }

  private enqueue(session: Session, conversationId: string, work: (cursor: Cursor) => Promise<void>): Promise<void> {
    let byConversation = this.cursors.get(session);
    if (!byConversation) {
      byConversation = new Map();
      this.cursors.set(session, byConversation);
    }
    let cursor = byConversation.get(conversationId);
    if (!cursor) {
      cursor = { position: null, chain: Promise.resolve() };
      byConversation.set(conversationId, cursor);
    }
    const current = cursor;
    const run = current.chain.then(() => (session.isOpen ? work(current) : undefined)).catch(this.onError);
    current.chain = run;
    return run;
  }

  /** Sends the changes after the cursor up to `upTo` that the user may see, page by page. */
  private async fill(session: Session, conversationId: string, cursor: Cursor, upTo: number): Promise<void> {
    const membership = await this.reactions.currentMembership(session.userId, conversationId);
    if (!membership) return;
    for (;;) {
      const from = cursor.position ?? 0;
      const limit = Math.min(PAGE, upTo - from);
      if (!session.isOpen || limit <= 0) return;
      const page = await this.reactions.page(membership, from, limit);
      for (const item of page.items) session.send(changeFrame(item));
      cursor.position = page.lastChangeSeq;
      if (page.done) return;
      while (session.isOpen && session.bufferedAmount > LOW_WATER_BYTES) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
}

/**
 * A `sync` with change cursors: replays each named conversation's missed
 * changes (non-members' names are skipped), then answers the last change
 * number of every conversation of the user, for the cursors the client lacks.
 */
export async function replayChanges(
  session: Session,
  cursors: Record<string, number>,
  feeds: ChangeFeeds,
  reactions: Reactions,
): Promise<Record<string, number>> {
  for (const [conversationId, after] of Object.entries(cursors).slice(0, LIMITS.syncConversationsMax)) {
    if (!session.isOpen) break;
    await feeds.replay(session, conversationId, after);
  }
  return Object.fromEntries(await reactions.heads(session.userId));
}

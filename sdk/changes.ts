/**
 * The client's side of the change stream (reactions, edits, deletions): one
 * change cursor per conversation, kept across reconnects like the message
 * cursor. After each connection's replay the client names its cursors in a
 * `sync`; the server replays what was missed and answers every conversation's
 * head, adopted where the client had no cursor yet. Frames at or below the
 * cursor were seen already and are dropped.
 */
import type { ClientFrame } from './protocol.js';

export const CHANGE_SYNC_REF = 'sdk-changes';

export class ChangeCursors {
  private readonly cursors = new Map<string, number>();
  /** Set by the first change sync: from then on a conversation first heard of starts at 0. */
  private headsKnown = false;

  constructor(initial: Record<string, number> = {}) {
    for (const [conversationId, changeSeq] of Object.entries(initial)) {
      if (Number.isSafeInteger(changeSeq) && changeSeq >= 0) this.cursors.set(conversationId, changeSeq);
    }
    if (this.cursors.size > 0) this.headsKnown = true;
  }

  /** The frame that asks for what was missed, sent once each connection's replay is done. */
  syncFrame(): Extract<ClientFrame, { type: 'sync' }> {
    return { type: 'sync', changes: Object.fromEntries(this.cursors), ref: CHANGE_SYNC_REF };
  }

  /** The heads the server answered: a conversation without a cursor starts there. */
  adoptHeads(heads: Record<string, number>): void {
    for (const [conversationId, head] of Object.entries(heads)) {
      if (!this.cursors.has(conversationId)) this.cursors.set(conversationId, head);
    }
    this.headsKnown = true;
  }

  /**
   * A message of a conversation: one never heard of (joined since) catches up
   * on its changes from the start at the next reconnect.
   */
  seen(conversationId: string): void {
    if (this.headsKnown && !this.cursors.has(conversationId)) this.cursors.set(conversationId, 0);
  }

  /** Whether a numbered change is new; moves the cursor when it is. */
  accept(conversationId: string, changeSeq: number): boolean {
    const cursor = this.cursors.get(conversationId);
    if (cursor !== undefined && changeSeq <= cursor) return false;
    this.cursors.set(conversationId, changeSeq);
    return true;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.cursors);
  }
}

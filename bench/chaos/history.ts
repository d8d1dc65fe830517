/**
 * What each chaos client records, and what the checker compares it with: the
 * stored conversations and who was a member when.
 */

export type ClientEvent =
  | { at: number; kind: 'send'; clientMsgId: string; conversationId: string; content: string }
  | { at: number; kind: 'ack'; clientMsgId: string; conversationId: string; id: string; seq: number }
  | { at: number; kind: 'fail'; clientMsgId: string; code: string }
  | { at: number; kind: 'timeout'; clientMsgId: string }
  | { at: number; kind: 'recv'; conversationId: string; id: string; seq: number; senderId: string; content: string }
  | { at: number; kind: 'connected' }
  | { at: number; kind: 'disconnected'; code: number }
  | { at: number; kind: 'drop' };

export interface ClientHistory {
  /** Index of the client in the run. */
  client: number;
  userId: string;
  events: ClientEvent[];
  /** Index into `events` where the resume phase began (after faults stopped). */
  resumeFrom: number;
}

export interface StoredMessage {
  id: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  content: string;
  type: string;
  /** Membership changes (system messages): who joined or left at this seq. */
  system?: { event: string; targetId: string | null };
}

/** A member's window: it may receive seqs from `fromSeq` to `toSeq` (null: still a member). */
export interface MemberWindow {
  userId: string;
  fromSeq: number;
  toSeq: number | null;
}

export interface ConversationTruth {
  id: string;
  kind: 'direct' | 'group';
  /** The members at creation; a leave recorded in `stored` closes a window (see applyLeaves). */
  members: MemberWindow[];
  /** Every stored message, in seq order, as read after the run. */
  stored: StoredMessage[];
}

/**
 * Closes the window of each member who left or was removed, at the seq of that
 * system message (the last one it may receive), from what is stored.
 */
export function applyLeaves(truth: ConversationTruth): void {
  for (const message of truth.stored) {
    const event = message.system?.event;
    if (event !== 'member_left' && event !== 'member_removed') continue;
    const member = truth.members.find((m) => m.userId === message.system?.targetId && m.toSeq === null);
    if (member) member.toSeq = message.seq;
  }
}

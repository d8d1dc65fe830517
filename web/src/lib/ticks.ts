/**
 * Status ticks of one's own messages, from the members' cumulative watermarks:
 * clock while queued in the outbox, one tick once stored (acked), two when every
 * other member who could see it has received it, blue when all have read it.
 */
import type { Conversation, Message, Receipt } from '../../../sdk/index.js';

export type TickState = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** Highest seq a member has received and read in one conversation. */
export interface Watermark {
  delivered: number;
  read: number;
}

export type Watermarks = Readonly<Record<string, Watermark>>;

/** The members a message's receipts wait for: everyone but the sender who was a member when it was sent. */
export function receiptAudience(
  conversation: Conversation,
  message: Pick<Message, 'senderId' | 'createdAt'>,
): string[] {
  return conversation.members
    .filter((m) => m.userId !== message.senderId && m.joinedAt <= message.createdAt)
    .map((m) => m.userId);
}

export function tickState(
  message: Pick<Message, 'seq' | 'senderId' | 'createdAt'>,
  conversation: Conversation | undefined,
  marks: Watermarks | undefined,
): TickState {
  if (!conversation) return 'sent';
  const audience = receiptAudience(conversation, message);
  if (audience.length === 0) return 'sent';
  let read = true;
  let delivered = true;
  for (const userId of audience) {
    const mark = marks?.[userId];
    const r = mark?.read ?? 0;
    const d = Math.max(mark?.delivered ?? 0, r);
    if (r < message.seq) read = false;
    if (d < message.seq) delivered = false;
  }
  if (read) return 'read';
  return delivered ? 'delivered' : 'sent';
}

/** A `message:delivered` or `message:read` event: watermarks only move forward; reading implies delivery. */
export function applyReceipt(
  marks: Watermarks | undefined,
  userId: string,
  kind: 'delivered' | 'read',
  seq: number,
): Watermarks {
  const current = marks?.[userId] ?? { delivered: 0, read: 0 };
  const next: Watermark = {
    delivered: Math.max(current.delivered, seq),
    read: kind === 'read' ? Math.max(current.read, seq) : current.read,
  };
  if (next.delivered === current.delivered && next.read === current.read && marks?.[userId]) return marks;
  return { ...marks, [userId]: next };
}

/** What the receipts of the message with this seq tell about each member's watermarks. */
export function marksFromReceipts(receipts: readonly Receipt[], seq: number): Record<string, Watermark> {
  const out: Record<string, Watermark> = {};
  for (const receipt of receipts) {
    if (receipt.status === 'read') out[receipt.userId] = { delivered: seq, read: seq };
    else if (receipt.status === 'delivered') out[receipt.userId] = { delivered: seq, read: 0 };
  }
  return out;
}

/** Merges watermarks, keeping the higher of each. */
export function mergeMarks(marks: Watermarks | undefined, more: Record<string, Watermark>): Watermarks {
  let out: Watermarks = marks ?? {};
  for (const [userId, mark] of Object.entries(more)) {
    if (mark.read > 0) out = applyReceipt(out, userId, 'read', mark.read);
    if (mark.delivered > 0) out = applyReceipt(out, userId, 'delivered', mark.delivered);
  }
  return out;
}

export const TICK_LABELS: Record<TickState, string> = {
  queued: 'Waiting to send',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

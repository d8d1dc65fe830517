/**
 * Receipt status of one message for one member, derived from the member's
 * cumulative watermarks: storage grows with members, not members x messages.
 */
import type { Receipt } from '../protocol/dto.js';
import type { MembershipRecord } from '../store/records.js';

export function receiptFor(seq: number, member: MembershipRecord): Receipt {
  if (member.readSeq >= seq) return { userId: member.userId, status: 'read', at: member.readAt };
  if (member.deliveredSeq >= seq) return { userId: member.userId, status: 'delivered', at: member.deliveredAt };
  if (member.sentSeq >= seq) return { userId: member.userId, status: 'sent', at: null };
  return { userId: member.userId, status: 'queued', at: null };
}

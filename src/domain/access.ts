/**
 * Who may see and do what in a conversation. A conversation the caller is not
 * a member of answers not_found, so its existence is not revealed.
 */
import { ChatError } from '../protocol/errors.js';
import type { ConversationRecord, MembershipRecord } from '../store/records.js';
import type { ConversationStore } from '../store/stores.js';

export interface MemberView {
  conversation: ConversationRecord;
  membership: MembershipRecord;
}

export function isCurrent(membership: MembershipRecord | null | undefined): membership is MembershipRecord {
  return membership !== null && membership !== undefined && membership.visibleToSeq === null;
}

/** The conversation and the caller's current membership, or not_found. */
export async function requireMember(
  conversations: ConversationStore,
  conversationId: string,
  userId: string,
): Promise<MemberView> {
  const conversation = await conversations.byId(conversationId);
  // A channel lists its admins only: its readers' memberships are read one by one.
  const membership =
    conversation?.type === 'channel'
      ? await conversations.membership(conversationId, userId)
      : conversation?.members.find((m) => m.userId === userId);
  if (!conversation || !isCurrent(membership)) throw new ChatError('not_found', 'conversation not found');
  return { conversation, membership };
}

/**
 * The caller's membership, current or past: enough to read what it could see
 * while a member. Throws not_found for anyone who never was one.
 */
export async function requireReader(
  conversations: ConversationStore,
  conversationId: string,
  userId: string,
): Promise<MembershipRecord> {
  const membership = await conversations.membership(conversationId, userId);
  if (!membership) throw new ChatError('not_found', 'conversation not found');
  return membership;
}

/** The seq range a membership may read. */
export function visibleWindow(membership: MembershipRecord, lastSeq: number): { fromSeq: number; toSeq: number } {
  return { fromSeq: membership.visibleFromSeq, toSeq: membership.visibleToSeq ?? lastSeq };
}

export function canSee(membership: MembershipRecord, seq: number): boolean {
  return seq >= membership.visibleFromSeq && (membership.visibleToSeq === null || seq <= membership.visibleToSeq);
}

export function requireGroupAdmin(view: MemberView): void {
  requireGroup(view.conversation);
  if (view.membership.role !== 'admin') throw new ChatError('forbidden', 'only group admins may do this');
}

export function requireGroup(conversation: ConversationRecord): void {
  if (conversation.type !== 'group') throw new ChatError('invalid_request', 'this is not a group');
}

/**
 * Forwarding: a copy of a message posted to other conversations, marked as
 * forwarded. Media is not uploaded again: the copy carries the same media
 * item, and media authorization (MediaStore.canRead: a member whose window
 * holds a message carrying it) lets the target's members fetch it.
 *
 * Checked before anything is posted: the caller can read the source (a member,
 * current or past, whose window holds it; not deleted, not a system message)
 * and may post in every target (current member, the group's send policy, not
 * blocked). Each copy is idempotent on (caller, the target's clientMsgId),
 * like a send, so a retried forward posts nothing twice.
 */

import { ChatError } from '../protocol/errors.js';
import type { ForwardTarget } from '../protocol/forwarding.js';
import type { MessageDraft, MessageRecord } from '../store/records.js';
import type { SendGrant } from '../store/stores.js';
import { canSee } from './access.js';
import { newId } from './clock.js';
import type { MessagingDeps } from './messages.js';

/** The checks shared with a send: may this user post here? */
export function requirePoster(grant: SendGrant | null): SendGrant {
  if (!grant) throw new ChatError('not_found', 'conversation not found');
  if (grant.type === 'channel' && grant.role !== 'admin') {
    throw new ChatError('forbidden', 'only admins may post in this channel');
  }
  if (grant.type === 'group' && grant.sendPolicy === 'admins' && grant.role !== 'admin') {
    throw new ChatError('forbidden', 'only admins may send in this group');
  }
  if (grant.blockedByPeer) throw new ChatError('forbidden', 'this user does not accept your messages');
  return grant;
}

/** The source message, if the caller may read and forward it; not_found otherwise. */
export async function forwardableSource(
  deps: Pick<MessagingDeps, 'messages' | 'conversations'>,
  callerId: string,
  messageId: string,
): Promise<MessageRecord> {
  const source = await deps.messages.byId(messageId);
  const membership = source ? await deps.conversations.membership(source.conversationId, callerId) : null;
  if (!source || !membership || !canSee(membership, source.seq)) {
    throw new ChatError('not_found', 'message not found');
  }
  if (source.deletedAt !== null) throw new ChatError('conflict', 'a deleted message cannot be forwarded');
  if (source.type === 'system') throw new ChatError('invalid_request', 'a system message cannot be forwarded');
  return source;
}

/**
 * The drafts of the copies, one per target, once every target accepts the
 * caller. A copy keeps the type, text and media of the source; it quotes
 * nothing (the reply target lives in another conversation) and mentions
 * nobody (forwarding does not notify the people the original named).
 */
export async function forwardDrafts(
  deps: Pick<MessagingDeps, 'messages' | 'conversations'>,
  callerId: string,
  messageId: string,
  targets: readonly ForwardTarget[],
  createdAt: string,
): Promise<MessageDraft[]> {
  const source = await forwardableSource(deps, callerId, messageId);
  for (const target of targets) requirePoster(await deps.conversations.sendGrant(target.conversationId, callerId));
  // A media item the store no longer has (its message deleted elsewhere and swept) is not forwarded as a dangling id.
  const mediaId = source.mediaId !== null && source.media ? source.mediaId : null;
  if (source.type !== 'text' && mediaId === null) throw new ChatError('conflict', 'the media of this message is gone');
  return targets.map((target) => ({
    id: newId(),
    conversationId: target.conversationId,
    senderId: callerId,
    clientMsgId: target.clientMsgId,
    type: source.type,
    content: source.content,
    mediaId,
    replyToId: null,
    createdAt,
    system: null,
    forwarded: true,
  }));
}

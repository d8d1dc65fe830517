/**
 * Which members a new group message mentions: the `@names` of its text
 * (src/protocol/mentions.ts) that are current members of the conversation,
 * the sender left out (a mention of oneself notifies nobody). Unknown names
 * and non-members are ignored, not refused: `@` is ordinary text too.
 */
import type { MentionStore } from '../mentions/store/store.js';
import type { ConversationType } from '../protocol/dto.js';
import { mentionedUsernames } from '../protocol/mentions.js';

export async function resolveMentions(
  store: MentionStore | undefined,
  conversation: { id: string; type: ConversationType },
  senderId: string,
  content: string,
): Promise<string[]> {
  if (!store || conversation.type !== 'group') return [];
  const names = mentionedUsernames(content);
  if (names.length === 0) return [];
  const members = await store.membersNamed(conversation.id, names);
  const idOf = new Map(members.map((m) => [m.username, m.userId]));
  // In the order the text names them, so the stored list reads like the message.
  const ids = names.flatMap((name) => {
    const userId = idOf.get(name);
    return userId && userId !== senderId ? [userId] : [];
  });
  return [...new Set(ids)];
}

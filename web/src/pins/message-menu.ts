/** The "Pin" / "Unpin" entry of a message's menu, for whoever may pin in this chat. */
import type { Conversation, Message, PinnedMessage } from '../../../sdk/index.js';
import type { MenuItem } from '../components/Menu.js';
import type { Session } from '../session/session.js';
import { setMessagePinned } from './actions.js';

/** In a direct chat either member pins; in a group only admins (the server says so too). */
export function pinMenuItem(
  session: Session,
  conversation: Conversation,
  meId: string | undefined,
  message: Message,
  pins: readonly PinnedMessage[],
): MenuItem | null {
  if (message.type === 'system' || message.deletedAt) return null;
  const me = conversation.members.find((m) => m.userId === meId);
  if (!me || (conversation.type !== 'direct' && me.role !== 'admin')) return null;
  const pinned = pins.some((p) => p.message.id === message.id);
  return {
    label: pinned ? 'Unpin' : 'Pin',
    icon: 'pin',
    onSelect: () => void setMessagePinned(session, conversation.id, message.id, !pinned),
  };
}

/** The open chat's menu: pin or unpin it, archive or unarchive it (for this user only). */
import { Menu, type MenuItem } from '../components/Menu.js';
import { useSession } from '../session/context.js';
import { setChatArchived, setChatPinned } from './actions.js';
import { usePins } from './state.js';

export function ChatMenu({ conversationId, removed }: { conversationId: string; removed: boolean }) {
  const session = useSession();
  const flags = usePins((s) => s.chats[conversationId]);
  if (removed) return null;
  const pinned = flags?.pinned ?? false;
  const archived = flags?.archived ?? false;
  const items: MenuItem[] = [
    {
      label: pinned ? 'Unpin chat' : 'Pin chat',
      icon: 'pin',
      onSelect: () => void setChatPinned(session, conversationId, !pinned),
    },
    {
      label: archived ? 'Unarchive chat' : 'Archive chat',
      icon: 'archive',
      onSelect: () => void setChatArchived(session, conversationId, !archived),
    },
  ];
  return <Menu label="Chat menu" icon="more" items={items} className="chat-menu" />;
}

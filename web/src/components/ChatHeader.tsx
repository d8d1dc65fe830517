/** The chat's header: back (narrow screens), avatar, name, presence or "typing…", search and info. */
import { conversationAvatar, conversationTitle, otherMemberId, personName, userName } from '../lib/names.js';
import { navigate } from '../lib/router.js';
import { formatLastSeen } from '../lib/time.js';
import { ChatMenu } from '../pins/ChatMenu.js';
import { useAppState, useNow, useSession } from '../session/context.js';
import type { ConversationEntry } from '../state/types.js';
import { Avatar } from './Avatar.js';
import { IconButton } from './IconButton.js';

export function ChatHeader({ entry }: { entry: ConversationEntry }) {
  const session = useSession();
  const { conversation } = entry;
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const typing = useAppState((s) => s.typing[conversation.id]);
  const otherId = otherMemberId(conversation, meId);
  const presence = useAppState((s) => (otherId ? s.presence[otherId] : undefined));
  const now = useNow(30_000);
  const connected = useAppState((s) => s.connection === 'online');
  const isGroup = conversation.type === 'group';
  const title = conversationTitle(conversation, users, meId);
  const avatar = conversationAvatar(conversation, users, meId);
  const typers = Object.keys(typing ?? {}).filter((id) => id !== meId);

  let subtitle: string;
  let live = false;
  if (typers.length > 0) {
    live = true;
    subtitle = !isGroup
      ? 'typing…'
      : typers.length === 1
        ? `${userName(typers[0], users)} is typing…`
        : `${typers.length} people are typing…`;
  } else if (isGroup) {
    const names = conversation.members.map((m) => personName(m.userId, users, meId));
    subtitle = entry.removed
      ? 'You are no longer a member'
      : names.sort((a, b) => (a === 'You' ? 1 : b === 'You' ? -1 : a.localeCompare(b))).join(', ');
  } else {
    // While we are offline the other one's presence is unknown: say nothing rather than something stale.
    subtitle = connected ? formatLastSeen(presence, now) : '';
  }

  const openInfo = () => session.dispatch({ type: 'panel', panel: { kind: 'info' } });
  return (
    <header className="chat-header">
      <IconButton icon="back" label="Back to chats" className="back-button" onClick={() => navigate('/')} />
      <button
        type="button"
        className="chat-header-main"
        onClick={openInfo}
        aria-label={`${title}, ${isGroup ? 'group info' : 'contact info'}`}
      >
        <Avatar id={avatar.id} name={title} url={avatar.url} size={40} />
        <span className="chat-header-text">
          <span className="chat-title">{title}</span>
          {subtitle && (
            <span className={live ? 'chat-subtitle typing' : 'chat-subtitle'} data-testid="chat-subtitle">
              {subtitle}
            </span>
          )}
        </span>
      </button>
      <div className="header-actions">
        <IconButton
          icon="search"
          label="Search in this chat"
          onClick={() => session.dispatch({ type: 'panel', panel: { kind: 'chatSearch' } })}
        />
        <IconButton icon="info" label={isGroup ? 'Group info' : 'Contact info'} onClick={openInfo} />
        <ChatMenu conversationId={conversation.id} removed={entry.removed} />
      </div>
    </header>
  );
}

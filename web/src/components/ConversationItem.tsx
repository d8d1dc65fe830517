/** One row of the chat list: avatar, name, time, last message (or "typing…"), unread badge, online dot. */
import type { MouseEvent, ReactNode } from 'react';
import { ChannelIcon } from '../channels/ChannelIcon.js';
import { conversationAvatar, conversationTitle, messagePreview, otherMemberId, userName } from '../lib/names.js';
import { conversationPath, navigate } from '../lib/router.js';
import { tickState } from '../lib/ticks.js';
import { formatListTime } from '../lib/time.js';
import { mediaLabel } from '../media/format.js';
import { MentionBadge } from '../mentions/MentionBadge.js';
import { PinMark } from '../pins/PinMark.js';
import { useAppState } from '../session/context.js';
import { activityTime, queuedPreview } from '../state/selectors.js';
import type { ConversationEntry } from '../state/types.js';
import { Avatar } from './Avatar.js';
import { Ticks } from './Ticks.js';

interface ConversationItemProps {
  entry: ConversationEntry;
  now: Date;
}

export function ConversationItem({ entry, now }: ConversationItemProps) {
  const { conversation, lastMessage, unreadCount } = entry;
  const id = conversation.id;
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const active = useAppState((s) => s.active === id);
  const typing = useAppState((s) => s.typing[id]);
  const marks = useAppState((s) => s.watermarks[id]);
  const pending = useAppState((s) => s.pending);
  const queued = queuedPreview(entry, pending);
  const otherId = otherMemberId(conversation, meId);
  const online = useAppState((s) => (otherId ? s.presence[otherId]?.status === 'online' : false));
  const isGroup = conversation.type === 'group';
  const title = conversationTitle(conversation, users, meId);
  const avatar = conversationAvatar(conversation, users, meId);
  const typers = Object.keys(typing ?? {}).filter((u) => u !== meId);
  const path = conversationPath(id);
  const activity = activityTime(entry, pending);

  let preview: ReactNode;
  if (typers.length > 0) {
    const who = isGroup
      ? `${typers.length > 1 ? `${typers.length} people are` : `${userName(typers[0], users)} is`} `
      : '';
    preview = <span className="typing">{who}typing…</span>;
  } else if (queued) {
    preview = (
      <>
        <Ticks state="queued" />
        <span className="preview-text">
          {queued.content || (queued.mediaId ? mediaLabel(queued.messageType ?? 'file') : '')}
        </span>
      </>
    );
  } else if (lastMessage) {
    const { prefix, text } = messagePreview(lastMessage, users, meId, isGroup);
    const own = lastMessage.senderId === meId && lastMessage.type !== 'system' && !lastMessage.deletedAt;
    preview = (
      <>
        {own && <Ticks state={tickState(lastMessage, conversation, marks)} />}
        <span className={lastMessage.deletedAt ? 'preview-text deleted' : 'preview-text'}>
          {own ? '' : prefix}
          {text}
        </span>
      </>
    );
  } else {
    preview = <span className="preview-text muted">{isGroup ? 'Group created' : 'Say hello 👋'}</span>;
  }

  const open = (event: MouseEvent) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(path);
  };

  return (
    <li>
      <a
        href={path}
        className={active ? 'conversation active' : 'conversation'}
        aria-current={active ? 'page' : undefined}
        onClick={open}
        data-conversation-id={id}
      >
        <Avatar id={avatar.id} name={title} url={avatar.url} online={online} />
        <span className="conversation-body">
          <span className="conversation-row">
            <span className="conversation-title">
              {conversation.type === 'channel' && <ChannelIcon />}
              {title}
            </span>
            <time className={unreadCount > 0 ? 'conversation-time unread' : 'conversation-time'} dateTime={activity}>
              {formatListTime(activity, now)}
            </time>
          </span>
          <span className="conversation-row">
            <span className="conversation-preview">{preview}</span>
            {online && <span className="visually-hidden">, online</span>}
            <MentionBadge conversationId={id} />
            <PinMark conversationId={id} />
            {unreadCount > 0 && (
              <span className="badge">
                {unreadCount > 999 ? '999+' : unreadCount}
                <span className="visually-hidden"> unread</span>
              </span>
            )}
          </span>
        </span>
      </a>
    </li>
  );
}

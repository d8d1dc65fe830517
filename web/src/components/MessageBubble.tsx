/** One message bubble: sender (groups), reply quote, text, "edited", time, ticks, and its actions menu. */
import type { Conversation, Message } from '../../../sdk/index.js';
import { hueOf, type UserMap, userName } from '../lib/names.js';
import { type TickState, tickState, type Watermarks } from '../lib/ticks.js';
import { formatClock } from '../lib/time.js';
import { MessageMedia } from '../media/MessageMedia.js';
import { ForwardedLabel } from '../mentions/ForwardDialog.js';
import { MentionText } from '../mentions/MentionText.js';
import { LinkPreviewCard } from '../previews/LinkPreviewCard.js';
import { ReactionBar } from '../reactions/ReactionBar.js';
import { reactMenuItem } from '../reactions/state.js';
import type { ChatItem } from '../state/selectors.js';
import { Icon } from './Icon.js';
import { Menu, type MenuItem } from './Menu.js';
import { ReplyQuote } from './ReplyQuote.js';
import { Ticks } from './Ticks.js';

export interface MessageActions {
  reply(message: Message): void;
  edit(message: Message): void;
  remove(message: Message): void;
  copy(message: Message): void;
  forward(message: Message): void;
  info(message: Message): void;
  jumpTo(messageId: string): void;
  /** "Pin" or "Unpin", when the user may (src/pins/message-menu.ts). */
  pinItem?(message: Message): MenuItem | null;
  retry(clientMsgId: string): void;
  discard(clientMsgId: string): void;
}

interface MessageBubbleProps {
  item: ChatItem;
  first: boolean;
  last: boolean;
  conversation: Conversation;
  meId: string;
  isAdmin: boolean;
  users: UserMap;
  marks: Watermarks | undefined;
  replied: Message | undefined;
  flash: boolean;
  actions: MessageActions;
}

function menuFor(message: Message, own: boolean, isAdmin: boolean, isGroup: boolean, a: MessageActions): MenuItem[] {
  if (message.deletedAt) return [];
  const items: MenuItem[] = [
    { label: 'Reply', icon: 'reply', onSelect: () => a.reply(message) },
    { label: 'Copy', icon: 'copy', onSelect: () => a.copy(message) },
  ];
  const react = reactMenuItem(message);
  if (react) items.push(react);
  if (message.type !== 'system') items.push({ label: 'Forward', icon: 'forward', onSelect: () => a.forward(message) });
  if (own && message.type === 'text') items.push({ label: 'Edit', icon: 'edit', onSelect: () => a.edit(message) });
  if (own) items.push({ label: isGroup ? 'Message info' : 'Info', icon: 'info', onSelect: () => a.info(message) });
  const pin = a.pinItem?.(message);
  if (pin) items.push(pin);
  if (own || (isGroup && isAdmin)) {
    items.push({ label: 'Delete for everyone', icon: 'trash', danger: true, onSelect: () => a.remove(message) });
  }
  return items;
}

export function MessageBubble(props: MessageBubbleProps) {
  const { item, first, last, conversation, meId, isAdmin, users, marks, replied, flash, actions } = props;
  const own = item.senderId === meId;
  const isGroup = conversation.type === 'group';
  const message = item.state === 'stored' ? item.message : null;
  const content =
    item.state === 'stored'
      ? item.message.content
      : item.state === 'queued'
        ? item.pending.content
        : item.failed.content;
  const replyToId =
    item.state === 'stored'
      ? item.message.replyToId
      : item.state === 'queued'
        ? (item.pending.replyToId ?? null)
        : item.failed.replyToId;
  const deleted = Boolean(message?.deletedAt);
  let tick: TickState | null = null;
  if (own)
    tick =
      item.state === 'queued'
        ? 'queued'
        : item.state === 'failed'
          ? 'failed'
          : tickState(item.message, conversation, marks);
  const menu = message ? menuFor(message, own, isAdmin, isGroup, actions) : [];
  const classes = ['message-row', own ? 'own' : 'other', first ? 'first' : '', last ? 'last' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div
      className={classes}
      data-message-id={message?.id}
      data-client-msg-id={item.state !== 'stored' ? item.key : undefined}
    >
      {/* tabIndex -1: a tap focuses the bubble, which shows its actions button on touch screens. */}
      <div
        className={`bubble${first ? ' tail' : ''}${flash ? ' flash' : ''}${deleted ? ' deleted' : ''}`}
        tabIndex={-1}
      >
        {isGroup && !own && first && (
          <div className="bubble-sender" style={{ color: `hsl(${hueOf(item.senderId)} 55% 38%)` }}>
            {userName(item.senderId, users)}
          </div>
        )}
        {message?.forwarded && !deleted && <ForwardedLabel />}
        {replyToId && !deleted && <ReplyQuote original={replied} onJump={actions.jumpTo} />}
        {message && !deleted && <MessageMedia type={message.type} media={message.media} />}
        {item.state === 'queued' && item.pending.mediaId && (
          <MessageMedia type={item.pending.messageType ?? 'file'} media={null} />
        )}
        {item.state === 'failed' && item.failed.mediaId && (
          <MessageMedia type={item.failed.messageType ?? 'file'} media={null} />
        )}
        <div className="bubble-text">
          {deleted ? (
            <span className="deleted-text">
              <Icon name="block" size={16} />
              {own ? 'You deleted this message' : 'This message was deleted'}
            </span>
          ) : (
            <MentionText
              text={content}
              // Stored: whom the server resolved; not yet stored: any member of the group.
              candidates={message ? (message.mentions ?? []) : isGroup ? conversation.members.map((m) => m.userId) : []}
              users={users}
              meId={meId}
            />
          )}
          <span className="bubble-meta">
            {message?.editedAt && !deleted && <span className="edited">edited</span>}
            <time dateTime={item.createdAt}>{formatClock(item.createdAt)}</time>
            {tick && !deleted && <Ticks state={tick} />}
          </span>
        </div>
        {message?.preview && !deleted && <LinkPreviewCard preview={message.preview} />}
        {menu.length > 0 && (
          <Menu
            label="Message actions"
            icon="chevronDown"
            items={menu}
            className="bubble-menu"
            align={own ? 'end' : 'start'}
          />
        )}
      </div>
      {message && !deleted && message.type !== 'system' && <ReactionBar message={message} own={own} />}
      {item.state === 'failed' && (
        <div className="failed-row" role="alert">
          <span>Not sent: {item.failed.error}</span>
          <button type="button" className="link" onClick={() => actions.retry(item.key)}>
            Retry
          </button>
          <button type="button" className="link" onClick={() => actions.discard(item.key)}>
            Discard
          </button>
        </div>
      )}
    </div>
  );
}
